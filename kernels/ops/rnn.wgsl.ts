// Recurrent layers, embeddings and the sequence data path in WGSL.
//
// Recurrent cells (LSTM, GRU, tanh RNN) run one dispatch per timestep: the input projection
// xp = x·W_ih + b_ih of all timesteps was done before by one GEMM, so a step only adds the
// recurrent matmul h_{t-1}·W_hh + b_hh, applies the gates and updates the cell. One thread per
// (batch row b, hidden unit j) computes every gate of unit j, so no thread needs another's result
// within a step. Backward through time is one dispatch per step in reverse; the weight gradients
// are GEMMs over all T·B rows afterwards (see autodiff/graph.ts).
//
// Layouts (batch-major, like the layer input x (B, T, I)):
//   xp, dgx, dgh (B, T, G·H), gate column g·H + j; W_hh (H, G·H) so that hp = h · W_hh
//   hseq, hprev, cseq (B, T, H); gates (B, T, 4·H); hlast, carry (B, H)
// PyTorch gate order: LSTM i, f, g, o; GRU r, z, n. `gates` keeps the activations the backward
// needs (LSTM i, f, g, o; GRU r, z, n, W_hn h + b_hn) — and the visualisation reads them for free.
import type { CellKind } from '../backend.ts';
import { ENTRY_1D, FLAT_INDEX, MATH, STEP_STRUCT } from './common.wgsl.ts';

const DIMS = `struct D { B: u32, T: u32, H: u32, t: u32, seqOut: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(1) var<uniform> d: D;`;

/** Number of gate blocks of H columns in W_ih / W_hh. */
export function gateCount(cell: CellKind): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

export function recurrentStepWgsl(cell: CellKind): string {
  const G = gateCount(cell);
  // hp_g = b_hh[g·H + j] + Σ_k h_{t-1}[k] · W_hh[k, g·H + j] for the G gates of unit j.
  // One scalar accumulator per gate, unrolled: SwiftShader spills dynamically indexed private arrays.
  const gs = Array.from({ length: G }, (_, g) => g);
  const rec = `
  ${gs.map((g) => `var hp${g} = BHH[${g}u * H + j];`).join(' ')}
  if (t > 0u) {
    let hb = (b * d.T + t - 1u) * H;
    for (var k = 0u; k < H; k++) {
      let hk = HSEQ[hb + k];
      let wk = k * GH + j;
      ${gs.map((g) => `hp${g} += hk * WHH[wk + ${g}u * H];`).join(' ')}
    }
  }
  let xb = (b * d.T + t) * GH;`;
  let body: string;
  if (cell === 'lstm') {
    body = `
  let i = sigmoid_(XP[xb + j] + hp0);
  let f = sigmoid_(XP[xb + H + j] + hp1);
  let gg = tanh_(XP[xb + 2u * H + j] + hp2);
  let o = sigmoid_(XP[xb + 3u * H + j] + hp3);
  var cprev = 0.0;
  if (t > 0u) { cprev = CSEQ[row - H + j]; }
  let c = f * cprev + i * gg;
  let h = o * tanh_(c);
  CSEQ[row + j] = c;
  let gb = (b * d.T + t) * 4u * H;
  GATES[gb + j] = i; GATES[gb + H + j] = f; GATES[gb + 2u * H + j] = gg; GATES[gb + 3u * H + j] = o;`;
  } else if (cell === 'gru') {
    body = `
  let r = sigmoid_(XP[xb + j] + hp0);
  let z = sigmoid_(XP[xb + H + j] + hp1);
  let n = tanh_(XP[xb + 2u * H + j] + r * hp2);
  var hprev = 0.0;
  if (t > 0u) { hprev = HSEQ[row - H + j]; }
  let h = (1.0 - z) * n + z * hprev;
  let gb = (b * d.T + t) * 4u * H;
  GATES[gb + j] = r; GATES[gb + H + j] = z; GATES[gb + 2u * H + j] = n; GATES[gb + 3u * H + j] = hp2;`;
  } else {
    body = `
  let h = tanh_(XP[xb + j] + hp0);`;
  }
  return `${STEP_STRUCT}
${DIMS}
@group(0) @binding(2) var<storage, read> XP: array<f32>;
@group(0) @binding(3) var<storage, read> WHH: array<f32>;
@group(0) @binding(4) var<storage, read> BHH: array<f32>;
@group(0) @binding(5) var<storage, read_write> HSEQ: array<f32>;
@group(0) @binding(6) var<storage, read_write> HPREV: array<f32>;
@group(0) @binding(7) var<storage, read_write> CSEQ: array<f32>;
@group(0) @binding(8) var<storage, read_write> GATES: array<f32>;
@group(0) @binding(9) var<storage, read_write> HLAST: array<f32>;
${FLAT_INDEX}
${MATH}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H; let GH = ${G}u * H; let t = d.t;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let row = (b * d.T + t) * H; // (b, t, 0) of the (B, T, H) buffers
  ${rec}
  ${body}
  HSEQ[row + j] = h;
  // hprev (b, t+1) = h_t, and (b, 0) = 0: the rows of the dW_hh GEMM line up with dgh.
  if (t == 0u) { HPREV[row + j] = 0.0; }
  if (t + 1u < d.T) { HPREV[row + H + j] = h; }
  if (t + 1u == d.T) { HLAST[b * H + j] = h; }
}`;
}

export function recurrentStepBackwardWgsl(cell: CellKind): string {
  const G = gateCount(cell);
  // dh_t = upstream + carried direct path + Σ_k dgh[b, t+1, k] · W_hh[j, k] (recurrent path), read from W_hhᵀ.
  const dh = `
  var dh = 0.0;
  if (d.seqOut == 1u) { dh = DOUT[row + j]; } else if (t + 1u == d.T) { dh = DOUT[b * H + j]; }
  var carried = 0.0;
  if (t + 1u < d.T) {
    carried = CARRY[b * H + j];
    let nb = (b * d.T + t + 1u) * GH;
    for (var k = 0u; k < GH; k++) { dh += DGH[nb + k] * WHHT[k * H + j]; }
  }
  let gb = (b * d.T + t) * 4u * H;
  let ob = (b * d.T + t) * GH;`;
  let body: string;
  if (cell === 'lstm') {
    body = `
  let i = GATES[gb + j]; let f = GATES[gb + H + j]; let gg = GATES[gb + 2u * H + j]; let o = GATES[gb + 3u * H + j];
  let c = CSEQ[row + j];
  var cprev = 0.0;
  if (t > 0u) { cprev = CSEQ[row - H + j]; }
  let tc = tanh_(c);
  let dc = carried + dh * o * (1.0 - tc * tc);
  let di = dc * gg * i * (1.0 - i);
  let df = dc * cprev * f * (1.0 - f);
  let dg = dc * i * (1.0 - gg * gg);
  let dO = dh * tc * o * (1.0 - o);
  DGX[ob + j] = di; DGX[ob + H + j] = df; DGX[ob + 2u * H + j] = dg; DGX[ob + 3u * H + j] = dO;
  DGH[ob + j] = di; DGH[ob + H + j] = df; DGH[ob + 2u * H + j] = dg; DGH[ob + 3u * H + j] = dO;
  CARRY[b * H + j] = dc * f;`;
  } else if (cell === 'gru') {
    body = `
  let r = GATES[gb + j]; let z = GATES[gb + H + j]; let n = GATES[gb + 2u * H + j]; let hn = GATES[gb + 3u * H + j];
  var hprev = 0.0;
  if (t > 0u) { hprev = HSEQ[row - H + j]; }
  dh += carried;
  let dnp = dh * (1.0 - z) * (1.0 - n * n);
  let dr = dnp * hn * r * (1.0 - r);
  let dz = dh * (hprev - n) * z * (1.0 - z);
  DGX[ob + j] = dr; DGX[ob + H + j] = dz; DGX[ob + 2u * H + j] = dnp;
  DGH[ob + j] = dr; DGH[ob + H + j] = dz; DGH[ob + 2u * H + j] = dnp * r;
  CARRY[b * H + j] = dh * z;`;
  } else {
    body = `
  let h = HSEQ[row + j];
  let dp = dh * (1.0 - h * h);
  DGX[ob + j] = dp; DGH[ob + j] = dp;
  _ = carried;`;
  }
  return `${STEP_STRUCT}
${DIMS}
@group(0) @binding(2) var<storage, read> WHHT: array<f32>;
@group(0) @binding(3) var<storage, read> HSEQ: array<f32>;
@group(0) @binding(4) var<storage, read> CSEQ: array<f32>;
@group(0) @binding(5) var<storage, read> GATES: array<f32>;
@group(0) @binding(6) var<storage, read> DOUT: array<f32>;
@group(0) @binding(7) var<storage, read_write> DGX: array<f32>;
@group(0) @binding(8) var<storage, read_write> DGH: array<f32>;
@group(0) @binding(9) var<storage, read_write> CARRY: array<f32>;
${FLAT_INDEX}
${MATH}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H; let GH = ${G}u * H; let t = d.t;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let row = (b * d.T + t) * H;
  ${dh}
  ${body}
}`;
}

/** out (N, D) = table[ids[n]]; ids are f32 token ids (the model input is one f32 tensor); out-of-range ids give zeros. */
export function embeddingWgsl(): string {
  return `struct D { N: u32, V: u32, D: u32, acc: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> IDS: array<f32>;
@group(0) @binding(3) var<storage, read> TABLE: array<f32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<f32>;
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.N * d.D) { return; }
  let n = i / d.D; let k = i % d.D;
  let id = IDS[n];
  var v = 0.0;
  if (id >= 0.0 && u32(id) < d.V) { v = TABLE[u32(id) * d.D + k]; }
  OUT[i] = v;
}`;
}

/**
 * dtable (V, D): one thread per (row v, feature k) scans all N ids and sums dout[n, k] where
 * ids[n] = v. No float atomics in WGSL, so no scatter; cost N per thread, fine for toy vocabularies.
 */
export function embeddingBackwardWgsl(): string {
  return `struct D { N: u32, V: u32, D: u32, acc: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> IDS: array<f32>;
@group(0) @binding(3) var<storage, read> DOUT: array<f32>;
@group(0) @binding(4) var<storage, read_write> DTABLE: array<f32>;
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.V * d.D) { return; }
  let v = f32(i / d.D); let k = i % d.D;
  var s = 0.0;
  for (var n = 0u; n < d.N; n++) { if (IDS[n] == v) { s += DOUT[n * d.D + k]; } }
  if (d.acc == 1u) { s += DTABLE[i]; }
  DTABLE[i] = s;
}`;
}

/** out (B, L) = src row indices[batchStart + r] (clamped to the last index); a bit copy (f32 or u32). */
export function gatherRowsWgsl(): string {
  return `${STEP_STRUCT}
struct D { B: u32, L: u32, nIdx: u32, p: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> SRC: array<u32>;
@group(0) @binding(3) var<storage, read> IX: array<u32>;
@group(0) @binding(4) var<storage, read_write> OUT: array<u32>;
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.B * d.L) { return; }
  let r = i / d.L; let j = i % d.L;
  OUT[i] = SRC[IX[min(st.batchStart + r, d.nIdx - 1u)] * d.L + j];
}`;
}

/**
 * Per-token softmax cross-entropy over logits (B, T, V) with labels (B, T); label IGNORE
 * (0xffffffff) marks positions that do not count. One workgroup: phase 1 counts the counted tokens
 * of the first `rows` sequences (the loss is their mean), phase 2 writes dlogits and the metrics
 * [Σ loss, Σ correct tokens, counted tokens, non-finite, Σ correct sequences, sequences].
 */
export function sequenceCeWgsl(withGrad: boolean): string {
  return `${STEP_STRUCT}
struct D { B: u32, T: u32, V: u32, p: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> L: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<u32>;
@group(0) @binding(4) var<storage, read_write> MET: array<f32>;
${withGrad ? '@group(0) @binding(5) var<storage, read_write> DL: array<f32>;' : ''}
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
      let loss = log(s) + mx - L[base + label];
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
    MET[0] += t.x; MET[1] += t.y; MET[2] += qs[0]; MET[3] += t.w; MET[4] += t.z; MET[5] += f32(rows);
  }
}`;
}
