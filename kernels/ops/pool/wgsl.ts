// Pooling, batch normalization and augmentation kernels for convolutional networks (NHWC).
// Pool forward: one thread per output element; max records the flat input index it chose.
// Pool backward is a gather, one thread per input element summing the windows that chose it (max)
// or cover it (avg): no float atomics, and overlapping windows (stride < size) come out right.
import { ENTRY_1D, FLAT_INDEX, HASH, STEP_STRUCT } from '../common.wgsl.ts';

const GEOM = `struct D { N: u32, H: u32, W: u32, C: u32, KH: u32, KW: u32, F: u32, OH: u32,
           OW: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, total: u32 }
@group(0) @binding(1) var<uniform> d: D;
${FLAT_INDEX}`;

export function poolWgsl(op: 'max' | 'avg'): string {
  return `${GEOM}
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
${op === 'max' ? '@group(0) @binding(4) var<storage, read_write> AM: array<u32>;' : ''}
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
}`;
}

export function poolBackwardWgsl(op: 'max' | 'avg'): string {
  return `${GEOM}
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;
${op === 'max' ? '@group(0) @binding(4) var<storage, read> AM: array<u32>;' : ''}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.total) { return; }
  let c = i % d.C; var t = i / d.C; let w = t % d.W; t = t / d.W; let h = t % d.H; let n = t / d.H;
  var s = 0.0;
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
      ${op === 'max' ? 'if (AM[o] == i) { s += DY[o]; }' : 's += DY[o];'}
    }
  }
  DX[i] = ${op === 'max' ? 's' : 's / f32(d.KH * d.KW)'};
}`;
}

// ---- batch normalization over x viewed as (rows, C) ----
const BN_HEAD = `struct D { rows: u32, C: u32, eps: f32, momentum: f32 }
@group(0) @binding(1) var<uniform> d: D;
var<workgroup> part: array<f32, 64>;
var<workgroup> part2: array<f32, 64>;
fn treeSum(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { part[lid] += part[lid + w]; part2[lid] += part2[lid + w]; }
    workgroupBarrier();
  }
}`;

/** One 64-thread workgroup per channel: mean, then Σ(x − mean)² (two passes for accuracy). */
export function bnStatsWgsl(): string {
  return `${BN_HEAD}
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read_write> INV: array<f32>;
@group(0) @binding(5) var<storage, read_write> RM: array<f32>;
@group(0) @binding(6) var<storage, read_write> RV: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  var s = 0.0;
  for (var r = lid; r < d.rows; r += 64u) { s += X[r * d.C + c]; }
  part[lid] = s; part2[lid] = 0.0;
  workgroupBarrier();
  treeSum(lid);
  let m = part[0] / f32(d.rows);
  workgroupBarrier();
  var q = 0.0;
  for (var r = lid; r < d.rows; r += 64u) { let e = X[r * d.C + c] - m; q += e * e; }
  part[lid] = q;
  workgroupBarrier();
  treeSum(lid);
  if (lid == 0u) {
    let v = part[0] / f32(d.rows);
    MEAN[c] = m;
    INV[c] = 1.0 / sqrt(v + d.eps);
    let unbiased = select(v, v * f32(d.rows) / f32(d.rows - 1u), d.rows > 1u);
    RM[c] = (1.0 - d.momentum) * RM[c] + d.momentum * m;
    RV[c] = (1.0 - d.momentum) * RV[c] + d.momentum * unbiased;
  }
}`;
}

export function bnApplyWgsl(fromVar: boolean): string {
  return `${BN_HEAD.replace(/var<workgroup>[^\n]*\n/g, '').replace(/fn treeSum[\s\S]*$/, '')}
${FLAT_INDEX}
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> MEAN: array<f32>;
@group(0) @binding(4) var<storage, read> S: array<f32>;
@group(0) @binding(5) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(6) var<storage, read> BETA: array<f32>;
@group(0) @binding(7) var<storage, read_write> Y: array<f32>;
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.rows * d.C) { return; }
  let c = i % d.C;
  let s = ${fromVar ? '1.0 / sqrt(S[c] + d.eps)' : 'S[c]'};
  Y[i] = (X[i] - MEAN[c]) * s * GAMMA[c] + BETA[c];
}`;
}

/** Per channel: dbeta = Σ dy, dgamma = Σ dy·x̂ (one workgroup per channel). */
export function bnBackwardSumsWgsl(): string {
  return `${BN_HEAD}
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> MEAN: array<f32>;
@group(0) @binding(5) var<storage, read> INV: array<f32>;
@group(0) @binding(6) var<storage, read_write> DG: array<f32>;
@group(0) @binding(7) var<storage, read_write> DB: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c = wg.x;
  let m = MEAN[c]; let is = INV[c];
  var sb = 0.0; var sg = 0.0;
  for (var r = lid; r < d.rows; r += 64u) { let g = DY[r * d.C + c]; sb += g; sg += g * (X[r * d.C + c] - m) * is; }
  part[lid] = sb; part2[lid] = sg;
  workgroupBarrier();
  treeSum(lid);
  if (lid == 0u) { DB[c] = part[0]; DG[c] = part2[0]; }
}`;
}

/** dx = gamma·invstd·(dy − (dbeta + x̂·dgamma)/rows), element-wise after the sums. */
export function bnBackwardDxWgsl(): string {
  return `${BN_HEAD.replace(/var<workgroup>[^\n]*\n/g, '').replace(/fn treeSum[\s\S]*$/, '')}
${FLAT_INDEX}
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> MEAN: array<f32>;
@group(0) @binding(5) var<storage, read> INV: array<f32>;
@group(0) @binding(6) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(7) var<storage, read> DG: array<f32>;
@group(0) @binding(8) var<storage, read> DB: array<f32>;
@group(0) @binding(9) var<storage, read_write> DX: array<f32>;
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.rows * d.C) { return; }
  let c = i % d.C;
  let is = INV[c];
  let xh = (X[i] - MEAN[c]) * is;
  DX[i] = GAMMA[c] * is * (DY[i] - (DB[c] + xh * DG[c]) / f32(d.rows));
}`;
}

// ---- augmentation ----
/** One thread per output pixel (n, i, j), all channels; the formula of augmentRef in cpu/conv.ts. */
export function augmentWgsl(): string {
  return `${STEP_STRUCT}
struct D { N: u32, H: u32, W: u32, C: u32, salt: u32, flip: u32, p0: u32, p1: u32, rotate: f32, scale: f32, shift: f32, p2: f32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
${FLAT_INDEX}
${HASH}
fn r(n: u32, j: u32) -> f32 { return 2.0 * hashUniform(st.seed, d.salt, 8u * n + j) - 1.0; }
fn at(n: u32, i: i32, j: i32, c: u32) -> f32 {
  if (i < 0 || j < 0 || i >= i32(d.H) || j >= i32(d.W)) { return 0.0; }
  return X[((n * d.H + u32(i)) * d.W + u32(j)) * d.C + c];
}
${ENTRY_1D} {
  let p = flatIndex(wg, nwg, lid);
  if (p >= d.N * d.H * d.W) { return; }
  let j = p % d.W; let i = (p / d.W) % d.H; let n = p / (d.W * d.H);
  let th = r(n, 0u) * d.rotate * 0.017453292519943295;
  // Taylor polynomials instead of cos/sin: WGSL allows those 2^-11 absolute error, which moved
  // pixels by ~1e-3 against the CPU; for |θ| ≤ 45° (validated) these are within 2e-9.
  let t2 = th * th;
  let si = th * (1.0 - t2 / 6.0 * (1.0 - t2 / 20.0 * (1.0 - t2 / 42.0 * (1.0 - t2 / 72.0))));
  let co = 1.0 - t2 / 2.0 * (1.0 - t2 / 12.0 * (1.0 - t2 / 30.0 * (1.0 - t2 / 56.0 * (1.0 - t2 / 90.0))));
  let s = 1.0 + r(n, 1u) * d.scale;
  let tx = r(n, 2u) * d.shift; let ty = r(n, 3u) * d.shift;
  let cx = f32(d.W - 1u) * 0.5; let cy = f32(d.H - 1u) * 0.5;
  let dx = f32(j) - cx - tx; let dy = f32(i) - cy - ty;
  var sx = (co * dx + si * dy) / s + cx;
  let sy = (-si * dx + co * dy) / s + cy;
  if (d.flip == 1u && r(n, 4u) < 0.0) { sx = f32(d.W - 1u) - sx; }
  let x0 = floor(sx); let y0 = floor(sy); let fx = sx - x0; let fy = sy - y0;
  let xi = i32(x0); let yi = i32(y0);
  for (var c = 0u; c < d.C; c++) {
    let v = (1.0 - fy) * ((1.0 - fx) * at(n, yi, xi, c) + fx * at(n, yi, xi + 1, c)) +
            fy * ((1.0 - fx) * at(n, yi + 1, xi, c) + fx * at(n, yi + 1, xi + 1, c));
    Y[p * d.C + c] = v;
  }
}`;
}
