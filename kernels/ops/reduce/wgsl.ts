// Reductions over the middle axis of x viewed as (outer, len, inner): one thread per output.
// Backward: one thread per input element. Max sends the gradient to the first maximal element.
import type { ReduceOp } from '../../backend.ts';
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

const HEAD = `struct D { outer: u32, len: u32, inner: u32, p: u32 }
${FLAT_INDEX}`;

export function reduceWgsl(op: ReduceOp): Shader {
  const init = op === 'max' ? '-3.40282e38' : '0.0';
  const comb = op === 'max' ? 'acc = max(acc, v);' : 'acc += v;';
  const fin = op === 'mean' ? 'acc / f32(d.len)' : 'acc';
  return shader([read('X'), rw('Y')], `${HEAD}
${ENTRY_1D} {
  let o = flatIndex(wg, nwg, lid);
  if (o >= d.outer * d.inner) { return; }
  let oo = o / d.inner; let ii = o % d.inner;
  var acc = ${init};
  for (var l = 0u; l < d.len; l++) { let v = X[(oo * d.len + l) * d.inner + ii]; ${comb} }
  Y[o] = ${fin};
}`);
}

export function reduceBackwardWgsl(op: ReduceOp): Shader {
  const body =
    op === 'sum' ? 'DX[i] = g;'
    : op === 'mean' ? 'DX[i] = g / f32(d.len);'
    : `let y = Yv[o];
  var first = d.len;
  for (var k = 0u; k < d.len; k++) { if (X[(oo * d.len + k) * d.inner + ii] == y) { first = k; break; } }
  DX[i] = select(0.0, g, l == first);`;
  return shader([read('DY'), read('X'), read('Yv'), rw('DX')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.outer * d.len * d.inner) { return; }
  let ii = i % d.inner; let l = (i / d.inner) % d.len; let oo = i / (d.inner * d.len);
  let o = oo * d.inner + ii;
  let g = DY[o];
  _ = l;
  ${body}
}`);
}

/** out (N) = Σ over rows of x (rows, N): the bias gradient. d.outer = rows, d.inner = N, d.p = accumulate. */
export function sumRowsWgsl(): Shader {
  return shader([read('X'), rw('Y')], `${HEAD}
${ENTRY_1D} {
  let n = flatIndex(wg, nwg, lid);
  if (n >= d.inner) { return; }
  var s = 0.0;
  for (var r = 0u; r < d.outer; r++) { s += X[r * d.inner + n]; }
  if (d.p == 1u) { Y[n] = Y[n] + s; } else { Y[n] = s; }
}`);
}

/**
 * sumRows for hardware GPUs, where a conv bias gradient sums 50,176 rows of 8 columns and one
 * thread per column is a serial chain: a workgroup of 256 threads owns `cols` columns (a power of
 * two ≤ 64), 256 / cols lanes each sum every lanes-th row, and a tree in workgroup memory adds
 * the lanes. Grid: ceil(N / cols) workgroups along x, and along y chunks of d.len rows, chunk y
 * written to row y of Y (a scratch (chunks, N) that a second pass sums, when there are several).
 */
export function sumRowsParallelWgsl(cols: number): Shader {
  const lanes = 256 / cols;
  return shader([read('X'), rw('Y')], `${HEAD}
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let col = lid % ${cols}u; let lane = lid / ${cols}u;
  let n = wg.x * ${cols}u + col;
  // Rows [r0, r1): chunk wg.y of d.len rows (d.len = d.outer with one chunk); Y row wg.y.
  let r0 = wg.y * d.len; let r1 = min(r0 + d.len, d.outer);
  var s = 0.0;
  if (n < d.inner) {
    for (var r = r0 + lane; r < r1; r += ${lanes}u) { s += X[r * d.inner + n]; }
  }
  part[lid] = s;
  workgroupBarrier();
  for (var w = ${lanes / 2}u; w > 0u; w >>= 1u) {
    if (lane < w) { part[lid] += part[lid + w * ${cols}u]; }
    workgroupBarrier();
  }
  if (lane == 0u && n < d.inner) {
    let yi = wg.y * d.inner + n;
    if (d.p == 1u) { Y[yi] = Y[yi] + part[lid]; } else { Y[yi] = part[lid]; }
  }
}`);
}

/** out[0] = Σ x² with one workgroup of 256 threads (strided loop, then a tree in workgroup memory). */
export function sumSquaresWgsl(): Shader {
  return shader([read('X'), rw('Y')], `struct D { n: u32, p0: u32, p1: u32, p2: u32 }
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = lid; i < d.n; i += 256u) { let v = X[i]; s += v * v; }
  part[lid] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid < w) { part[lid] += part[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { Y[0] = part[0]; }
}`);
}
