// CPU references of the recurrent cells, in plain loops written from the equations (PyTorch docs for
// nn.LSTM / nn.GRU / nn.RNN), not from the WGSL. Layouts as in backend.ts RecurrentBuffers.
import type { CellKind, Kernel, RecurrentBuffers, RecurrentGrads, Tensor } from '../../backend.ts';
import { CELL } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type F = Float32Array | Float64Array;
const a = (t: Tensor) => t.store as F;
const sig = (x: number) => 1 / (1 + Math.exp(-x));

export function gatesOf(cell: CellKind): number {
  return cell === CELL.lstm ? 4 : cell === CELL.gru ? 3 : 1;
}

/** B, T, H from hseq (B, T, H). */
export function recurrentDims(s: RecurrentBuffers): { B: number; T: number; H: number } {
  const [B, T, H] = s.hseq.shape;
  return { B, T, H };
}

/** Checks the optional initial state: (B, H) each, an LSTM's c0 exactly when h0, no c0 elsewhere. */
function checkInit(cell: CellKind, s: RecurrentBuffers, B: number, H: number): void {
  if (cell === CELL.lstm ? !!s.h0 !== !!s.c0 : !!s.c0) throw new Error(`${cell}: c0 is given exactly when h0 is, and only to an LSTM`);
  for (const x of [s.h0, s.c0]) if (x && x.size !== B * H) throw new Error(`${cell}: initial state ${x.name} (${x.shape}) is not (B, H) = (${B}, ${H})`);
}

/**
 * h_{t-1}[b, j] and c_{t-1}[b, j] as the equations define them: the previous step's outputs, or
 * at t = 0 the initial state (s.h0, s.c0), zeros without one. Read from hseq/cseq/h0/c0 directly,
 * not through hprev as the WGSL does.
 */
function prevState(cell: CellKind, s: RecurrentBuffers, t: number, b: number, j: number): { h: number; c: number } {
  const { T, H } = recurrentDims(s);
  if (t > 0) {
    const i = (b * T + t - 1) * H + j;
    return { h: a(s.hseq)[s.hseq.offset + i], c: cell === CELL.lstm ? a(s.cseq)[s.cseq.offset + i] : 0 };
  }
  return { h: s.h0 ? a(s.h0)[s.h0.offset + b * H + j] : 0, c: s.c0 ? a(s.c0)[s.c0.offset + b * H + j] : 0 };
}

/**
 * One timestep of the forward pass for every (b, j). t = −1, the step the WGSL backend needs to
 * load an initial state, has nothing to do here: step 0 reads s.h0 and s.c0 itself.
 */
export function recurrentStepRef(cell: CellKind, t: number, s: RecurrentBuffers): void {
  const { B, T, H } = recurrentDims(s);
  checkInit(cell, s, B, H);
  if (t === -1) {
    if (!s.h0) throw new Error(`${cell} step −1 loads the initial state: s.h0 is missing`);
    return;
  }
  const G = gatesOf(cell), GH = G * H;
  const XP = a(s.xp), W = a(s.whh), BH = a(s.bhh), HS = a(s.hseq), HP = a(s.hprev), CS = a(s.cseq), GT = a(s.gates), HL = a(s.hlast);
  const hp = new Float64Array(GH);
  const hOut = new Float64Array(H);
  const hIn = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    // hp = h_{t-1} · W_hh + b_hh over all gate columns.
    for (let k = 0; k < H; k++) hIn[k] = prevState(cell, s, t, b, k).h;
    for (let c = 0; c < GH; c++) hp[c] = BH[s.bhh.offset + c];
    for (let k = 0; k < H; k++)
      for (let c = 0; c < GH; c++) hp[c] += hIn[k] * W[s.whh.offset + k * GH + c];
    const x = (c: number) => XP[s.xp.offset + (b * T + t) * GH + c];
    const row = (b * T + t) * H;
    const gRow = (b * T + t) * 4 * H;
    for (let j = 0; j < H; j++) {
      const prev = hIn[j];
      let h: number;
      if (cell === CELL.lstm) {
        const i = sig(x(j) + hp[j]), f = sig(x(H + j) + hp[H + j]);
        const g = Math.tanh(x(2 * H + j) + hp[2 * H + j]), o = sig(x(3 * H + j) + hp[3 * H + j]);
        const cprev = prevState(cell, s, t, b, j).c;
        const c = f * cprev + i * g;
        h = o * Math.tanh(c);
        CS[s.cseq.offset + row + j] = c;
        GT[s.gates.offset + gRow + j] = i;
        GT[s.gates.offset + gRow + H + j] = f;
        GT[s.gates.offset + gRow + 2 * H + j] = g;
        GT[s.gates.offset + gRow + 3 * H + j] = o;
      } else if (cell === CELL.gru) {
        const r = sig(x(j) + hp[j]), z = sig(x(H + j) + hp[H + j]);
        const hn = hp[2 * H + j];
        const n = Math.tanh(x(2 * H + j) + r * hn);
        h = (1 - z) * n + z * prev;
        GT[s.gates.offset + gRow + j] = r;
        GT[s.gates.offset + gRow + H + j] = z;
        GT[s.gates.offset + gRow + 2 * H + j] = n;
        GT[s.gates.offset + gRow + 3 * H + j] = hn;
      } else {
        h = Math.tanh(x(j) + hp[j]);
      }
      hOut[j] = h;
    }
    for (let j = 0; j < H; j++) {
      const h = hOut[j];
      HS[s.hseq.offset + row + j] = h;
      if (t === 0) HP[s.hprev.offset + row + j] = hIn[j]; // h0 or 0
      if (t + 1 < T) HP[s.hprev.offset + row + H + j] = h;
      if (t + 1 === T) HL[s.hlast.offset + b * H + j] = h;
    }
  }
}

/**
 * One timestep of backpropagation through time, for every (b, j). t = −1 (after t = 0) writes the
 * gradient wrt the initial state: what step 0 would have carried and sent through W_hh to a step −1.
 */
export function recurrentStepBackwardRef(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): void {
  const { B, T, H } = recurrentDims(s);
  checkInit(cell, s, B, H);
  const G = gatesOf(cell), GH = G * H;
  const W = a(s.whh), HS = a(s.hseq), CS = a(s.cseq), GT = a(s.gates);
  if (g.whhT.size !== s.whh.size) throw new Error('recurrentStepBackward: whhT must be W_hh transposed (G·H, H)');
  const DO = a(g.dout), DGX = a(g.dgx), DGH = a(g.dgh), CA = a(g.carry);
  if (t === -1) {
    if (!g.dh0 || (cell === CELL.lstm && !g.dc0)) throw new Error(`${cell} backward step −1 writes the initial state's gradient: g.dh0${cell === CELL.lstm ? '/dc0' : ''} missing`);
    const DH0 = a(g.dh0), DC0 = g.dc0 ? a(g.dc0) : null;
    for (let b = 0; b < B; b++)
      for (let j = 0; j < H; j++) {
        // h_{-1} enters step 0 through hp = h_{-1}·W_hh + b_hh, and the GRU's h = … + z·h_{-1};
        // c_{-1} enters the LSTM's c_0 = f·c_{-1} + i·g. The carries hold dh_0·z_0 and dc_0·f_0.
        let dh = 0;
        for (let k = 0; k < GH; k++) dh += DGH[g.dgh.offset + b * T * GH + k] * W[s.whh.offset + j * GH + k];
        if (cell === CELL.gru) dh += CA[g.carry.offset + b * H + j];
        DH0[g.dh0.offset + b * H + j] = dh;
        if (cell === CELL.lstm) DC0![g.dc0!.offset + b * H + j] = CA[g.carry.offset + b * H + j];
      }
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = (b * T + t) * H;
    const gRow = (b * T + t) * 4 * H;
    const o0 = (b * T + t) * GH;
    for (let j = 0; j < H; j++) {
      // Upstream gradient of h_t, plus what step t+1 sends back through W_hh and the carry.
      let dh = seqOut ? DO[g.dout.offset + row + j] : t === T - 1 ? DO[g.dout.offset + b * H + j] : 0;
      let carried = 0;
      if (t + 1 < T) {
        carried = CA[g.carry.offset + b * H + j];
        const n0 = (b * T + t + 1) * GH;
        for (let k = 0; k < GH; k++) dh += DGH[g.dgh.offset + n0 + k] * W[s.whh.offset + j * GH + k];
      }
      const gt = (q: number) => GT[s.gates.offset + gRow + q * H + j];
      const put = (q: number, vx: number, vh: number) => {
        DGX[g.dgx.offset + o0 + q * H + j] = vx;
        DGH[g.dgh.offset + o0 + q * H + j] = vh;
      };
      if (cell === CELL.lstm) {
        const i = gt(0), f = gt(1), gg = gt(2), o = gt(3);
        const c = CS[s.cseq.offset + row + j];
        const cprev = prevState(cell, s, t, b, j).c;
        const tc = Math.tanh(c);
        const dc = carried + dh * o * (1 - tc * tc);
        const di = dc * gg * i * (1 - i), df = dc * cprev * f * (1 - f);
        const dg = dc * i * (1 - gg * gg), dO = dh * tc * o * (1 - o);
        put(0, di, di); put(1, df, df); put(2, dg, dg); put(3, dO, dO);
        CA[g.carry.offset + b * H + j] = dc * f;
      } else if (cell === CELL.gru) {
        const r = gt(0), z = gt(1), n = gt(2), hn = gt(3);
        const prev = prevState(cell, s, t, b, j).h;
        dh += carried;
        const dnp = dh * (1 - z) * (1 - n * n); // through n = tanh(x_n + r·hn)
        const dr = dnp * hn * r * (1 - r);
        const dz = dh * (prev - n) * z * (1 - z);
        put(0, dr, dr); put(1, dz, dz); put(2, dnp, dnp * r);
        CA[g.carry.offset + b * H + j] = dh * z;
      } else {
        const h = HS[s.hseq.offset + row + j];
        const dp = dh * (1 - h * h);
        put(0, dp, dp);
      }
    }
  }
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function recurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): Kernel {
  return cpuKernel(`${cell} step ${t}`, () => recurrentStepRef(cell, t, s));
}

export function recurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel {
  return cpuKernel(`${cell} step ${t} backward`, () => recurrentStepBackwardRef(cell, t, seqOut, s, g));
}
