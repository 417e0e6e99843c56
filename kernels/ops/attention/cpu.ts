// Plain-loop references for the transformer ops: layer norm and multi-head attention. Written from
// the definitions (softmax materialised row by row, two-pass statistics), not from the WGSL, which
// uses an online softmax and recomputes probabilities from the saved log-sum-exp.
// Layouts as in backend.ts: qkv (B, T, 3·D) = [q | k | v], head h owns columns h·dh … h·dh + dh − 1
// of each block; out (B, T, D); lse (B, heads, T); probs (B, heads, T, T).
import type { Kernel, StepParams, Tensor } from '../../backend.ts';
import { hashUniform } from '../../rng.ts';
import { attentionDims, checkAttention, type AttnDims } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;


interface Drop { rate: number; salt: number }

/**
 * Softmax row P[i, ·] of head (b, h) into `p` (T), zeros where causal masks; returns the
 * log-sum-exp. Scores are computed in f64 from the stored values.
 */
function softmaxRow(Q: Arr, qkv: Tensor, d: AttnDims, b: number, h: number, i: number, causal: boolean, p: Float64Array): number {
  const { T, D, dh } = d;
  const scale = 1 / Math.sqrt(dh);
  const qi = qkv.offset + (b * T + i) * 3 * D + h * dh;
  let mx = -Infinity;
  for (let j = 0; j < T; j++) {
    if (causal && j > i) { p[j] = -Infinity; continue; }
    const kj = qkv.offset + (b * T + j) * 3 * D + D + h * dh;
    let s = 0;
    for (let c = 0; c < dh; c++) s += Q[qi + c] * Q[kj + c];
    p[j] = s * scale;
    mx = Math.max(mx, p[j]);
  }
  let z = 0;
  for (let j = 0; j < T; j++) z += p[j] === -Infinity ? 0 : Math.exp(p[j] - mx);
  for (let j = 0; j < T; j++) p[j] = p[j] === -Infinity ? 0 : Math.exp(p[j] - mx) / z;
  return mx + Math.log(z);
}

/** Dropout multipliers of row i (0 or 1/(1 − rate)); all ones without dropout. */
function maskRow(params: StepParams, drop: Drop | undefined, d: AttnDims, b: number, h: number, i: number, m: Float64Array): void {
  const { T, heads } = d;
  if (!drop || drop.rate <= 0) { m.fill(1); return; }
  const keep = 1 / (1 - drop.rate);
  for (let j = 0; j < T; j++) m[j] = hashUniform(params.seed, drop.salt, ((b * heads + h) * T + i) * T + j) >= drop.rate ? keep : 0;
}

export function attentionRef(params: StepParams, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, drop?: Drop): void {
  const d = attentionDims(qkv, heads);
  const { B, T, D, dh } = d;
  const Q = f(qkv), O = f(out), L = f(lse);
  const p = new Float64Array(T), m = new Float64Array(T);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < T; i++) {
        L[lse.offset + (b * heads + h) * T + i] = softmaxRow(Q, qkv, d, b, h, i, causal, p);
        maskRow(params, drop, d, b, h, i, m);
        for (let c = 0; c < dh; c++) {
          let s = 0;
          for (let j = 0; j < T; j++) s += p[j] * m[j] * Q[qkv.offset + (b * T + j) * 3 * D + 2 * D + h * dh + c];
          O[out.offset + (b * T + i) * D + h * dh + c] = s;
        }
      }
}

/**
 * With A = P ∘ M (M the dropout multipliers): out = A·v, so dv = Aᵀ·dout, dP = M ∘ (dout·vᵀ),
 * dS = P ∘ (dP − rowsum(P ∘ dP)), dq = dS·k/√dh, dk = dSᵀ·q/√dh. P is recomputed from qkv.
 */
export function attentionBackwardRef(params: StepParams, dqkv: Tensor, dout: Tensor, qkv: Tensor, heads: number, causal: boolean, drop?: Drop): void {
  const d = attentionDims(qkv, heads);
  const { B, T, D, dh } = d;
  const Q = f(qkv), DO = f(dout), G = f(dqkv);
  const scale = 1 / Math.sqrt(dh);
  const P = new Float64Array(T * T), Mk = new Float64Array(T * T), dS = new Float64Array(T * T);
  const grad = new Float64Array(T * 3 * dh); // (T, [dq | dk | dv]) of one head
  const at = (b: number, t: number, part: number, h: number) => (b * T + t) * 3 * D + part * D + h * dh;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < T; i++) {
        softmaxRow(Q, qkv, d, b, h, i, causal, P.subarray(i * T, (i + 1) * T));
        maskRow(params, drop, d, b, h, i, Mk.subarray(i * T, (i + 1) * T));
      }
      grad.fill(0);
      for (let i = 0; i < T; i++) {
        const doi = dout.offset + (b * T + i) * D + h * dh;
        let rowSum = 0;
        for (let j = 0; j < T; j++) {
          const vj = qkv.offset + at(b, j, 2, h);
          let dov = 0;
          for (let c = 0; c < dh; c++) dov += DO[doi + c] * Q[vj + c];
          const dP = Mk[i * T + j] * dov;
          dS[i * T + j] = dP;
          rowSum += P[i * T + j] * dP;
          // dv_j += A_ij · dout_i
          for (let c = 0; c < dh; c++) grad[j * 3 * dh + 2 * dh + c] += P[i * T + j] * Mk[i * T + j] * DO[doi + c];
        }
        for (let j = 0; j < T; j++) dS[i * T + j] = P[i * T + j] * (dS[i * T + j] - rowSum);
      }
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          const ds = dS[i * T + j] * scale;
          if (ds === 0) continue;
          const qi = qkv.offset + at(b, i, 0, h), kj = qkv.offset + at(b, j, 1, h);
          for (let c = 0; c < dh; c++) {
            grad[i * 3 * dh + c] += ds * Q[kj + c];
            grad[j * 3 * dh + dh + c] += ds * Q[qi + c];
          }
        }
      for (let t = 0; t < T; t++)
        for (let part = 0; part < 3; part++)
          for (let c = 0; c < dh; c++) G[dqkv.offset + at(b, t, part, h) + c] = grad[t * 3 * dh + part * dh + c];
    }
}

export function attentionProbsRef(probs: Tensor, qkv: Tensor, heads: number, causal: boolean): void {
  const d = attentionDims(qkv, heads);
  const { B, T } = d;
  const Q = f(qkv), PR = f(probs);
  const p = new Float64Array(T);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < T; i++) {
        softmaxRow(Q, qkv, d, b, h, i, causal, p);
        for (let j = 0; j < T; j++) PR[probs.offset + ((b * heads + h) * T + i) * T + j] = p[j];
      }
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function attention(out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel {
  checkAttention(qkv, heads, out, lse);
  return cpuKernel('attention', (p) => attentionRef(p, out, lse, qkv, heads, causal, dropout));
}

export function attentionBackward(dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[] {
  checkAttention(qkv, heads, out, lse);
  if (dqkv.size !== qkv.size || dout.size !== out.size) throw new Error(`attentionBackward: ${dqkv.name} / ${dout.name} do not match ${qkv.name} / ${out.name}`);
  // The reference recomputes the probabilities from qkv alone; out and lse are the GPU's shortcuts.
  return [cpuKernel('attention backward', (p) => attentionBackwardRef(p, dqkv, dout, qkv, heads, causal, dropout))];
}

export function attentionProbs(probs: Tensor, qkv: Tensor, lse: Tensor, heads: number, causal: boolean): Kernel {
  const { B, T } = attentionDims(qkv, heads);
  if (probs.size !== B * heads * T * T || lse.size !== B * heads * T) throw new Error(`attentionProbs: ${probs.name} (${probs.shape}) is not (B, heads, T, T) = (${B}, ${heads}, ${T}, ${T})`);
  return cpuKernel('attention probs', () => attentionProbsRef(probs, qkv, heads, causal));
}
