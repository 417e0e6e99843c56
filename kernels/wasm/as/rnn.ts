// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Recurrent timesteps (LSTM / GRU / RNN, PyTorch gate order) as in the CPU reference
// kernels/cpu/rnn.ts: the recurrent product of all B rows is one packed GEMM (gemm.ts), then the
// gates and the cell update run per element. Layouts as backend.ts RecurrentBuffers; cell 0 LSTM,
// 1 GRU, 2 RNN; G gate blocks (4, 3, 1); pointers are byte addresses, 0 = absent.
import { gemmPacked, packA, packB } from './gemm';

function sig(x: f32): f32 {
  return x >= 0 ? <f32>1 / (<f32>1 + Mathf.exp(-x)) : Mathf.exp(x) / (<f32>1 + Mathf.exp(x));
}
function at(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}
function put(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

/**
 * Forward step t ≥ 0. hp (B, G·H), pa (ceil(B/4)·4, H) and pb (H, ceil(G·H/8)·8) are scratch.
 * h_{t-1} is read from hprev[:, t] (step 0 first writes h0 or zeros there), c_{t-1} from cseq[:, t−1] or c0.
 */
export function recurrentStep(cell: i32, G: i32, t: i32, B: i32, T: i32, H: i32, xp: usize, whh: usize, bhh: usize,
  hseq: usize, hprev: usize, cseq: usize, gates: usize, hlast: usize, h0: usize, c0: usize, hp: usize, pa: usize, pb: usize): void {
  const GH = G * H;
  if (t == 0) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) put(hprev, b * T * H + j, h0 ? at(h0, b * H + j) : 0);
  // hp = h_{t-1} · W_hh + b_hh, rows b at hprev[(b·T + t)·H].
  packA(hprev + (<usize>(t * H) << 2), T * H, 1, B, B, H, pa);
  packB(whh, GH, 1, H, GH, pb);
  gemmPacked(B, GH, H, pa, pb, hp, bhh, 0, 0, 0, 0, 0, 0);
  for (let b = 0; b < B; b++) {
    const row = (b * T + t) * H, gRow = (b * T + t) * 4 * H, xRow = (b * T + t) * GH, hRow = b * GH;
    for (let j = 0; j < H; j++) {
      let h: f32;
      if (cell == 0) {
        const i = sig(at(xp, xRow + j) + at(hp, hRow + j)), f = sig(at(xp, xRow + H + j) + at(hp, hRow + H + j));
        const g = Mathf.tanh(at(xp, xRow + 2 * H + j) + at(hp, hRow + 2 * H + j));
        const o = sig(at(xp, xRow + 3 * H + j) + at(hp, hRow + 3 * H + j));
        const cprev: f32 = t > 0 ? at(cseq, row - H + j) : c0 ? at(c0, b * H + j) : 0;
        const c = f * cprev + i * g;
        h = o * Mathf.tanh(c);
        put(cseq, row + j, c);
        put(gates, gRow + j, i);
        put(gates, gRow + H + j, f);
        put(gates, gRow + 2 * H + j, g);
        put(gates, gRow + 3 * H + j, o);
      } else if (cell == 1) {
        const r = sig(at(xp, xRow + j) + at(hp, hRow + j)), z = sig(at(xp, xRow + H + j) + at(hp, hRow + H + j));
        const hn = at(hp, hRow + 2 * H + j);
        const n = Mathf.tanh(at(xp, xRow + 2 * H + j) + r * hn);
        h = (1 - z) * n + z * at(hprev, row + j);
        put(gates, gRow + j, r);
        put(gates, gRow + H + j, z);
        put(gates, gRow + 2 * H + j, n);
        put(gates, gRow + 3 * H + j, hn);
      } else {
        h = Mathf.tanh(at(xp, xRow + j) + at(hp, hRow + j));
      }
      put(hseq, row + j, h);
      if (t + 1 < T) put(hprev, row + H + j, h);
      else put(hlast, b * H + j, h);
    }
  }
}

/**
 * Backward step t ≥ 0 (run T−1 … 0). dh (B, H) scratch receives dgh[:, t+1] · W_hhᵀ through the
 * GEMM; pa (ceil(B/4)·4, G·H) and pb (G·H, ceil(H/8)·8) are scratch.
 */
export function recurrentStepBackward(cell: i32, G: i32, t: i32, seqOut: i32, B: i32, T: i32, H: i32, whh: usize,
  hseq: usize, hprev: usize, cseq: usize, gates: usize, c0: usize, dout: usize, dgx: usize, dgh: usize, carry: usize,
  dh: usize, pa: usize, pb: usize): void {
  const GH = G * H;
  const next = t + 1 < T;
  if (next) {
    packA(dgh + (<usize>((t + 1) * GH) << 2), T * GH, 1, B, B, GH, pa);
    packB(whh, 1, GH, GH, H, pb); // op(B)[k, j] = W_hh[j, k]
    gemmPacked(B, H, GH, pa, pb, dh, 0, 0, 0, 0, 0, 0, 0);
  }
  for (let b = 0; b < B; b++) {
    const row = (b * T + t) * H, gRow = (b * T + t) * 4 * H, o0 = (b * T + t) * GH;
    for (let j = 0; j < H; j++) {
      let d: f32 = seqOut ? at(dout, row + j) : t == T - 1 ? at(dout, b * H + j) : 0;
      let carried: f32 = 0;
      if (next) {
        carried = at(carry, b * H + j);
        d += at(dh, b * H + j);
      }
      if (cell == 0) {
        const i = at(gates, gRow + j), f = at(gates, gRow + H + j), gg = at(gates, gRow + 2 * H + j), o = at(gates, gRow + 3 * H + j);
        const c = at(cseq, row + j);
        const cprev: f32 = t > 0 ? at(cseq, row - H + j) : c0 ? at(c0, b * H + j) : 0;
        const tc = Mathf.tanh(c);
        const dc = carried + d * o * (1 - tc * tc);
        const di = dc * gg * i * (1 - i), df = dc * cprev * f * (1 - f);
        const dg = dc * i * (1 - gg * gg), dO = d * tc * o * (1 - o);
        put(dgx, o0 + j, di); put(dgh, o0 + j, di);
        put(dgx, o0 + H + j, df); put(dgh, o0 + H + j, df);
        put(dgx, o0 + 2 * H + j, dg); put(dgh, o0 + 2 * H + j, dg);
        put(dgx, o0 + 3 * H + j, dO); put(dgh, o0 + 3 * H + j, dO);
        put(carry, b * H + j, dc * f);
      } else if (cell == 1) {
        const r = at(gates, gRow + j), z = at(gates, gRow + H + j), n = at(gates, gRow + 2 * H + j), hn = at(gates, gRow + 3 * H + j);
        const prev = at(hprev, row + j);
        d += carried;
        const dnp = d * (1 - z) * (1 - n * n);
        const dr = dnp * hn * r * (1 - r);
        const dz = d * (prev - n) * z * (1 - z);
        put(dgx, o0 + j, dr); put(dgh, o0 + j, dr);
        put(dgx, o0 + H + j, dz); put(dgh, o0 + H + j, dz);
        put(dgx, o0 + 2 * H + j, dnp); put(dgh, o0 + 2 * H + j, dnp * r);
        put(carry, b * H + j, d * z);
      } else {
        const h = at(hseq, row + j);
        const dp = d * (1 - h * h);
        put(dgx, o0 + j, dp); put(dgh, o0 + j, dp);
      }
    }
  }
}
