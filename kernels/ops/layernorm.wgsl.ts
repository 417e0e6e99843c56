// Layer normalization over the last axis of x viewed as (rows, C).
// Forward and the dx pass: one 64-thread workgroup per row, strided loads (consecutive threads read
// consecutive columns) and a tree reduction in workgroup memory; the variance is a second pass over
// the row (x − μ)², which cancels less than E[x²] − μ². dgamma/dbeta: one thread per column summing
// over rows, so no float atomics.
import { ENTRY_1D, FLAT_INDEX, STEP_STRUCT } from './common.wgsl.ts';

const HEAD = `${STEP_STRUCT}
struct D { rows: u32, C: u32, eps: f32, p0: u32 }
@group(0) @binding(1) var<uniform> d: D;
var<workgroup> part: array<f32, 64>;
var<workgroup> part2: array<f32, 64>;
fn treeSum2(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { part[lid] += part[lid + w]; part2[lid] += part2[lid + w]; }
    workgroupBarrier();
  }
}`;

// Rows past 65535 workgroups wrap into y (see rowGrid).
const ROW_ENTRY = `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32)`;

/** Workgroups for one per row: [x, y] with x ≤ 65535. */
export function rowGrid(rows: number): [number, number, number] {
  const n = Math.max(1, rows);
  if (n <= 65535) return [n, 1, 1];
  const y = Math.ceil(n / 65535);
  return [Math.ceil(n / y), y, 1];
}

export function layerNormWgsl(): string {
  return `${HEAD}
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(4) var<storage, read> BETA: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;
@group(0) @binding(6) var<storage, read_write> MEAN: array<f32>;
@group(0) @binding(7) var<storage, read_write> RSTD: array<f32>;
${ROW_ENTRY} {
  let r = wg.y * nwg.x + wg.x;
  if (r >= d.rows) { return; }
  let C = d.C; let x0 = r * C;
  var s = 0.0;
  for (var c = lid; c < C; c += 64u) { s += X[x0 + c]; }
  part[lid] = s; part2[lid] = 0.0;
  workgroupBarrier();
  treeSum2(lid);
  let mu = part[0] / f32(C);
  workgroupBarrier(); // everyone has read part[0] before it is reused
  var q = 0.0;
  for (var c = lid; c < C; c += 64u) { let e = X[x0 + c] - mu; q += e * e; }
  part[lid] = q;
  workgroupBarrier();
  treeSum2(lid);
  let rs = 1.0 / sqrt(part[0] / f32(C) + d.eps);
  for (var c = lid; c < C; c += 64u) { Y[x0 + c] = (X[x0 + c] - mu) * rs * GAMMA[c] + BETA[c]; }
  if (lid == 0u) { MEAN[r] = mu; RSTD[r] = rs; }
}`;
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·gamma: both means from one tree pass. */
export function layerNormBackwardDxWgsl(): string {
  return `${HEAD}
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> MEAN: array<f32>;
@group(0) @binding(5) var<storage, read> RSTD: array<f32>;
@group(0) @binding(6) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(7) var<storage, read_write> DX: array<f32>;
${ROW_ENTRY} {
  let r = wg.y * nwg.x + wg.x;
  if (r >= d.rows) { return; }
  let C = d.C; let x0 = r * C;
  let mu = MEAN[r]; let rs = RSTD[r];
  var sg = 0.0; var sgx = 0.0;
  for (var c = lid; c < C; c += 64u) {
    let g = DY[x0 + c] * GAMMA[c];
    sg += g; sgx += g * (X[x0 + c] - mu) * rs;
  }
  part[lid] = sg; part2[lid] = sgx;
  workgroupBarrier();
  treeSum2(lid);
  let mg = part[0] / f32(C); let mgx = part2[0] / f32(C);
  for (var c = lid; c < C; c += 64u) {
    let g = DY[x0 + c] * GAMMA[c];
    DX[x0 + c] = rs * (g - mg - (X[x0 + c] - mu) * rs * mgx);
  }
}`;
}

/** dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy: one thread per column, coalesced across threads. */
export function layerNormBackwardParamsWgsl(): string {
  return `${STEP_STRUCT}
struct D { rows: u32, C: u32, eps: f32, p0: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> MEAN: array<f32>;
@group(0) @binding(5) var<storage, read> RSTD: array<f32>;
@group(0) @binding(6) var<storage, read_write> DGAMMA: array<f32>;
@group(0) @binding(7) var<storage, read_write> DBETA: array<f32>;
${FLAT_INDEX}
${ENTRY_1D} {
  let c = flatIndex(wg, nwg, lid);
  if (c >= d.C) { return; }
  var dg = 0.0; var db = 0.0;
  for (var r = 0u; r < d.rows; r++) {
    let dy = DY[r * d.C + c];
    dg += dy * (X[r * d.C + c] - MEAN[r]) * RSTD[r];
    db += dy;
  }
  DGAMMA[c] = dg; DBETA[c] = db;
}`;
}

// Narrow rows (C ≤ ROW_THREAD_MAX_C): one thread per row, no workgroup memory and no barriers.
// On SwiftShader a barrier costs every invocation of the workgroup a switch, and a 64-thread
// workgroup on a 32-wide row idles half its threads: the workgroup-per-row kernels above took
// 245 ms per LayerNorm of 640×32 rows there, this one a fraction of that (npm run profile).
export const ROW_THREAD_MAX_C = 256;

const ROW_HEAD = `${STEP_STRUCT}
struct D { rows: u32, C: u32, eps: f32, p0: u32 }
@group(0) @binding(1) var<uniform> d: D;
${FLAT_INDEX}`;

export function layerNormRowWgsl(): string {
  return `${ROW_HEAD}
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(4) var<storage, read> BETA: array<f32>;
@group(0) @binding(5) var<storage, read_write> Y: array<f32>;
@group(0) @binding(6) var<storage, read_write> MEAN: array<f32>;
@group(0) @binding(7) var<storage, read_write> RSTD: array<f32>;
${ENTRY_1D} {
  let r = flatIndex(wg, nwg, lid);
  if (r >= d.rows) { return; }
  let C = d.C; let x0 = r * C;
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += X[x0 + c]; }
  let mu = s / f32(C);
  var q = 0.0;
  for (var c = 0u; c < C; c++) { let e = X[x0 + c] - mu; q += e * e; }
  let rs = 1.0 / sqrt(q / f32(C) + d.eps);
  for (var c = 0u; c < C; c++) { Y[x0 + c] = (X[x0 + c] - mu) * rs * GAMMA[c] + BETA[c]; }
  MEAN[r] = mu; RSTD[r] = rs;
}`;
}

export function layerNormBackwardDxRowWgsl(): string {
  return `${ROW_HEAD}
@group(0) @binding(2) var<storage, read> DY: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> MEAN: array<f32>;
@group(0) @binding(5) var<storage, read> RSTD: array<f32>;
@group(0) @binding(6) var<storage, read> GAMMA: array<f32>;
@group(0) @binding(7) var<storage, read_write> DX: array<f32>;
${ENTRY_1D} {
  let r = flatIndex(wg, nwg, lid);
  if (r >= d.rows) { return; }
  let C = d.C; let x0 = r * C;
  let mu = MEAN[r]; let rs = RSTD[r];
  var sg = 0.0; var sgx = 0.0;
  for (var c = 0u; c < C; c++) {
    let g = DY[x0 + c] * GAMMA[c];
    sg += g; sgx += g * (X[x0 + c] - mu) * rs;
  }
  let mg = sg / f32(C); let mgx = sgx / f32(C);
  for (var c = 0u; c < C; c++) {
    let g = DY[x0 + c] * GAMMA[c];
    DX[x0 + c] = rs * (g - mg - (X[x0 + c] - mu) * rs * mgx);
  }
}`;
}
