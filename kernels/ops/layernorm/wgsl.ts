// Layer normalization over the last axis of x viewed as (rows, C).
// Forward and the dx pass: one 64-thread workgroup per row, strided loads (consecutive threads read
// consecutive columns) and a tree reduction in workgroup memory; the variance is a second pass over
// the row (x − μ)², which cancels less than E[x²] − μ². dgamma/dbeta: one thread per column summing
// over rows, so no float atomics. Hardware GPUs get the multi-row / row-lane forms at the end.
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

const HEAD = `struct D { rows: u32, C: u32, eps: f32, p0: u32 }
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

export function layerNormWgsl(): Shader {
  return shader([read('X'), read('GAMMA'), read('BETA'), rw('Y'), rw('MEAN'), rw('RSTD')], `${HEAD}
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
}`);
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·gamma: both means from one tree pass. */
export function layerNormBackwardDxWgsl(): Shader {
  return shader([read('DY'), read('X'), read('MEAN'), read('RSTD'), read('GAMMA'), rw('DX')], `${HEAD}
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
}`);
}

/** Uniforms and bindings of both dgamma/dbeta kernels. */
const PARAMS_DIMS = 'struct D { rows: u32, C: u32, eps: f32, p0: u32 }';
const PARAMS_BINDINGS = [read('DY'), read('X'), read('MEAN'), read('RSTD'), rw('DGAMMA'), rw('DBETA')];

/** dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy: one thread per column, coalesced across threads. */
export function layerNormBackwardParamsWgsl(): Shader {
  return shader(PARAMS_BINDINGS, `${PARAMS_DIMS}
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
}`);
}

// Narrow rows (C ≤ ROW_THREAD_MAX_C): one thread per row, no workgroup memory and no barriers.
// On SwiftShader a barrier costs every invocation of the workgroup a switch, and a 64-thread
// workgroup on a 32-wide row idles half its threads: the workgroup-per-row kernels above took
// 245 ms per LayerNorm of 640×32 rows there, this one a fraction of that (npm run profile).
export const ROW_THREAD_MAX_C = 256;

const ROW_HEAD = `struct D { rows: u32, C: u32, eps: f32, p0: u32 }
${FLAT_INDEX}`;

export function layerNormRowWgsl(): Shader {
  return shader([read('X'), read('GAMMA'), read('BETA'), rw('Y'), rw('MEAN'), rw('RSTD')], `${ROW_HEAD}
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
}`);
}

export function layerNormBackwardDxRowWgsl(): Shader {
  return shader([read('DY'), read('X'), read('MEAN'), read('RSTD'), read('GAMMA'), rw('DX')], `${ROW_HEAD}
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
}`);
}

// ---- Hardware-GPU forms (GpuBackend.hw) ----
// One thread per row leaves a 1,024-row LayerNorm with 4 workgroups and a 3·C-long serial chain,
// and the dgamma/dbeta pass with C threads each walking every row (~200 µs on an H100 at
// 1,024×64). These split rows or columns across 256-thread workgroups and reduce in workgroup
// memory; barriers sit in uniform control flow (out-of-range threads stay to the end).

/**
 * Threads per row of the hardware forward and dx kernels (a power of two ≤ 256): 32 up to C = 128,
 * 64 above (H100, 1,024 rows: C = 64 takes ~11 µs at 16–128, C = 256 13.5 µs at 32, 11.9 at 64).
 */
export function hwTpr(C: number): number {
  return C > 128 ? 64 : 32;
}

// Bindings, then the entry up to the row setup: thread t of its row's TPR, slot 0 of the row at
// base; rows past the end get C = 0 (no loads or stores) but still meet every barrier.
const HW_HEAD = (tpr: number) => `struct D { rows: u32, C: u32, eps: f32, p0: u32 }
var<workgroup> pa: array<f32, 256>;
var<workgroup> pb: array<f32, 256>;
const TPR = ${tpr}u;
// Sums pa and pb over each row's TPR slots; the total lands in slot 0 of the row.
fn rowSum2(t: u32, lid: u32) {
  for (var w = TPR / 2u; w > 0u; w >>= 1u) {
    if (t < w) { pa[lid] += pa[lid + w]; pb[lid] += pb[lid + w]; }
    workgroupBarrier();
  }
}
${ROW_ENTRY.replace('workgroup_size(64)', 'workgroup_size(256)')} {
  let t = lid % TPR; let base = lid - t;
  let r = (wg.y * nwg.x + wg.x) * (256u / TPR) + lid / TPR;
  let ok = r < d.rows;
  let C = select(0u, d.C, ok); let x0 = r * d.C;`;

/** Workgroups of the hardware forward/dx kernels: 256/tpr rows each. */
export function hwRowGrid(rows: number, tpr: number): [number, number, number] {
  return rowGrid(Math.ceil(rows / (256 / tpr)));
}

/** LayerNorm forward, tpr threads per row (strided columns), 256/tpr rows per workgroup. */
export function layerNormHwWgsl(tpr: number): Shader {
  return shader([read('X'), read('GAMMA'), read('BETA'), rw('Y'), rw('MEAN'), rw('RSTD')], `${HW_HEAD(tpr)}
  var s = 0.0;
  for (var c = t; c < C; c += TPR) { s += X[x0 + c]; }
  pa[lid] = s; pb[lid] = 0.0;
  workgroupBarrier();
  rowSum2(t, lid);
  let mu = pa[base] / f32(d.C);
  workgroupBarrier(); // every row has read its slot 0 before pa is reused
  var q = 0.0;
  for (var c = t; c < C; c += TPR) { let e = X[x0 + c] - mu; q += e * e; }
  pa[lid] = q;
  workgroupBarrier();
  rowSum2(t, lid);
  let rs = 1.0 / sqrt(pa[base] / f32(d.C) + d.eps);
  for (var c = t; c < C; c += TPR) { Y[x0 + c] = (X[x0 + c] - mu) * rs * GAMMA[c] + BETA[c]; }
  if (ok && t == 0u) { MEAN[r] = mu; RSTD[r] = rs; }
}`);
}

/** LayerNorm dx, same layout as layerNormHwWgsl: both row means from one tree pass. */
export function layerNormBackwardDxHwWgsl(tpr: number): Shader {
  return shader([read('DY'), read('X'), read('MEAN'), read('RSTD'), read('GAMMA'), rw('DX')], `${HW_HEAD(tpr)}
  let ri = min(r, max(d.rows, 1u) - 1u); // rows past the end read the last row's and write nothing
  let mu = MEAN[ri]; let rs = RSTD[ri];
  var sg = 0.0; var sgx = 0.0;
  for (var c = t; c < C; c += TPR) {
    let g = DY[x0 + c] * GAMMA[c];
    sg += g; sgx += g * (X[x0 + c] - mu) * rs;
  }
  pa[lid] = sg; pb[lid] = sgx;
  workgroupBarrier();
  rowSum2(t, lid);
  let mg = pa[base] / f32(d.C); let mgx = pb[base] / f32(d.C);
  for (var c = t; c < C; c += TPR) {
    let g = DY[x0 + c] * GAMMA[c];
    DX[x0 + c] = rs * (g - mg - (X[x0 + c] - mu) * rs * mgx);
  }
}`);
}

/**
 * Columns per workgroup of the hardware dgamma/dbeta kernel (256/cols row lanes): 4 up to C = 256,
 * 8 above (H100: 1,024×64 11 µs at 4 or 8, 16,384×64 29 µs at 4, 43 at 8; 2,048×768 17 at 4, 15 at 8).
 */
export function hwParamCols(C: number): number {
  return C > 256 ? 8 : 4;
}

/** Workgroups of the hardware dgamma/dbeta kernel. */
export function hwParamGrid(C: number, cols: number): [number, number, number] {
  return rowGrid(Math.ceil(C / cols));
}

/**
 * dgamma/dbeta: a workgroup per block of `cols` columns, 256/cols lanes each summing every
 * lanes-th row, then a tree over lanes in workgroup memory. Overwrites, as the row-thread form.
 */
export function layerNormBackwardParamsHwWgsl(cols: number): Shader {
  return shader(PARAMS_BINDINGS, `${PARAMS_DIMS}
var<workgroup> pa: array<f32, 256>;
var<workgroup> pb: array<f32, 256>;
const COLS = ${cols}u;
const LANES = ${256 / cols}u;
${ROW_ENTRY.replace('workgroup_size(64)', 'workgroup_size(256)')} {
  let lane = lid / COLS;
  let c = (wg.y * nwg.x + wg.x) * COLS + lid % COLS;
  let ok = c < d.C;
  let rows = select(0u, d.rows, ok);
  var dg = 0.0; var db = 0.0;
  var r = lane;
  // Four rows per trip: their loads are independent, so they overlap instead of queueing
  // (without it 16,384×64 took twice as long on an H100).
  for (; r + 3u * LANES < rows; r += 4u * LANES) {
    let r1 = r + LANES; let r2 = r1 + LANES; let r3 = r2 + LANES;
    let y0 = DY[r * d.C + c]; let y1 = DY[r1 * d.C + c]; let y2 = DY[r2 * d.C + c]; let y3 = DY[r3 * d.C + c];
    let h0 = (X[r * d.C + c] - MEAN[r]) * RSTD[r]; let h1 = (X[r1 * d.C + c] - MEAN[r1]) * RSTD[r1];
    let h2 = (X[r2 * d.C + c] - MEAN[r2]) * RSTD[r2]; let h3 = (X[r3 * d.C + c] - MEAN[r3]) * RSTD[r3];
    dg += (y0 * h0 + y1 * h1) + (y2 * h2 + y3 * h3);
    db += (y0 + y1) + (y2 + y3);
  }
  for (; r < rows; r += LANES) {
    let dy = DY[r * d.C + c];
    dg += dy * (X[r * d.C + c] - MEAN[r]) * RSTD[r];
    db += dy;
  }
  pa[lid] = dg; pb[lid] = db;
  workgroupBarrier();
  for (var w = LANES / 2u; w > 0u; w >>= 1u) {
    if (lane < w) { pa[lid] += pa[lid + w * COLS]; pb[lid] += pb[lid + w * COLS]; }
    workgroupBarrier();
  }
  if (ok && lane == 0u) { DGAMMA[c] = pa[lid]; DBETA[c] = pb[lid]; }
}`);
}
