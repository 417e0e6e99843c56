// Persistent recurrence kernels: the whole T-step loop of a recurrent layer in one dispatch.
//
// The recurrence is independent across batch rows, so one workgroup owns one batch row b and loops
// over all T steps itself, with one thread per hidden unit j (the step kernels' thread (b, j)). What
// a step needs from other threads lives in workgroup memory, double-buffered so that one
// workgroupBarrier per step suffices:
//   forward:  h_{t-1} (H values), read by every unit's recurrent sum h_{t-1}·W_hh;
//   backward: dgh (b, t+1, :) (G·H values), read by every unit's recurrent sum dgh·W_hhᵀ.
// W_hh (W_hhᵀ backward) is read from global memory, as by the step kernels, in the same k order.
//
// Everything else is the step kernels' own code (stepCellWgsl, STEP_TAIL, stepBackwardCellWgsl in
// wgsl.ts): each thread reads back only what it wrote itself at an earlier step (cseq, hprev,
// carry), which one invocation always sees, so the outputs are those of the T step dispatches:
// hseq, hprev, cseq, gates, hlast forward; dgx, dgh, carry backward. The initial state keeps its
// own small dispatches (step −1 before the forward, backward step −1 after): a ninth and tenth
// storage binding (h0, c0 / dh0, dc0) would pass WebGPU's default limit of 8 per stage.
//
// Bound: H ≤ RNN_SEQ_MAX_H = 256 (one thread per unit; 256 is WebGPU's default
// maxComputeInvocationsPerWorkgroup). Workgroup memory: forward 2·256 floats (2 KiB), backward
// 2·4·256 floats (8 KiB) at the bound, under the default 16 KiB. Larger H takes the step kernels.
import type { CellKind } from '../../backend.ts';
import { MATH, pow2AtLeast } from '../common.wgsl.ts';
import { shader, type Shader } from '../bindings.ts';
import {
  DIMS, gateCount, STEP_BACKWARD_BINDINGS, STEP_BINDINGS, STEP_TAIL, stepBackwardCellWgsl, stepCellWgsl,
} from './wgsl.ts';

/** The largest hidden size the sequence kernels take: one thread per unit, 256 threads per workgroup. */
export const RNN_SEQ_MAX_H = 256;

/** Threads of a sequence workgroup: one per unit, rounded up to a power of two of at least 32 (a warp). */
export function recurrentSequenceThreads(H: number): number {
  if (!(H >= 1 && H <= RNN_SEQ_MAX_H)) throw new Error(`recurrent sequence kernel: hidden size ${H} is outside 1…${RNN_SEQ_MAX_H}`);
  return Math.max(32, pow2AtLeast(H));
}

/**
 * `acc_i += Σ_k terms(k)_i` for k = 0 … n−1. Serial (hw false): the step kernels' order, so the
 * results match theirs to the bit. Hardware GPUs: four partial sums per accumulator (k mod 4) so
 * that neither the loads nor the adds wait on the previous k (the serial chain is latency-bound).
 */
function sumLoop(hw: boolean, n: string, accs: string[], terms: (k: string) => string[]): string {
  if (!hw) return `for (var k = 0u; k < ${n}; k++) { ${terms('k').map((x, i) => `${accs[i]} += ${x};`).join(' ')} }`;
  const q = [0, 1, 2, 3];
  return `${accs.map((_, i) => q.map((p) => `var p${i}_${p} = 0.0;`).join(' ')).join(' ')}
      var k = 0u;
      for (; k + 3u < ${n}; k += 4u) {
        ${q.map((p) => terms(p === 0 ? 'k' : `(k + ${p}u)`).map((x, i) => `p${i}_${p} += ${x};`).join(' ')).join('\n        ')}
      }
      for (; k < ${n}; k++) { ${terms('k').map((x, i) => `p${i}_0 += ${x};`).join(' ')} }
      ${accs.map((a, i) => `${a} += (p${i}_0 + p${i}_1) + (p${i}_2 + p${i}_3);`).join(' ')}`;
}

/**
 * Prologue: workgroup b (a uniform value, so the early return and the barriers after it are
 * uniform), thread j; `on` marks the threads that own a unit (the others only join the barriers).
 */
function head(W: number, G: number): string {
  return `@compute @workgroup_size(${W})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let H = d.H; let GH = ${G}u * H;
  let b = wg.y * nwg.x + wg.x;
  if (b >= d.B) { return; }
  let j = lid;
  let on = j < H;`;
}

/** Forward steps t = 0 … T−1 of one batch row per workgroup; W threads (recurrentSequenceThreads); hw: sumLoop's form. */
export function recurrentSequenceWgsl(cell: CellKind, W: number, hw = false): Shader {
  const G = gateCount(cell);
  const gs = Array.from({ length: G }, (_, g) => g);
  return shader(STEP_BINDINGS, `${DIMS}
var<workgroup> HS: array<f32, ${2 * W}>; // h_{t-1} in HS[(t & 1)·W + k], h_t goes to the other half
${MATH}
${head(W, G)}
  // h_{-1}: h0, which step −1 put in hprev (b, 0), or zeros.
  var hinit = 0.0;
  if (on && d.init == 1u) { hinit = HPREV[b * d.T * H + j]; }
  HS[j] = hinit;
  workgroupBarrier();
  for (var t = 0u; t < d.T; t++) {
    let cur = (t & 1u) * ${W}u;
    if (on) {
      let row = (b * d.T + t) * H; // (b, t, 0) of the (B, T, H) buffers
      // hp_g = b_hh[g·H + j] + Σ_k h_{t-1}[k] · W_hh[k, g·H + j] (sumLoop's order).
      ${gs.map((g) => `var hp${g} = BHH[${g}u * H + j];`).join(' ')}
      if (t > 0u || d.init == 1u) {
        ${sumLoop(hw, 'H', gs.map((g) => `hp${g}`), (k) => gs.map((g) => `HS[cur + ${k}] * WHH[${k} * GH + ${g}u * H + j]`))}
      }
      let xb = (b * d.T + t) * GH;
      ${stepCellWgsl(cell)}
      ${STEP_TAIL}
      HS[${W}u - cur + j] = h;
    }
    workgroupBarrier();
  }
}`);
}

/**
 * Backward steps t = T−1 … 0 of one batch row per workgroup. dgh (b, t, :) is written to global
 * memory (the dW_hh GEMM reads it) and copied to workgroup memory for step t−1's recurrent sum.
 */
export function recurrentSequenceBackwardWgsl(cell: CellKind, W: number, hw = false): Shader {
  const G = gateCount(cell), GW = G * W;
  const gs = Array.from({ length: G }, (_, g) => g);
  return shader(STEP_BACKWARD_BINDINGS, `${DIMS}
var<workgroup> DS: array<f32, ${2 * GW}>; // dgh (b, t+1, :) in DS[(s & 1)·G·W + k], dgh (b, t, :) to the other half
${MATH}
${head(W, G)}
  for (var s = 0u; s < d.T; s++) {
    let t = d.T - 1u - s;
    let cur = (s & 1u) * ${GW}u;
    if (on) {
      let row = (b * d.T + t) * H;
      // dh_t = upstream + Σ_k dgh[b, t+1, k] · W_hh[j, k] (read from W_hhᵀ; sumLoop's order).
      var dh = 0.0;
      if (d.seqOut == 1u) { dh = DOUT[row + j]; } else if (t + 1u == d.T) { dh = DOUT[b * H + j]; }
      var carried = 0.0;
      if (t + 1u < d.T) {
        carried = CARRY[b * H + j];
        ${sumLoop(hw, 'GH', ['dh'], (k) => [`DS[cur + ${k}] * WHHT[${k} * H + j]`])}
      }
      let gb = (b * d.T + t) * 4u * H;
      let ob = (b * d.T + t) * GH;
      ${stepBackwardCellWgsl(cell)}
      ${gs.map((g) => `DS[${GW}u - cur + ${g}u * H + j] = DGH[ob + ${g}u * H + j];`).join(' ')}
    }
    workgroupBarrier();
  }
}`);
}
