// Batch normalization kernels over x viewed as (rows, C): statistics, apply, and the backward.
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

// ---- batch normalization over x viewed as (rows, C) ----
const BN_HEAD = `struct D { rows: u32, C: u32, eps: f32, momentum: f32 }
var<workgroup> part: array<f32, 64>;
var<workgroup> part2: array<f32, 64>;
fn treeSum(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { part[lid] += part[lid + w]; part2[lid] += part2[lid + w]; }
    workgroupBarrier();
  }
}`;

/** One 64-thread workgroup per channel: mean, then Σ(x − mean)² (two passes for accuracy). */
export function bnStatsWgsl(): Shader {
  return shader([read('X'), rw('MEAN'), rw('INV'), rw('RM'), rw('RV')], `${BN_HEAD}
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
}`);
}

export function bnApplyWgsl(fromVar: boolean): Shader {
  return shader([read('X'), read('MEAN'), read('S'), read('GAMMA'), read('BETA'), rw('Y')], `${BN_HEAD.replace(/var<workgroup>[^\n]*\n/g, '').replace(/fn treeSum[\s\S]*$/, '')}
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.rows * d.C) { return; }
  let c = i % d.C;
  let s = ${fromVar ? '1.0 / sqrt(S[c] + d.eps)' : 'S[c]'};
  Y[i] = (X[i] - MEAN[c]) * s * GAMMA[c] + BETA[c];
}`);
}

/** Per channel: dbeta = Σ dy, dgamma = Σ dy·x̂ (one workgroup per channel). */
export function bnBackwardSumsWgsl(): Shader {
  return shader([read('DY'), read('X'), read('MEAN'), read('INV'), rw('DG'), rw('DB')], `${BN_HEAD}
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
}`);
}

/** dx = gamma·invstd·(dy − (dbeta + x̂·dgamma)/rows), element-wise after the sums. */
export function bnBackwardDxWgsl(): Shader {
  return shader([read('DY'), read('X'), read('MEAN'), read('INV'), read('GAMMA'), read('DG'), read('DB'), rw('DX')], `${BN_HEAD.replace(/var<workgroup>[^\n]*\n/g, '').replace(/fn treeSum[\s\S]*$/, '')}
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.rows * d.C) { return; }
  let c = i % d.C;
  let is = INV[c];
  let xh = (X[i] - MEAN[c]) * is;
  DX[i] = GAMMA[c] * is * (DY[i] - (DB[c] + xh * DG[c]) / f32(d.rows));
}`);
}
