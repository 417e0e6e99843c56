// Softmax cross-entropy in parallel over token rows, for hardware GPUs and sequence models.
// crossEntropyWgsl (wgsl.ts) runs in one workgroup whose threads each own whole sequences: for a
// character model (B 64, T 32, V ~100) that is 64 busy threads each walking 32 tokens × 4 passes
// over V, in series, on one compute unit. Here three chained passes instead:
//   count: one workgroup counts the counted tokens of the first `rows` sequences (the mean's divisor);
//   rows:  a workgroup of CE_WG threads per token row: max/argmax and Σexp as tree reductions in
//          workgroup memory, then dlogits written in parallel over V, and the row's
//          [loss, correct, non-finite, wrong] into a scratch;
//   finish: one workgroup sums the rows' stats per sequence (a sequence is right when no token
//          is wrong) and adds [Σ loss, Σ correct, counted, non-finite, Σ correct sequences,
//          sequences] into the metrics. No float atomics; sums in a fixed order (deterministic).
import { read, rw, shader, type Shader } from '../bindings.ts';

/** Threads per token row. */
export const CE_WG = 64;

const DIMS = 'struct D { B: u32, T: u32, V: u32, p: u32 }';
const IGNORE = '0xffffffffu';

const TREE_SUM = (arr: string, n: number) => `for (var w = ${n / 2}u; w > 0u; w >>= 1u) {
    if (lid < w) { ${arr}[lid] += ${arr}[lid + w]; }
    workgroupBarrier();
  }`;

export function ceCountWgsl(): Shader {
  return shader([read('Y', 'array<u32>'), rw('CNT')], `${DIMS}
var<workgroup> qs: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = min(st.rows, d.B) * d.T;
  var cnt = 0.0;
  for (var i = lid; i < n; i += 256u) { if (Y[i] != ${IGNORE}) { cnt += 1.0; } }
  qs[lid] = cnt;
  workgroupBarrier();
  ${TREE_SUM('qs', 256)}
  if (lid == 0u) { CNT[0] = qs[0]; }
}`);
}

export function ceRowsWgsl(withGrad: boolean): Shader {
  return shader([read('L'), read('Y', 'array<u32>'), read('CNT'), rw('ROWS', 'array<vec4<f32>>'), withGrad && rw('DL')], `${DIMS}
var<workgroup> mxs: array<f32, ${CE_WG}>;
var<workgroup> args: array<u32, ${CE_WG}>;
var<workgroup> ss: array<f32, ${CE_WG}>;
@compute @workgroup_size(${CE_WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.y * nwg.x + wg.x; // the token row (b, t); uniform across the workgroup
  if (r >= d.B * d.T) { return; }
  let base = r * d.V;
  let label = Y[r];
  let skip = r / d.T >= min(st.rows, d.B) || label == ${IGNORE};
  // max and its first index: each thread its strided share, then a tree keeping the lower index on ties
  var mx = -3.40282e38; var arg = 0u;
  for (var c = lid; c < d.V; c += ${CE_WG}u) { let v = L[base + c]; if (v > mx) { mx = v; arg = c; } }
  mxs[lid] = mx; args[lid] = arg;
  workgroupBarrier();
  for (var w = ${CE_WG / 2}u; w > 0u; w >>= 1u) {
    if (lid < w) {
      let m2 = mxs[lid + w]; let a2 = args[lid + w];
      if (m2 > mxs[lid] || (m2 == mxs[lid] && a2 < args[lid])) { mxs[lid] = m2; args[lid] = a2; }
    }
    workgroupBarrier();
  }
  let gmx = mxs[0];
  var s = 0.0;
  for (var c = lid; c < d.V; c += ${CE_WG}u) { s += exp(L[base + c] - gmx); }
  ss[lid] = s;
  workgroupBarrier();
  ${TREE_SUM('ss', CE_WG)}
  let S = ss[0];
  ${withGrad ? `let inv = 1.0 / max(CNT[0], 1.0);
  for (var c = lid; c < d.V; c += ${CE_WG}u) {
    DL[base + c] = select((exp(L[base + c] - gmx) / S - select(0.0, 1.0, c == label)) * inv, 0.0, skip);
  }` : ''}
  if (lid == 0u) {
    if (skip) { ROWS[r] = vec4<f32>(0.0); return; }
    let loss = log(S) + gmx - L[base + min(label, d.V - 1u)];
    let ok = select(0.0, 1.0, args[0] == label);
    ROWS[r] = vec4<f32>(loss, ok, select(1.0, 0.0, abs(loss) <= 3.40282e38), 1.0 - ok);
  }
}`);
}

export function ceFinishWgsl(seqMetrics: boolean): Shader {
  return shader([read('ROWS', 'array<vec4<f32>>'), read('CNT'), rw('MET')], `${DIMS}
var<workgroup> ps: array<vec4<f32>, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let rows = min(st.rows, d.B);
  var acc = vec4<f32>(0.0); // Σ loss, Σ correct, Σ correct sequences, Σ non-finite
  for (var b = lid; b < rows; b += 256u) {
    var wrong = 0.0;
    for (var t = 0u; t < d.T; t++) {
      let q = ROWS[b * d.T + t];
      acc += vec4<f32>(q.x, q.y, 0.0, q.z);
      wrong += q.w;
    }
    if (wrong == 0.0) { acc.z += 1.0; }
  }
  ps[lid] = acc;
  workgroupBarrier();
  ${TREE_SUM('ps', 256)}
  if (lid == 0u) {
    let t = ps[0];
    MET[0] += t.x; MET[1] += t.y; MET[2] += CNT[0]; MET[3] += t.w;${seqMetrics ? ' MET[4] += t.z; MET[5] += f32(rows);' : ''}
  }
}`);
}
