// Pooling kernels for convolutional networks (NHWC).
// Pool forward: one thread per output element; max records the flat input index it chose.
// Pool backward is a gather, one thread per input element summing the windows that chose it (max)
// or cover it (avg): no float atomics, and overlapping windows (stride < size) come out right.
// Its fused form (gradAct) multiplies that sum by act'(·) of the pooled input, read through the
// activation's output YA (a conv2d's fused relu, say), so the pool writes the conv's pre-activation
// gradient and the separate unaryBackward dispatch goes away.
import type { FusedAct } from '../../backend.ts';
import { GRAD_ACT } from '../matmul/tiled.wgsl.ts';
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

const GEOM = `struct D { N: u32, H: u32, W: u32, C: u32, KH: u32, KW: u32, F: u32, OH: u32,
           OW: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, total: u32 }
${FLAT_INDEX}`;

export function poolWgsl(op: 'max' | 'avg'): Shader {
  return shader([read('X'), rw('Y'), op === 'max' && rw('AM', 'array<u32>')], `${GEOM}
${ENTRY_1D} {
  let o = flatIndex(wg, nwg, lid);
  if (o >= d.total) { return; }
  let c = o % d.C; var t = o / d.C; let ow = t % d.OW; t = t / d.OW; let oh = t % d.OH; let n = t / d.OH;
  var best = -3.40282e38; var arg = 0u; var sum = 0.0;
  for (var kh = 0u; kh < d.KH; kh++) {
    let ih = i32(oh * d.sh + kh * d.dh) - i32(d.ph);
    if (ih < 0 || ih >= i32(d.H)) { continue; }
    for (var kw = 0u; kw < d.KW; kw++) {
      let iw = i32(ow * d.sw + kw * d.dw) - i32(d.pw);
      if (iw < 0 || iw >= i32(d.W)) { continue; }
      let xi = ((n * d.H + u32(ih)) * d.W + u32(iw)) * d.C + c;
      let v = X[xi];
      sum += v;
      if (v > best) { best = v; arg = xi; }
    }
  }
  ${op === 'max' ? 'Y[o] = best; AM[o] = arg; _ = sum;' : 'Y[o] = sum / f32(d.KH * d.KW); _ = best; _ = arg;'}
}`);
}

/** Leaky ReLU's slope in the fused gradAct, as conv2d's fused activation uses (conv/wgsl.ts ACT). */
const ALPHA = 'const LEAKY_ALPHA = 0.01;';

/**
 * `pooled` (max with gradAct only): the activation's output is read from the pooled output YP at
 * the window that chose i, not from the pool's input: at an argmax position the input equals the
 * pooled value, and only those positions receive a gradient (elsewhere s = 0 and every GRAD_ACT
 * expression is v times a finite factor, so 0). The conv + max pool kernel never writes the pool's
 * input (conv/pool.wgsl.ts), so its backward must take this form.
 */
export function poolBackwardWgsl(op: 'max' | 'avg', gradAct: FusedAct = 'none', pooled = false): Shader {
  const ga = gradAct !== 'none';
  if (pooled && (op !== 'max' || !ga)) throw new Error('poolBackwardWgsl: the pooled form is for max pooling with an activation');
  const sum = op === 'max' ? 's' : 's / f32(d.KH * d.KW)';
  // GRAD_ACT's expressions read v (the gradient), y (the activation's output) and d.alpha.
  const store = ga ? `let v = ${sum};${pooled ? '' : ' let y = YA[i];'}\n  DX[i] = ${GRAD_ACT[gradAct].replace('d.alpha', 'LEAKY_ALPHA')};` : `DX[i] = ${sum};`;
  const chose = pooled ? 'if (AM[o] == i) { s += DY[o]; y = YP[o]; }' : 'if (AM[o] == i) { s += DY[o]; }';
  return shader([read('DY'), rw('DX'), op === 'max' && read('AM', 'array<u32>'), ga && read(pooled ? 'YP' : 'YA')], `${GEOM}
${ga ? ALPHA : ''}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.total) { return; }
  let c = i % d.C; var t = i / d.C; let w = t % d.W; t = t / d.W; let h = t % d.H; let n = t / d.H;
  var s = 0.0;${pooled ? ' var y = 0.0;' : ''}
  for (var kh = 0u; kh < d.KH; kh++) {
    let a = i32(h + d.ph) - i32(kh * d.dh);
    if (a < 0 || u32(a) % d.sh != 0u) { continue; }
    let oh = u32(a) / d.sh;
    if (oh >= d.OH) { continue; }
    for (var kw = 0u; kw < d.KW; kw++) {
      let b = i32(w + d.pw) - i32(kw * d.dw);
      if (b < 0 || u32(b) % d.sw != 0u) { continue; }
      let ow = u32(b) / d.sw;
      if (ow >= d.OW) { continue; }
      let o = ((n * d.OH + oh) * d.OW + ow) * d.C + c;
      ${op === 'max' ? chose : 's += DY[o];'}
    }
  }
  ${store}
}`);
}

