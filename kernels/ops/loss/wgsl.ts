// Losses fused with their gradient and the metrics accumulation, in one workgroup of 256 threads:
// each thread takes rows lid, lid+256, …; sums go through a fixed tree so results are deterministic.
// metrics: [Σ loss, Σ correct, rows (counted tokens), non-finite rows, …], accumulated across steps until read.
import { read, rw, shader, type Shader } from '../bindings.ts';

const TREE = `
  ps[lid] = vec4<f32>(lossSum, correct, 0.0, bad);
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid < w) { ps[lid] += ps[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let t = ps[0];
    MET[0] += t.x; MET[1] += t.y; MET[2] += f32(rows); MET[3] += t.w;
  }`;

export function mseWgsl(withGrad: boolean): Shader {
  return shader([read('P'), read('T'), rw('MET'), withGrad && rw('DP')], `struct D { B: u32, C: u32, p0: u32, p1: u32 }
var<workgroup> ps: array<vec4<f32>, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let rows = min(st.rows, d.B);
  var lossSum = 0.0; let correct = 0.0; var bad = 0.0;
  for (var r = lid; r < d.B; r += 256u) {
    var rowLoss = 0.0;
    for (var c = 0u; c < d.C; c++) {
      let i = r * d.C + c;
      let e = select(0.0, P[i] - T[i], r < rows);
      rowLoss += e * e;
      ${withGrad ? 'DP[i] = 2.0 * e / f32(rows * d.C);' : ''}
    }
    if (r < rows) {
      if (!(abs(rowLoss) <= 3.40282e38)) { bad += 1.0; }
      lossSum += rowLoss / f32(d.C);
    }
  }
  ${TREE}
}`);
}

/**
 * Softmax cross-entropy over logits (B, T, V) with labels (B, T): one kernel for classification
 * (T = 1, softmaxCrossEntropy) and sequences (per token). Label IGNORE (0xffffffff) marks positions
 * that do not count. One workgroup: phase 1 counts the counted tokens of the first `rows` sequences
 * (the loss is their mean), phase 2 writes dlogits and the metrics [Σ loss, Σ correct tokens,
 * counted tokens, non-finite], with `seqMetrics` also [Σ correct sequences, sequences] in [4], [5].
 */
export function crossEntropyWgsl(withGrad: boolean, seqMetrics: boolean): Shader {
  return shader([read('L'), read('Y', 'array<u32>'), rw('MET'), withGrad && rw('DL')], `struct D { B: u32, T: u32, V: u32, p: u32 }
var<workgroup> ps: array<vec4<f32>, 256>;
var<workgroup> qs: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let rows = min(st.rows, d.B);
  var cnt = 0.0;
  for (var b = lid; b < rows; b += 256u) {
    for (var t = 0u; t < d.T; t++) { if (Y[b * d.T + t] != 0xffffffffu) { cnt += 1.0; } }
  }
  qs[lid] = cnt;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid < w) { qs[lid] += qs[lid + w]; }
    workgroupBarrier();
  }
  let total = max(qs[0], 1.0);
  var lossSum = 0.0; var correct = 0.0; var bad = 0.0; var seqOk = 0.0;
  for (var b = lid; b < d.B; b += 256u) {
    var allOk = true;
    for (var t = 0u; t < d.T; t++) {
      let base = (b * d.T + t) * d.V;
      let label = Y[b * d.T + t];
      if (b >= rows || label == 0xffffffffu) {
        ${withGrad ? 'for (var c = 0u; c < d.V; c++) { DL[base + c] = 0.0; }' : ''}
        continue;
      }
      var mx = L[base]; var arg = 0u;
      for (var c = 1u; c < d.V; c++) { let v = L[base + c]; if (v > mx) { mx = v; arg = c; } }
      var s = 0.0;
      for (var c = 0u; c < d.V; c++) { s += exp(L[base + c] - mx); }
      let loss = log(s) + mx - L[base + min(label, d.V - 1u)]; // a label past V (bad data) stays in its row, as in rows.wgsl.ts
      if (!(abs(loss) <= 3.40282e38)) { bad += 1.0; }
      lossSum += loss;
      if (arg == label) { correct += 1.0; } else { allOk = false; }
      ${withGrad ? `for (var c = 0u; c < d.V; c++) {
        DL[base + c] = (exp(L[base + c] - mx) / s - select(0.0, 1.0, c == label)) / total;
      }` : ''}
    }
    if (b < rows && allOk) { seqOk += 1.0; }
  }
  ps[lid] = vec4<f32>(lossSum, correct, seqOk, bad);
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid < w) { ps[lid] += ps[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let t = ps[0];
    MET[0] += t.x; MET[1] += t.y; MET[2] += qs[0]; MET[3] += t.w;${seqMetrics ? ' MET[4] += t.z; MET[5] += f32(rows);' : ''}
  }
}`);
}
