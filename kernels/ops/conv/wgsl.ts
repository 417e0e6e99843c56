// Convolution as implicit GEMM over NHWC activations and (KH, KW, C, F) filters. No im2col buffer
// is ever written: the A operand is read through computed indices into the activations.
// First version staged 16-deep K slices in workgroup memory like matmul.wgsl.ts, with an index
// decomposition (6 integer divisions) per staged element; on SwiftShader that ran at ~37 M MAC/s
// and wasted 4× on 8-filter layers (32-wide tiles). The kernels below keep a register tile per
// thread and walk K tap by tap instead (see convWgsl), measured several times faster there.
//   fwd: out (N·OH·OW, F)     = patches(x) (M, KH·KW·C) · w (KH·KW·C, F)   [+ bias, act]
//   dx:  dx  (N·H·W, C)       = dy-taps (M, KH·KW·F)  · wᵀ (KH·KW·F, C)    (transposed conv: a
//        tap (kh, kw) of input pixel h reaches output row (h + ph − kh·dh)/sh when that divides)
//   dw:  dw  (KH·KW·C, F)     = patches(x)ᵀ (KH·KW·C, N·OH·OW) · dy (N·OH·OW, F): the sum over
//        the batch is the GEMM's inner dimension, so one thread block owns a tile of the weights.
import type { FusedAct } from '../../backend.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

export type ConvMode = 'fwd' | 'dx' | 'dw';

export interface ConvVariant {
  mode: ConvMode;
  /** fwd: add the bias before the activation. dw: also write dbias (F) = Σ over positions of dy into DB. */
  bias: boolean;
  act: FusedAct;
  accumulate: boolean;
  /** Columns per thread (4, 8 or 16): filters for fwd/dw, input channels for dx. */
  fb: 4 | 8 | 16;
  /** The contiguous operand (w for fwd, dy for dw) is read as vec4 (F divisible by 4). */
  vec: boolean;
  /** Threads per workgroup (one row each): CONV_WG, or CONV_WG_HW on hardware GPUs. */
  wg: typeof CONV_WG | typeof CONV_WG_HW;
}

const ACT: Record<FusedAct, string> = {
  none: 'v',
  relu: 'max(v, 0.0)',
  leaky_relu: 'select(0.01 * v, v, v > 0.0)',
  tanh: 'tanh_(v)',
  sigmoid: 'sigmoid_(v)',
};

/** The fused activation of v (f32) as a WGSL expression. */
export const convAct = (act: FusedAct): string => ACT[act];

/**
 * Threads per workgroup. SwiftShader (the fallback adapter) keeps 64: it runs 64-thread groups
 * fastest, since it executes a workgroup's invocations on one CPU thread and more of them only
 * lengthen each group. Hardware GPUs get 256 (ConvVariant.wg, chosen by GpuBackend.hw): a
 * multiprocessor holds a limited number of resident workgroups, so 64-thread groups can leave
 * warp slots empty; 256 is also what the element-wise and dw kernels use. Its speed on a real GPU
 * is still to be measured (issue #22).
 */
export const CONV_WG = 64;
export const CONV_WG_HW = 256;

/** Columns per thread: enough to cover small filter counts without idle lanes. */
export function convBlock(cols: number): 4 | 8 | 16 {
  return cols <= 4 ? 4 : cols <= 8 ? 8 : 16;
}

/** The dims uniform: geometry, then the GEMM's M, N, K. */
export function convDims(g: { N: number; H: number; W: number; C: number; KH: number; KW: number; F: number; OH: number; OW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number }, mode: ConvMode): { u: number[]; M: number; N: number; K: number } {
  const [M, N, K] =
    mode === 'fwd' ? [g.N * g.OH * g.OW, g.F, g.KH * g.KW * g.C]
    : mode === 'dx' ? [g.N * g.H * g.W, g.C, g.KH * g.KW * g.F]
    : [g.KH * g.KW * g.C, g.F, g.N * g.OH * g.OW];
  return { u: [g.N, g.H, g.W, g.C, g.KH, g.KW, g.F, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, M, N, K, 0, 0], M, N, K };
}

export const CONV_HEAD = /* wgsl */ `
struct D { N: u32, H: u32, W: u32, C: u32, KH: u32, KW: u32, F: u32, OH: u32,
           OW: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, M: u32,
           NN: u32, K: u32, p0: u32, p1: u32 }
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let r = (1.0 - e) / (1.0 + e); return select(-r, r, x >= 0.0); }
fn sigmoid_(x: f32) -> f32 { let e = exp(-abs(x)); return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0); }`;

/**
 * The kernels walk the GEMM's K dimension tap by tap: a tap whose input pixel lies in the padding
 * (or, for dx, whose output position does not exist at this stride) is skipped whole, so the inner
 * loop over channels has no bounds checks and no integer division, and reads contiguous memory.
 * Each thread keeps a register tile of 1 row × fb columns (vec4 accumulators); the operand shared by
 * all threads of a workgroup (the filters) is read at the same addresses by every thread.
 * Every read stays in bounds without relying on robust access: a column block's columns past the
 * last (fb not dividing the column count) read the last column instead (their offsets clamped
 * once, before the loops, so the inner loop costs what it did) and are never stored.
 */
/**
 * Hoisted column offsets of a thread's fb columns, clamped to the last column `last` so that no
 * read leaves the row (see convWgsl): vec4 reads get J offsets in vec4 units (cols % 4 == 0),
 * scalar reads fb offsets. `mul` scales a column to its stride (dx's channels are F apart).
 */
export function colOffsets(o: ConvVariant, first: string, cols: string, mul = ''): string {
  const J = o.fb / 4;
  return o.vec
    ? Array.from({ length: J }, (_, j) => `let cv${j} = min(${first} + ${4 * j}u, ${cols} - 4u) / 4u;`).join(' ')
    : Array.from({ length: o.fb }, (_, k) => `let cs${k} = min(${first} + ${k}u, ${cols} - 1u)${mul};`).join(' ');
}

/** One vec4 of columns 4j..4j+3 from row base `row` (in vec4 units when vec, else floats). */
export function colRead(o: ConvVariant, arr: string, row: string, j: number): string {
  return o.vec ? `${arr}[${row} + cv${j}]` : `vec4<f32>(${[0, 1, 2, 3].map((q) => `${arr}[${row} + cs${4 * j + q}]`).join(', ')})`;
}

/**
 * The forward's K loop for output pixel (n, oh, ow): acc[j] (vec4 columns f0 + 4j …) += every
 * in-bounds tap's input channels times the filters' row. Shared by convWgsl's fwd and the fused
 * conv + max pool (pool.wgsl.ts), so both sum in the same order and give the same f32 values.
 */
export function fwdTaps(o: ConvVariant): string {
  const reads = Array.from({ length: o.fb / 4 }, (_, j) => `acc[${j}] += xv * ${colRead(o, 'Bm', 'wr', j)};`).join('\n        ');
  return `for (var kh = 0u; kh < d.KH; kh++) {
    let ih = i32(oh * d.sh + kh * d.dh) - i32(d.ph);
    if (ih < 0 || ih >= i32(d.H)) { continue; }
    for (var kw = 0u; kw < d.KW; kw++) {
      let iw = i32(ow * d.sw + kw * d.dw) - i32(d.pw);
      if (iw < 0 || iw >= i32(d.W)) { continue; }
      let xb = ((n * d.H + u32(ih)) * d.W + u32(iw)) * d.C;
      let wb = (kh * d.KW + kw) * d.C;
      for (var c = 0u; c < d.C; c++) {
        let xv = X[xb + c];
        let wr = (wb + c) * ${o.vec ? '(d.F / 4u)' : 'd.F'};
        ${reads}
      }
    }
  }`;
}

export function convWgsl(o: ConvVariant): Shader {
  const J = o.fb / 4;
  const acc = `var acc: array<vec4<f32>, ${J}>;`;
  const unroll = (f: (j: number) => string) => Array.from({ length: J }, (_, j) => f(j)).join('\n      ');
  if (o.mode === 'fwd') {
    // Y (M = N·OH·OW, F): thread = output pixel m, columns f0 .. f0 + fb.
    const store = o.accumulate ? 'Y[yi] = Y[yi] + v;' : 'Y[yi] = v;';
    return shader([read('X'), read('Bm', o.vec ? 'array<vec4<f32>>' : 'array<f32>'), rw('Y'), o.bias && read('bias')], `${CONV_HEAD}
@compute @workgroup_size(${o.wg})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let m = (wg.z * 65535u + wg.x) * ${o.wg}u + lid;
  if (m >= d.M) { return; }
  let f0 = wg.y * ${o.fb}u;
  ${colOffsets(o, 'f0', 'd.F')}
  let ow = m % d.OW; let t = m / d.OW; let oh = t % d.OH; let n = t / d.OH;
  ${acc}
  ${fwdTaps(o)}
  for (var j = 0u; j < ${J}u; j++) {
    for (var q = 0u; q < 4u; q++) {
      let f = f0 + 4u * j + q;
      if (f >= d.F) { return; }
      var v = acc[j][q]${o.bias ? ' + bias[f]' : ''};
      v = ${ACT[o.act]};
      let yi = m * d.F + f;
      ${store}
    }
  }
}`);
  }
  if (o.mode === 'dx') {
    // dX (N·H·W, C): thread = input pixel, channels c0 .. c0 + fb; K walks the taps that reach it.
    const store = o.accumulate ? 'Y[yi] = Y[yi] + acc[j][q];' : 'Y[yi] = acc[j][q];';
    return shader([read('X'), read('Bm'), rw('Y')], `${CONV_HEAD}
@compute @workgroup_size(${o.wg})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.z * 65535u + wg.x) * ${o.wg}u + lid;
  if (i >= d.M) { return; }
  let c0 = wg.y * ${o.fb}u;
  ${colOffsets({ ...o, vec: false }, 'c0', 'd.C', ' * d.F')}
  let w = i % d.W; let t = i / d.W; let h = t % d.H; let n = t / d.H;
  ${acc}
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
      let gb = ((n * d.OH + oh) * d.OW + ow) * d.F;
      let wb = (kh * d.KW + kw) * d.C * d.F;
      for (var f = 0u; f < d.F; f++) {
        let g = X[gb + f];
        let wr = wb + f;
      ${unroll((j) => `acc[${j}] += g * ${colRead({ ...o, vec: false }, 'Bm', 'wr', j)};`)}
      }
    }
  }
  for (var j = 0u; j < ${J}u; j++) {
    for (var q = 0u; q < 4u; q++) {
      let c = c0 + 4u * j + q;
      if (c >= d.C) { return; }
      let yi = i * d.C + c;
      ${store}
    }
  }
}`);
  }
  // dW (KH·KW·C, F): one thread per row (tap, c) and block of fb filters, summing serially over
  // all N·OH·OW output positions. (A workgroup per row splitting the sum and adding partial tiles
  // in workgroup memory measured 3× slower on SwiftShader: its barriers cost more than the sum.)
  // With bias, row M is the bias gradient: [dW; db] = [patches(x) | 1]ᵀ·dy, the ones column
  // implicit, so the bias costs one more row in this dispatch instead of a sumRows of its own.
  const dyRead = (j: number) => colRead(o, 'Bm', 'gb', j);
  const rowOf = (p: string) => (o.vec ? `${p} * (d.F / 4u)` : `${p} * d.F`);
  const store = o.accumulate ? 'Y[yi] = Y[yi] + acc[j][q];' : 'Y[yi] = acc[j][q];';
  const biasRow = `if (row == d.M) {
    for (var p = 0u; p < d.N * d.OH * d.OW; p++) {
      let gb = ${rowOf('p')};
      ${unroll((j) => `acc[${j}] += ${dyRead(j)};`)}
    }
    for (var j = 0u; j < ${J}u; j++) {
      for (var q = 0u; q < 4u; q++) {
        let f = f0 + 4u * j + q;
        if (f >= d.F) { return; }
        ${o.accumulate ? 'DB[f] = DB[f] + acc[j][q];' : 'DB[f] = acc[j][q];'}
      }
    }
    return;
  }`;
  return shader([read('X'), read('Bm', o.vec ? 'array<vec4<f32>>' : 'array<f32>'), rw('Y'), o.bias && rw('DB')], `${CONV_HEAD}
@compute @workgroup_size(${o.wg})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = (wg.z * 65535u + wg.x) * ${o.wg}u + lid;
  if (row >= d.M${o.bias ? ' + 1u' : ''}) { return; }
  let f0 = wg.y * ${o.fb}u;
  ${colOffsets(o, 'f0', 'd.F')}
  ${acc}
  ${o.bias ? biasRow : ''}
  let c = row % d.C; let tap = row / d.C; let kw = tap % d.KW; let kh = tap / d.KW;
  for (var r = 0u; r < d.N * d.OH; r++) {
    let oh = r % d.OH; let n = r / d.OH;
    let ih = i32(oh * d.sh + kh * d.dh) - i32(d.ph);
    if (ih < 0 || ih >= i32(d.H)) { continue; }
    let xb = (n * d.H + u32(ih)) * d.W;
    for (var ow = 0u; ow < d.OW; ow++) {
      let iw = i32(ow * d.sw + kw * d.dw) - i32(d.pw);
      if (iw < 0 || iw >= i32(d.W)) { continue; }
      let xv = X[(xb + u32(iw)) * d.C + c];
      let gb = ${rowOf('(r * d.OW + ow)')};
      ${unroll((j) => `acc[${j}] += xv * ${dyRead(j)};`)}
    }
  }
  for (var j = 0u; j < ${J}u; j++) {
    for (var q = 0u; q < 4u; q++) {
      let f = f0 + 4u * j + q;
      if (f >= d.F) { return; }
      let yi = row * d.F + f;
      ${store}
    }
  }
}`);
}
