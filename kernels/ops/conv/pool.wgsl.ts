// Conv2D + max pool in one kernel (the LeNet pair: conv → act → 2×2 max pool, stride 2). A thread
// owns one pooled output pixel and fb filters: it computes the conv outputs of its pooling window
// one position at a time in registers (the same tap-by-tap implicit GEMM as convWgsl's fwd, same
// summation order, so the same f32 values), applies bias and activation, and keeps the running
// max and its index. Only the pooled output Y (N, POH, POW, F) and the argmax AM are written; the
// argmax is the flat index into the conv output (N, OH, OW, F), exactly as poolWgsl writes it for
// the plain pair, so the pool backward gather is unchanged. The full-size conv output is never written.
//
// Only non-overlapping windows (pool stride == size, no pool padding, no dilation) come here:
// with overlap, a conv output would be recomputed by every window that covers it (up to size²
// times for stride 1), and padded windows would need the −∞ skip of padded positions; the graph
// records the plain pair for those (autodiff/convpool.ts).
import { read, rw, shader, type Shader } from '../bindings.ts';
import { CONV_HEAD, colOffsets, convAct, fwdTaps, type ConvVariant } from './wgsl.ts';

/**
 * Dims: convDims(g, 'fwd') with M = N·POH·POW (pooled pixels) and p0, p1 the pool window's height
 * and width (= its strides); POH = OH / p0 and POW = OW / p1, floored: a trailing row or column of
 * conv outputs that fills no whole window is dropped, as the plain pool drops it.
 */
export function convMaxPoolWgsl(o: Omit<ConvVariant, 'mode' | 'accumulate'>): Shader {
  const J = o.fb / 4;
  const js = Array.from({ length: J }, (_, j) => j);
  const v: ConvVariant = { ...o, mode: 'fwd', accumulate: false };
  return shader([read('X'), read('Bm', o.vec ? 'array<vec4<f32>>' : 'array<f32>'), rw('Y'), rw('AM', 'array<u32>'), o.bias && read('bias')], `${CONV_HEAD}
@compute @workgroup_size(${o.wg})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = (wg.z * 65535u + wg.x) * ${o.wg}u + lid;
  if (m >= d.M) { return; }
  let f0 = wg.y * ${o.fb}u;
  ${colOffsets(v, 'f0', 'd.F')}
  let POW = d.OW / d.p1; let POH = d.OH / d.p0;
  let pw = m % POW; let t = m / POW; let ph = t % POH; let n = t / POH;
  // Bias of each column, clamped like the filter reads (columns past F are never stored).
  ${o.bias ? js.map((j) => `let b${j} = vec4<f32>(${[0, 1, 2, 3].map((q) => `bias[min(f0 + ${4 * j + q}u, d.F - 1u)]`).join(', ')});`).join('\n  ') : ''}
  // Running max per column, initial value and strict > as in poolWgsl: ties keep the first position.
  var acc: array<vec4<f32>, ${J}>;
  var best: array<vec4<f32>, ${J}>;
  var arg: array<vec4<u32>, ${J}>;
  for (var j = 0u; j < ${J}u; j++) { best[j] = vec4<f32>(-3.40282e38); }
  for (var a = 0u; a < d.p0; a++) {
    let oh = ph * d.p0 + a;
    for (var b = 0u; b < d.p1; b++) {
      let ow = pw * d.p1 + b;
      // Zeroed explicitly per position (one declaration outside the loop, so no compiler has to
      // re-run a declaration's zero-initialisation each iteration).
      ${js.map((j) => `acc[${j}] = vec4<f32>(0.0);`).join(' ')}
      ${fwdTaps(v)}
      // The conv output's flat index (n, oh, ow, f0): what the plain pool records as its argmax.
      let ci = ((n * d.OH + oh) * d.OW + ow) * d.F + f0;
      ${js.map((j) => `for (var q = 0u; q < 4u; q++) {
        var v = acc[${j}][q]${o.bias ? ` + b${j}[q]` : ''};
        v = ${convAct(o.act)};
        if (v > best[${j}][q]) { best[${j}][q] = v; arg[${j}][q] = ci + ${4 * j}u + q; }
      }`).join('\n      ')}
    }
  }
  for (var j = 0u; j < ${J}u; j++) {
    for (var q = 0u; q < 4u; q++) {
      let f = f0 + 4u * j + q;
      if (f >= d.F) { return; }
      Y[m * d.F + f] = best[j][q];
      AM[m * d.F + f] = arg[j][q];
    }
  }
}`);
}
