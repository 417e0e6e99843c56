// Recurrent layers in WGSL: the step kernels. Up to H = 256 the layers run the whole sequence in one
// dispatch each way (seq.wgsl.ts), from the cell code below; these per-step kernels remain for larger H.
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
//
// Initial state (h0, c0 (B, H)) without a ninth storage binding (8 is WebGPU's default
// maxStorageBuffersPerShaderStage, and the step kernels already use 8). Step t reads h_{t-1} from
// hprev (b, t) — step t-1 wrote it there, and the dW_hh GEMM needs it there anyway — so a small
// "step −1" dispatch copies h0 into hprev (b, 0) and c0 into cseq (b, 0) before step 0. Each
// thread (b, j) of step 0 reads c_{-1} from its own cseq slot before writing c_0 there, so that
// reuse needs no barrier. The backward's t = 0 needs h_{-1} (GRU) or c_{-1} (LSTM) again: the GRU
// reads hprev instead of hseq, the LSTM binds c0 in the slot its backward does not otherwise use.
// dh0 sums dgh[b, 0, k] over all k, which different threads of backward step 0 write, so it is a
// dispatch of its own after step 0 ("backward step −1"); dc0 is the LSTM's carry dc_0·f_0.
import type { CellKind, RecurrentBuffers } from '../../backend.ts';
import { CELL } from '../../backend.ts';
import { ENTRY_1D, FLAT_INDEX, MATH } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

// init: 1 when the layer has an initial state (h_{-1}, c_{-1} come from hprev (b, 0) / cseq (b, 0) / c0).
export const DIMS = `struct D { B: u32, T: u32, H: u32, t: u32, seqOut: u32, init: u32, p1: u32, p2: u32 }`;

/** Number of gate blocks of H columns in W_ih / W_hh. */
export function gateCount(cell: CellKind): number {
  return cell === CELL.lstm ? 4 : cell === CELL.gru ? 3 : 1;
}

/** Whether the layer has an initial state; throws when it is malformed (wrong size, an LSTM's c0 without h0 or back). */
export function recurrentInit(cell: CellKind, s: RecurrentBuffers): boolean {
  const [B, , H] = s.hseq.shape;
  const init = !!s.h0;
  if (cell === CELL.lstm ? init !== !!s.c0 : !!s.c0) throw new Error(`${cell}: c0 is given exactly when h0 is, and only to an LSTM`);
  for (const x of [s.h0, s.c0]) if (x && x.size !== B * H) throw new Error(`${cell}: initial state ${x.name} (${x.shape}) is not (B, H) = (${B}, ${H})`);
  return init;
}

/** Cell math of forward step t for unit j, from hp0…hp{G−1} = b_hh + h_{t-1}·W_hh (gate columns of j): defines h, writes cseq and gates. */
export function stepCellWgsl(cell: CellKind): string {
  if (cell === CELL.lstm) {
    return `  let i = sigmoid_(XP[xb + j] + hp0);
  let f = sigmoid_(XP[xb + H + j] + hp1);
  let gg = tanh_(XP[xb + 2u * H + j] + hp2);
  let o = sigmoid_(XP[xb + 3u * H + j] + hp3);
  var cprev = 0.0;
  if (t > 0u) { cprev = CSEQ[row - H + j]; } else if (d.init == 1u) { cprev = CSEQ[row + j]; } // c0, put there by step −1
  let c = f * cprev + i * gg;
  let h = o * tanh_(c);
  CSEQ[row + j] = c;
  let gb = (b * d.T + t) * 4u * H;
  GATES[gb + j] = i; GATES[gb + H + j] = f; GATES[gb + 2u * H + j] = gg; GATES[gb + 3u * H + j] = o;`;
  }
  if (cell === CELL.gru) {
    return `  let r = sigmoid_(XP[xb + j] + hp0);
  let z = sigmoid_(XP[xb + H + j] + hp1);
  let n = tanh_(XP[xb + 2u * H + j] + r * hp2);
  var hprev = 0.0;
  if (t > 0u || d.init == 1u) { hprev = HPREV[row + j]; }
  let h = (1.0 - z) * n + z * hprev;
  let gb = (b * d.T + t) * 4u * H;
  GATES[gb + j] = r; GATES[gb + H + j] = z; GATES[gb + 2u * H + j] = n; GATES[gb + 3u * H + j] = hp2;`;
  }
  return `  let h = tanh_(XP[xb + j] + hp0);`;
}

export const STEP_BINDINGS = [read('XP'), read('WHH'), read('BHH'), rw('HSEQ'), rw('HPREV'), rw('CSEQ'), rw('GATES'), rw('HLAST')];

// hprev (b, t+1) = h_t, and (b, 0) = 0 (or h0, from step −1): the rows of the dW_hh GEMM line up with dgh.
export const STEP_TAIL = `
  HSEQ[row + j] = h;
  if (t == 0u && d.init == 0u) { HPREV[row + j] = 0.0; }
  if (t + 1u < d.T) { HPREV[row + H + j] = h; }
  if (t + 1u == d.T) { HLAST[b * H + j] = h; }`;

export function recurrentStepWgsl(cell: CellKind): Shader {
  const G = gateCount(cell);
  // hp_g = b_hh[g·H + j] + Σ_k h_{t-1}[k] · W_hh[k, g·H + j] for the G gates of unit j, with
  // h_{t-1} = hprev (b, t): written by step t-1, or by step −1 (h0); skipped at t = 0 from zeros.
  // One scalar accumulator per gate, unrolled: SwiftShader spills dynamically indexed private arrays.
  const gs = Array.from({ length: G }, (_, g) => g);
  const rec = `
  ${gs.map((g) => `var hp${g} = BHH[${g}u * H + j];`).join(' ')}
  if (t > 0u || d.init == 1u) {
    for (var k = 0u; k < H; k++) {
      let hk = HPREV[row + k];
      let wk = k * GH + j;
      ${gs.map((g) => `hp${g} += hk * WHH[wk + ${g}u * H];`).join(' ')}
    }
  }
  let xb = (b * d.T + t) * GH;`;
  return shader(STEP_BINDINGS, `${DIMS}
${FLAT_INDEX}
${MATH}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H; let GH = ${G}u * H; let t = d.t;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let row = (b * d.T + t) * H; // (b, t, 0) of the (B, T, H) buffers
  ${rec}
  ${stepCellWgsl(cell)}
  ${STEP_TAIL}
}`);
}

/**
 * Units j per workgroup of the split step kernels (hardware GPUs); the other 256 / units threads of
 * unit j are its k-lanes. A workgroup covers units j0 … j0 + units − 1 of one batch row b.
 * Measured on an H100 (Dawn/Vulkan), LSTM B=32 H=128: forward 36 → 11.5 µs per step with 32 units
 * (16 and 64 no better), backward (G·H-long sums) 102 → 13 µs with 16 units (32: 14.6, 64: 17.7).
 */
export const RNN_SPLIT_UNITS = { forward: 32, backward: 16 };
/** Workgroups of a split step kernel: B · ⌈H / units⌉, one per (b, block of units). */
export function recurrentSplitGroups(B: number, H: number, units: number): number {
  return B * Math.ceil(H / units);
}

/**
 * Split prologue: workgroup gi = (b, block of units), thread lid = lane · U + u, unit j = block · U + u.
 * The early return is uniform (workgroup id and uniforms only), so the barriers below are too.
 */
function splitHead(U: number): string {
  return `@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let H = d.H; let t = d.t;
  let blocks = (H + ${U - 1}u) / ${U}u;
  let gi = wg.y * nwg.x + wg.x;
  if (gi >= d.B * blocks) { return; }
  let b = gi / blocks;
  let u = lid % ${U}u; let lane = lid / ${U}u;
  let j = (gi % blocks) * ${U}u + u;
  let row = (b * d.T + t) * H; // (b, t, 0) of the (B, T, H) buffers`;
}

/** Tree sum of RED[g·256 + lane·U + u] over the lanes of each u (one array per gate g), into lane 0. */
function splitReduce(G: number, U: number): string {
  const L = 256 / U;
  return `
  workgroupBarrier();
  for (var w = ${L / 2}u; w > 0u; w >>= 1u) {
    if (lane < w) { ${Array.from({ length: G }, (_, g) => `RED[${g * 256}u + lid] += RED[${g * 256}u + lid + w * ${U}u];`).join(' ')} }
    workgroupBarrier();
  }`;
}

/**
 * `sum += A[a(k)] · B[b(k)]` over k = lane, lane + L, … < n, four k per pass so that four loads per
 * operand are in flight (the serial form waits on one L2 round trip per k). terms(k) gives the
 * statements for one k.
 */
function laneLoop(L: number, n: string, terms: (k: string) => string): string {
  return `var k = lane;
    loop {
      if (k + ${3 * L}u >= ${n}) { break; }
      ${[0, 1, 2, 3].map((q) => terms(q === 0 ? 'k' : `(k + ${q * L}u)`)).join('\n      ')}
      k += ${4 * L}u;
    }
    for (; k < ${n}; k += ${L}u) { ${terms('k')} }`;
}

/**
 * Forward step for hardware GPUs: as recurrentStepWgsl, with the k-sum of unit j split over
 * 256 / units lanes (strided k, so the 32 threads of a warp read one W_hh row: consecutive j) and
 * summed in workgroup memory; lane 0 applies the gates and writes every output as the serial form.
 */
export function recurrentStepSplitWgsl(cell: CellKind, units = RNN_SPLIT_UNITS.forward): Shader {
  const G = gateCount(cell), U = units, L = 256 / U;
  if (!Number.isInteger(L) || (L & (L - 1)) !== 0) throw new Error(`recurrentStepSplitWgsl: units ${units} does not divide 256 into a power of two`);
  const gs = Array.from({ length: G }, (_, g) => g);
  const terms = (k: string) => `{ let hk = HPREV[row + ${k}]; let wk = ${k} * GH + j; ${gs.map((g) => `s${g} += hk * WHH[wk + ${g}u * H];`).join(' ')} }`;
  return shader(STEP_BINDINGS, `${DIMS}
var<workgroup> RED: array<f32, ${G * 256}>;
${MATH}
${splitHead(U)}
  let GH = ${G}u * H;
  ${gs.map((g) => `var s${g} = 0.0;`).join(' ')}
  if (j < H && (t > 0u || d.init == 1u)) {
    ${laneLoop(L, 'H', terms)}
  }
  ${gs.map((g) => `RED[${g * 256}u + lid] = s${g};`).join(' ')}
  ${splitReduce(G, U)}
  if (lane != 0u || j >= H) { return; }
  ${gs.map((g) => `let hp${g} = BHH[${g}u * H + j] + RED[${g * 256}u + u];`).join(' ')}
  let xb = (b * d.T + t) * GH;
  ${stepCellWgsl(cell)}
  ${STEP_TAIL}
}`);
}

/** Backward cell math for unit j from dh (upstream + recurrent path) and the carried direct path: writes dgx, dgh, carry. */
export function stepBackwardCellWgsl(cell: CellKind): string {
  if (cell === CELL.lstm) {
    return `  let i = GATES[gb + j]; let f = GATES[gb + H + j]; let gg = GATES[gb + 2u * H + j]; let o = GATES[gb + 3u * H + j];
  let c = CSEQ[row + j];
  var cprev = 0.0;
  if (t > 0u) { cprev = CSEQ[row - H + j]; } else if (d.init == 1u) { cprev = AUX[b * H + j]; } // c0
  let tc = tanh_(c);
  let dc = carried + dh * o * (1.0 - tc * tc);
  let di = dc * gg * i * (1.0 - i);
  let df = dc * cprev * f * (1.0 - f);
  let dg = dc * i * (1.0 - gg * gg);
  let dO = dh * tc * o * (1.0 - o);
  DGX[ob + j] = di; DGX[ob + H + j] = df; DGX[ob + 2u * H + j] = dg; DGX[ob + 3u * H + j] = dO;
  DGH[ob + j] = di; DGH[ob + H + j] = df; DGH[ob + 2u * H + j] = dg; DGH[ob + 3u * H + j] = dO;
  CARRY[b * H + j] = dc * f;`;
  }
  if (cell === CELL.gru) {
    return `  let r = GATES[gb + j]; let z = GATES[gb + H + j]; let n = GATES[gb + 2u * H + j]; let hn = GATES[gb + 3u * H + j];
  let hprev = AUX[row + j]; // hprev (b, t): h_{t-1}, h0 or 0 at t = 0
  dh += carried;
  let dnp = dh * (1.0 - z) * (1.0 - n * n);
  let dr = dnp * hn * r * (1.0 - r);
  let dz = dh * (hprev - n) * z * (1.0 - z);
  DGX[ob + j] = dr; DGX[ob + H + j] = dz; DGX[ob + 2u * H + j] = dnp;
  DGH[ob + j] = dr; DGH[ob + H + j] = dz; DGH[ob + 2u * H + j] = dnp * r;
  CARRY[b * H + j] = dh * z;`;
  }
  return `  let h = AUX[row + j]; // hseq (b, t)
  let dp = dh * (1.0 - h * h);
  DGX[ob + j] = dp; DGH[ob + j] = dp;
  _ = carried;`;
}

/** AUX is the tensor recurrentBackwardAux(cell) names. */
export const STEP_BACKWARD_BINDINGS = [
  read('WHHT'), read('AUX'), read('CSEQ'), read('GATES'), read('DOUT'), rw('DGX'), rw('DGH'), rw('CARRY'),
];

export function recurrentStepBackwardWgsl(cell: CellKind): Shader {
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
  return shader(STEP_BACKWARD_BINDINGS, `${DIMS}
${FLAT_INDEX}
${MATH}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H; let GH = ${G}u * H; let t = d.t;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let row = (b * d.T + t) * H;
  ${dh}
  ${stepBackwardCellWgsl(cell)}
}`);
}

/**
 * Backward step for hardware GPUs: as recurrentStepBackwardWgsl, with the G·H-long recurrent sum
 * of unit j split over 256 / units lanes and summed in workgroup memory; lane 0 finishes as the serial form.
 */
export function recurrentStepBackwardSplitWgsl(cell: CellKind, units = RNN_SPLIT_UNITS.backward): Shader {
  const G = gateCount(cell), U = units, L = 256 / U;
  if (!Number.isInteger(L) || (L & (L - 1)) !== 0) throw new Error(`recurrentStepBackwardSplitWgsl: units ${units} does not divide 256 into a power of two`);
  const terms = (k: string) => `s += DGH[nb + ${k}] * WHHT[${k} * H + j];`;
  return shader(STEP_BACKWARD_BINDINGS, `${DIMS}
var<workgroup> RED: array<f32, 256>;
${MATH}
${splitHead(U)}
  let GH = ${G}u * H;
  var s = 0.0;
  if (j < H && t + 1u < d.T) {
    let nb = (b * d.T + t + 1u) * GH; // dgh (b, t+1, 0)
    ${laneLoop(L, 'GH', terms)}
  }
  RED[lid] = s;
  ${splitReduce(1, U)}
  if (lane != 0u || j >= H) { return; }
  var dh = 0.0;
  if (d.seqOut == 1u) { dh = DOUT[row + j]; } else if (t + 1u == d.T) { dh = DOUT[b * H + j]; }
  var carried = 0.0;
  if (t + 1u < d.T) { carried = CARRY[b * H + j]; dh += RED[u]; }
  let gb = (b * d.T + t) * 4u * H;
  let ob = (b * d.T + t) * GH;
  ${stepBackwardCellWgsl(cell)}
}`);
}

/**
 * What binding 3 of the backward step holds: the GRU reads h_{t-1} from hprev, the RNN h_t from
 * hseq, the LSTM c_{-1} from c0 (when it has an initial state; hseq, unread, when not).
 */
export function recurrentBackwardAux(cell: CellKind): string {
  return cell === CELL.lstm ? 'c0 (B, H)' : cell === CELL.gru ? 'hprev (B, T, H)' : 'hseq (B, T, H)';
}

/**
 * Step −1 of the forward: hprev (b, 0) = h0 and, for the LSTM, cseq (b, 0) = c0, where step 0
 * reads h_{-1} and c_{-1}. One thread per (b, j).
 */
export function recurrentInitWgsl(cell: CellKind): Shader {
  const lstm = cell === CELL.lstm;
  return shader([read('H0'), rw('HPREV'), lstm && read('C0'), lstm && rw('CSEQ')], `${DIMS}
${FLAT_INDEX}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let row = b * d.T * H; // (b, 0, 0)
  HPREV[row + j] = H0[idx];
  ${lstm ? 'CSEQ[row + j] = C0[idx];' : ''}
}`);
}

/**
 * Step −1 of the backward, after step 0: the gradient wrt the initial state. h_{-1} feeds step 0
 * through the recurrent matmul (dgh[b, 0, :]·W_hhᵀ, read from W_hhᵀ as the steps do) and, for
 * the GRU, directly (the carry dh_0·z_0); c_{-1} feeds the LSTM's step 0 only through c_0 = f·c_{-1} + …,
 * which is the carry dc_0·f_0.
 */
export function recurrentInitBackwardWgsl(cell: CellKind): Shader {
  const G = gateCount(cell);
  return shader([read('WHHT'), read('DGH'), read('CARRY'), rw('DH0'), cell === CELL.lstm && rw('DC0')], `${DIMS}
${FLAT_INDEX}
${ENTRY_1D} {
  let idx = flatIndex(wg, nwg, lid);
  let H = d.H; let GH = ${G}u * H;
  if (idx >= d.B * H) { return; }
  let b = idx / H; let j = idx % H;
  let nb = b * d.T * GH; // dgh (b, 0, 0)
  var dh = 0.0;
  for (var k = 0u; k < GH; k++) { dh += DGH[nb + k] * WHHT[k * H + j]; }
  ${cell === CELL.gru ? 'dh += CARRY[idx];' : cell === CELL.lstm ? 'DC0[idx] = CARRY[idx];' : '' /* the RNN has no carry */}
  DH0[idx] = dh;
}`);
}

