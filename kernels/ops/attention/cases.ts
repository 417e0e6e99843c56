// Op cases of the transformer ops (layer norm, fused attention and its backward, attention
// probabilities), spread into the shared table of op-specs.ts: finite differences on
// CpuBackend('f64') and GPU-vs-CPU in Chromium. Odd T, odd head sizes, 1–3 heads, sequences longer
// than one kernel tile, with and without causal masking and probability dropout (the mask is a pure
// function of (seed, salt, index), so the GPU must reproduce the CPU's exactly and finite
// differences see a fixed mask). Only type imports from op-specs.ts (it imports this file).
import type { DType, StepParams } from '../../backend.ts';
import type { Gen, OpCase, TensorSpec, Tol } from '../../testing/op-specs.ts';

const P: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 1234, rows: 1 << 20 };
const T_ = (name: string, shape: number[], role: TensorSpec['role'], gen: Gen, dtype: DType = 'f32', view = false): TensorSpec =>
  ({ name, shape, role, gen, dtype, view });
const inp = (name: string, shape: number[], gen: Gen = { kind: 'normal' }, view = false) => T_(name, shape, 'in', gen, 'f32', view);
const out = (name: string, shape: number[], view = false) => T_(name, shape, 'out', { kind: 'normal', scale: 3 }, 'f32', view);

/**
 * f32 sums of ≤ C (layer norm) or ≤ T·dh (attention) products and exps on the GPU vs f64 on the
 * CPU, relative to max|ref| of the output.
 */
const TOL_LN: Tol = { abs: 1e-6, rel: 1e-5, scale: 'max' };
const TOL_ATTN: Tol = { abs: 1e-6, rel: 1e-5, scale: 'max' };
/** Probabilities in [0, 1]: absolute. */
const TOL_PROBS: Tol = { abs: 2e-6, rel: 0, scale: 'elem' };

function layerNormCase(rows: number[], C: number, view = false, hardware = false): OpCase {
  const R = rows.reduce((x, y) => x * y, 1);
  return {
    name: `layerNorm ${[...rows, C].join('x')}${view ? ' view' : ''}${hardware ? ' hardware' : ''}`,
    ...(hardware ? { gpuPaths: 'hardware' as const } : {}),
    ops: ['layerNorm', 'layerNormBackward'],
    tensors: [
      // Offset rows so that the mean matters; gamma away from 0 so every dx term is visible.
      inp('x', [...rows, C], { kind: 'uniform', lo: -1, hi: 3 }, view),
      inp('gamma', [C], { kind: 'uniform', lo: 0.5, hi: 1.5 }),
      inp('beta', [C]),
      out('y', [...rows, C], view),
      out('mean', [R]),
      out('rstd', [R]),
      inp('dy', [...rows, C]),
      out('dx', [...rows, C], view),
      out('dgamma', [C]),
      out('dbeta', [C]),
    ],
    params: P,
    repeat: 1,
    gpuTol: TOL_LN,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx'], ['gamma', 'dgamma'], ['beta', 'dbeta']] },
    record: (be, t) => ({
      forward: [be.layerNorm(t.y, t.mean, t.rstd, t.x, t.gamma, t.beta, 1e-5)],
      backward: be.layerNormBackward(t.dx, t.dgamma, t.dbeta, t.dy, t.x, t.mean, t.rstd, t.gamma),
    }),
    check(v) {
      // Each row of (y − beta)/gamma has mean 0 and biased variance var/(var + eps) ≈ 1.
      const errs: string[] = [];
      for (let r = 0; r < R && errs.length < 3; r++) {
        let s = 0, q = 0;
        for (let c = 0; c < C; c++) s += (v.y[r * C + c] - v.beta[c]) / v.gamma[c];
        for (let c = 0; c < C; c++) q += ((v.y[r * C + c] - v.beta[c]) / v.gamma[c] - s / C) ** 2;
        if (Math.abs(s / C) > 1e-5 || Math.abs(q / C - 1) > 1e-3) errs.push(`row ${r}: normalised mean ${s / C}, var ${q / C}`);
      }
      return errs;
    },
  };
}

interface AttnCase { B: number; T: number; heads: number; dh: number; causal: boolean; drop?: number; view?: boolean }

function attnName(o: AttnCase): string {
  return `B=${o.B} T=${o.T} heads=${o.heads} dh=${o.dh}${o.causal ? ' causal' : ''}${o.drop ? ` dropout=${o.drop}` : ''}${o.view ? ' view' : ''}`;
}

function attentionCase(o: AttnCase): OpCase {
  const { B, T, heads, dh, causal } = o;
  const D = heads * dh;
  const dropout = o.drop ? { rate: o.drop, salt: 11 } : undefined;
  return {
    name: `attention ${attnName(o)}`,
    ops: ['attention', 'attentionBackward'],
    tensors: [
      inp('qkv', [B, T, 3 * D], { kind: 'normal' }, !!o.view),
      out('out', [B, T, D], !!o.view),
      out('lse', [B, heads, T]),
      inp('dout', [B, T, D]),
      out('dqkv', [B, T, 3 * D], !!o.view),
    ],
    params: P,
    repeat: 1,
    gpuTol: TOL_ATTN,
    grad: { kind: 'dot', y: 'out', dy: 'dout', wrt: [['qkv', 'dqkv']] },
    record: (be, t) => ({
      forward: [be.attention(t.out, t.lse, t.qkv, heads, causal, dropout)],
      backward: be.attentionBackward(t.dqkv, t.dout, t.out, t.lse, t.qkv, heads, causal, dropout),
    }),
  };
}

/** Probabilities after the forward: rows sum to 1, masked entries are 0, and out = probs·v. */
function probsCase(o: AttnCase): OpCase {
  const { B, T, heads, dh, causal } = o;
  const D = heads * dh;
  return {
    name: `attentionProbs ${attnName(o)}`,
    ops: ['attention', 'attentionProbs'],
    tensors: [
      inp('qkv', [B, T, 3 * D], { kind: 'normal', scale: 1.5 }),
      out('out', [B, T, D]),
      out('lse', [B, heads, T]),
      out('probs', [B, heads, T, T]),
    ],
    params: P,
    repeat: 1,
    gpuTol: TOL_ATTN,
    gpuTolFor: { probs: TOL_PROBS },
    record: (be, t) => ({
      forward: [be.attention(t.out, t.lse, t.qkv, heads, causal), be.attentionProbs(t.probs, t.qkv, t.lse, heads, causal)],
      backward: [],
    }),
    check(v) {
      const errs: string[] = [];
      for (let b = 0; b < B; b++)
        for (let h = 0; h < heads; h++)
          for (let i = 0; i < T; i++) {
            const row = ((b * heads + h) * T + i) * T;
            let s = 0;
            for (let j = 0; j < T; j++) {
              const p = v.probs[row + j];
              if (causal && j > i && p !== 0) errs.push(`probs[${b}, ${h}, ${i}, ${j}] = ${p} above the diagonal`);
              if (!(p >= 0 && p <= 1)) errs.push(`probs[${b}, ${h}, ${i}, ${j}] = ${p}`);
              s += p;
            }
            if (Math.abs(s - 1) > 1e-5) errs.push(`row (${b}, ${h}, ${i}) sums to ${s}`);
            for (let c = 0; c < dh; c++) {
              let pv = 0;
              for (let j = 0; j < T; j++) pv += v.probs[row + j] * v.qkv[(b * T + j) * 3 * D + 2 * D + h * dh + c];
              const got = v.out[(b * T + i) * D + h * dh + c];
              if (Math.abs(pv - got) > 1e-5 * (1 + Math.abs(pv))) errs.push(`out[${b}, ${i}, ${h * dh + c}] = ${got}, probs·v = ${pv}`);
            }
          }
      return errs.slice(0, 5);
    },
  };
}

export const ATTENTION_CASES: OpCase[] = [
  layerNormCase([2, 5], 7),
  layerNormCase([3], 130),
  layerNormCase([2, 3], 33, true),
  // Wide rows take the workgroup-per-row kernels; many narrow rows span several thread-per-row workgroups.
  layerNormCase([2], 300),
  layerNormCase([300], 5),
  // Hardware forms: 32 (C ≤ 128) or 64 threads per row; dgamma/dbeta over 4 columns × 64 row lanes
  // (C ≤ 256) or 8 × 32, four rows per trip. Odd C below and across the thread and column counts,
  // rows off multiples of the rows per workgroup and of the lanes (with and without full trips),
  // C > 256 (forward/dx keep the workgroup-per-row kernels).
  layerNormCase([2, 5], 7, false, true),
  layerNormCase([300], 5, false, true),
  layerNormCase([37], 33, true, true),
  layerNormCase([3, 23], 65, false, true),
  layerNormCase([3], 130, false, true),
  layerNormCase([131], 261, false, true),
  layerNormCase([1000], 64, false, true),
  attentionCase({ B: 2, T: 5, heads: 1, dh: 3, causal: false }),
  attentionCase({ B: 2, T: 5, heads: 1, dh: 3, causal: true }),
  attentionCase({ B: 2, T: 7, heads: 2, dh: 8, causal: true }),
  attentionCase({ B: 2, T: 7, heads: 2, dh: 8, causal: false }),
  attentionCase({ B: 2, T: 7, heads: 3, dh: 3, causal: true, drop: 0.3 }),
  attentionCase({ B: 2, T: 5, heads: 3, dh: 8, causal: false, drop: 0.5 }),
  attentionCase({ B: 2, T: 5, heads: 2, dh: 3, causal: false, view: true }),
  // Longer than one tile: 64 rows for dh ≤ 32, 32 rows for dh = 40.
  attentionCase({ B: 1, T: 70, heads: 2, dh: 8, causal: true }),
  attentionCase({ B: 1, T: 67, heads: 1, dh: 5, causal: false, drop: 0.3 }),
  attentionCase({ B: 2, T: 37, heads: 1, dh: 40, causal: true, drop: 0.25 }),
  probsCase({ B: 2, T: 7, heads: 3, dh: 3, causal: true }),
  probsCase({ B: 2, T: 5, heads: 2, dh: 8, causal: false }),
];
