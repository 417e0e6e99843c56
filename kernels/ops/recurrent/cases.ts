// Op cases of the sequence ops (embedding, recurrent steps, row gather, sequence cross-entropy),
// spread into the shared table of op-specs.ts: finite differences on CpuBackend('f64') and
// GPU-vs-CPU in Chromium. Only type imports from op-specs.ts (it imports this file).
import { IGNORE_LABEL, type CellKind, type DType, type Kernel, type RecurrentBuffers, type RecurrentGrads, type StepParams } from '../../backend.ts';
import type { Gen, OpCase, TensorSpec, Tol } from '../../testing/op-specs.ts';
import { seqCeMetricsIssues } from '../loss/cases.ts';

const P: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 1234, rows: 1 << 20 };
const T_ = (name: string, shape: number[], role: TensorSpec['role'], gen: Gen, dtype: DType = 'f32', view = false): TensorSpec =>
  ({ name, shape, role, gen, dtype, view });
const inp = (name: string, shape: number[], gen: Gen = { kind: 'normal' }, dtype: DType = 'f32', view = false) => T_(name, shape, 'in', gen, dtype, view);
const out = (name: string, shape: number[], dtype: DType = 'f32', view = false) => T_(name, shape, 'out', { kind: 'normal', scale: 3 }, dtype, view);
const state = (name: string, shape: number[], gen: Gen) => T_(name, shape, 'state', gen);

/** Recurrent steps: T sequential f32 sums of H products and a few transcendentals each. */
const TOL_RNN: Tol = { abs: 1e-5, rel: 1e-5, scale: 'max' };
const TOL_RNN_WIDE: Tol = { abs: 1e-5, rel: 3e-5, scale: 'max' };
const TOL_SUM: Tol = { abs: 1e-6, rel: 1e-5, scale: 'max' };
const TOL_EXACT: Tol = { abs: 0, rel: 0, scale: 'elem' };
const TOL_EW: Tol = { abs: 1e-6, rel: 1e-6, scale: 'elem' };

function embeddingCase(N: number, V: number, D: number, acc: boolean, view: boolean, hw = false): OpCase {
  return {
    name: `embedding ${N} ids of ${V}x${D}${acc ? ' accumulate' : ''}${view ? ' view' : ''}${hw ? ' hardware' : ''}`,
    gpuPaths: hw ? 'hardware' : undefined,
    ops: ['embedding', 'embeddingBackward'],
    tensors: [
      // Ids V and V+1 are out of range: zero rows forward, no gradient.
      inp('ids', [N], { kind: 'int', n: V + 2 }),
      inp('table', [V, D], { kind: 'normal' }, 'f32', view),
      out('y', [N, D]),
      inp('dy', [N, D]),
      acc ? state('dtable', [V, D], { kind: 'normal' }) : out('dtable', [V, D], 'f32', view),
    ],
    params: P,
    repeat: 1,
    gpuTol: TOL_SUM,
    gpuTolFor: { y: TOL_EXACT },
    grad: acc ? undefined : { kind: 'dot', y: 'y', dy: 'dy', wrt: [['table', 'dtable']] },
    record: (be, t) => ({ forward: [be.embedding(t.y, t.ids, t.table)], backward: [be.embeddingBackward(t.dtable, t.dy, t.ids, acc)] }),
    check(v) {
      const errs: string[] = [];
      for (let n = 0; n < N; n++) {
        const id = v.ids[n];
        for (let k = 0; k < D; k++) {
          const want = id < V ? v.table[id * D + k] : 0;
          if (v.y[n * D + k] !== want) { errs.push(`y[${n}, ${k}] = ${v.y[n * D + k]}, want row ${id}: ${want}`); break; }
        }
      }
      return errs;
    },
  };
}

/**
 * T steps of a recurrent layer forward and backward, with the weight GEMMs the layer records.
 * init: an initial state h0 (and c0) (B, H), loaded by step −1, and its gradient dh0 (dc0) written
 * by backward step −1, checked by finite differences like the other inputs.
 * hw: the hardware-GPU step kernels (k-sums split over workgroup lanes), on SwiftShader here; no
 * finite differences (the CPU reference is the same as without).
 * seq: the whole loop as one kernel each way (Backend.recurrentSequence / recurrentSequenceBackward)
 * where the backend has one for these sizes (GpuBackend: H ≤ 256), else the steps; the CPU
 * backend has none, so the reference and the finite differences are the steps' loops.
 */
function recurrentCase(cell: CellKind, B: number, T: number, H: number, seqOut: boolean, init = false, hw = false, seq = false): OpCase {
  const G = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  const GH = G * H;
  const lstmInit = init && cell === 'lstm';
  return {
    name: `${cell} B=${B} T=${T} H=${H} ${seqOut ? 'sequence' : 'last state'}${init ? ' initial state' : ''}${hw ? ' hardware' : ''}${seq ? ' one dispatch' : ''}`,
    ops: ['recurrentStep', 'recurrentStepBackward', 'matmul', 'sumRows'],
    gpuPaths: hw ? 'hardware' : undefined,
    tensors: [
      inp('xp', [B, T, GH]),
      inp('whh', [H, GH], { kind: 'normal', scale: 0.5 }),
      inp('bhh', [GH]),
      out('hseq', [B, T, H]),
      out('hprev', [B, T, H]),
      out('cseq', cell === 'lstm' ? [B, T, H] : [1]),
      out('gates', cell === 'rnn' ? [1] : [B, T, 4 * H]),
      out('hlast', [B, H]),
      inp('dout', seqOut ? [B, T, H] : [B, H]),
      out('dgx', [B, T, GH]),
      out('dgh', [B, T, GH]),
      out('carry', [B, H]),
      out('whhT', [GH, H]),
      inp('eye', [H, H], { kind: 'values', values: Array.from({ length: H * H }, (_, i) => (i % (H + 1) === 0 ? 1 : 0)) }),
      out('dwhh', [H, GH]),
      out('dbhh', [GH]),
      ...(init ? [inp('h0', [B, H]), out('dh0', [B, H])] : []),
      ...(lstmInit ? [inp('c0', [B, H]), out('dc0', [B, H])] : []),
    ],
    params: P,
    repeat: 1,
    // H ≥ 256: f32 sums of 256 products with pre-activations up to ~10 round by ~√H ulp of 10 ≈ 2e-5
    // (the WASM kernels' RNN reached 2.1e-5 against the f64-accumulating reference; WGSL passed 1e-5).
    gpuTol: H >= 256 ? TOL_RNN_WIDE : TOL_RNN,
    // H ≥ 256: pre-activations sum 256 products (|·| up to ~10), where the central difference's
    // eps² term reaches ~1.5e-8 on gradients of ~1e-3 (seen: 1.3e-5 relative on one element of 96).
    gradTol: H >= 256 ? { abs: 1e-7, rel: 1e-5 } : undefined,
    grad: hw ? undefined : {
      kind: 'dot', y: seqOut ? 'hseq' : 'hlast', dy: 'dout',
      wrt: [['xp', 'dgx'], ['whh', 'dwhh'], ['bhh', 'dbhh'], ...(init ? [['h0', 'dh0'] as [string, string]] : []), ...(lstmInit ? [['c0', 'dc0'] as [string, string]] : [])],
    },
    record(be, t) {
      const s: RecurrentBuffers = {
        xp: t.xp, whh: t.whh, bhh: t.bhh, hseq: t.hseq, hprev: t.hprev, cseq: t.cseq, gates: t.gates, hlast: t.hlast,
        ...(init ? { h0: t.h0 } : {}), ...(lstmInit ? { c0: t.c0 } : {}),
      };
      const g: RecurrentGrads = {
        dout: t.dout, dgx: t.dgx, dgh: t.dgh, carry: t.carry, whhT: t.whhT,
        ...(init ? { dh0: t.dh0 } : {}), ...(lstmInit ? { dc0: t.dc0 } : {}),
      };
      const forward: Kernel[] = init ? [be.recurrentStep(cell, -1, s)] : [];
      const whole = seq ? be.recurrentSequence?.(cell, s) ?? null : null;
      if (whole) forward.push(whole);
      else for (let i = 0; i < T; i++) forward.push(be.recurrentStep(cell, i, s));
      const backward: Kernel[] = [be.matmul(t.whhT, t.whh, t.eye, { transA: true })]; // W_hhᵀ, as the layer makes it
      const wholeBack = seq ? be.recurrentSequenceBackward?.(cell, seqOut, s, g) ?? null : null;
      if (wholeBack) backward.push(wholeBack);
      else for (let i = T - 1; i >= 0; i--) backward.push(be.recurrentStepBackward(cell, i, seqOut, s, g));
      if (init) backward.push(be.recurrentStepBackward(cell, -1, seqOut, s, g));
      // Weight gradients over all B·T rows, as the layer records them.
      const dgh2 = { ...t.dgh, shape: [B * T, GH] };
      backward.push(be.matmul(t.dwhh, { ...t.hprev, shape: [B * T, H] }, dgh2, { transA: true }), be.sumRows(t.dbhh, dgh2));
      return { forward, backward };
    },
    check(v) {
      // hprev is hseq shifted one step, h0 (or zero) at t = 0; hlast is the last step.
      for (let b = 0; b < B; b++)
        for (let i = 0; i < T; i++)
          for (let j = 0; j < H; j++) {
            const want = i > 0 ? v.hseq[(b * T + i - 1) * H + j] : init ? v.h0[b * H + j] : 0;
            if (v.hprev[(b * T + i) * H + j] !== want) return [`hprev[${b}, ${i}, ${j}] = ${v.hprev[(b * T + i) * H + j]}, want ${want}`];
            if (i === T - 1 && v.hlast[b * H + j] !== v.hseq[(b * T + i) * H + j]) return [`hlast[${b}, ${j}] is not h at T-1`];
          }
      return [];
    },
  };
}

function gatherRowsCase(dtype: DType, n: number, L: number, B: number, batchStart: number): OpCase {
  return {
    name: `gatherRows ${dtype} ${B} of ${n}x${L} batchStart=${batchStart}`,
    ops: ['gatherRows'],
    tensors: [
      inp('src', [n, L], dtype === 'u32' ? { kind: 'words' } : { kind: 'normal' }, dtype),
      inp('indices', [n], { kind: 'int', n }, 'u32'),
      out('y', [B, L], dtype),
    ],
    params: { ...P, batchStart },
    repeat: 1,
    gpuTol: TOL_EXACT,
    record: (be, t) => ({ forward: [be.gatherRows(t.y, t.src, t.indices)], backward: [] }),
    check(v) {
      for (let r = 0; r < B; r++) {
        const row = v.indices[Math.min(batchStart + r, n - 1)];
        for (let j = 0; j < L; j++) if (v.y[r * L + j] !== v.src[row * L + j]) return [`y[${r}, ${j}] is not src[${row}, ${j}]`];
      }
      return [];
    },
  };
}

const METRICS0: Gen = { kind: 'values', values: [0.5, 1, 2, 0, 1, 3, 0, 0] };

/**
 * The loss is the mean over counted tokens, and the FD harness divides by the first dimension of
 * the logits tensor, so the logits are shaped (counted, size / counted): the kernels only use its size.
 */
function seqCeCase(B: number, T: number, V: number, labels: number[], o: { rows?: number; grad: boolean }): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  const counted = labels.slice(0, rows * T).filter((l) => l !== IGNORE_LABEL).length;
  const shape = o.grad ? [counted, (B * T * V) / counted] : [B, T, V];
  if (o.grad && !Number.isInteger(shape[1])) throw new Error('seqCeCase: counted tokens must divide B·T·V');
  return {
    name: `sequenceCrossEntropy ${B}x${T}x${V} counted=${counted}` + (rows < B ? ` rows=${rows}` : '') + (o.grad ? '' : ' no dlogits'),
    ops: ['sequenceCrossEntropy'],
    tensors: [
      inp('logits', shape, { kind: 'normal', scale: 2 }),
      inp('labels', [B, T], { kind: 'values', values: labels }, 'u32'),
      state('metrics', [8], METRICS0),
      ...(o.grad ? [out('dlogits', shape)] : []),
    ],
    // A full batch keeps rows at 2^20 (the kernel clamps it to B) so that the FD divisor is `counted`.
    params: { ...P, rows: rows < B ? rows : P.rows },
    repeat: 1,
    gpuTol: TOL_SUM,
    gpuTolFor: { dlogits: TOL_EW },
    grad: o.grad ? { kind: 'loss', metrics: 'metrics', wrt: [['logits', 'dlogits']] } : undefined,
    record: (be, t) => ({ forward: [be.sequenceCrossEntropy(o.grad ? t.dlogits : null, t.logits, t.labels, t.metrics)], backward: [] }),
    check: (v) => seqCeMetricsIssues(v.metrics, counted, rows),
  };
}

const I = IGNORE_LABEL;
export const RNN_CASES: OpCase[] = [
  embeddingCase(30, 7, 5, false, false),
  embeddingCase(30, 7, 5, true, true),
  // Hardware GPUs (≥ 64 ids): lanes of a workgroup split the ids; 5 and 40 columns (one and three blocks).
  embeddingCase(300, 7, 5, false, false, true),
  embeddingCase(130, 9, 40, true, true, true),
  ...(['lstm', 'gru', 'rnn'] as const).flatMap((cell) => [recurrentCase(cell, 3, 5, 5, true), recurrentCase(cell, 2, 4, 3, false)]),
  recurrentCase('lstm', 2, 1, 7, true),
  // Initial state: several steps, and T = 1 (steps −1, 0 and the last at once) with the last state.
  ...(['lstm', 'gru', 'rnn'] as const).flatMap((cell) => [recurrentCase(cell, 3, 5, 5, true, true), recurrentCase(cell, 2, 1, 3, false, true)]),
  // Split step kernels (forward 32 units × 8 k-lanes per workgroup, backward 16 × 16): H below, at
  // and over a block of units (37, 70), k-loops long enough for the unrolled passes and their tails.
  ...(['lstm', 'gru', 'rnn'] as const).flatMap((cell) => [
    recurrentCase(cell, 3, 5, 5, true, false, true), recurrentCase(cell, 2, 4, 3, false, false, true),
    recurrentCase(cell, 3, 5, 5, true, true, true), recurrentCase(cell, 2, 1, 3, false, true, true),
    recurrentCase(cell, 3, 3, 37, true, false, true), recurrentCase(cell, 5, 4, 13, false, true, true),
    recurrentCase(cell, 1, 3, 7, false, false, true), recurrentCase(cell, 3, 2, 32, false, true, true),
  ]),
  recurrentCase('lstm', 2, 3, 70, true, true, true),
  recurrentCase('rnn', 2, 3, 70, false, false, true),
  // One kernel for the whole sequence (seq.wgsl.ts): T = 1 and 17, B = 1 and 33, sequence and
  // last-state outputs, with and without an initial state; H = 256 (the bound: 256 threads) and 257
  // (over it: the steps again). The step cases at B=33 T=17 H=5 and H=257 are the twins that
  // tests/recurrent-sequence-gpu.test.ts compares dispatch counts with.
  ...(['lstm', 'gru', 'rnn'] as const).flatMap((cell) => [
    recurrentCase(cell, 1, 1, 5, true, false, false, true), recurrentCase(cell, 33, 1, 3, false, true, false, true),
    recurrentCase(cell, 1, 17, 7, true, true, false, true), recurrentCase(cell, 33, 17, 5, false, false, false, true),
    recurrentCase(cell, 33, 17, 5, false),
    recurrentCase(cell, 2, 3, 256, true, true, false, true), recurrentCase(cell, 2, 3, 257, false, false, false, true),
    recurrentCase(cell, 2, 3, 257, false),
    // Hardware GPUs' form: the k-sums in four partial sums, with tails (GH = 3·H … 4·H + 3).
    recurrentCase(cell, 33, 17, 5, false, false, true, true), recurrentCase(cell, 1, 17, 7, true, true, true, true),
    recurrentCase(cell, 2, 2, 3, true, false, true, true), recurrentCase(cell, 2, 3, 256, true, true, true, true),
  ]),
  gatherRowsCase('f32', 9, 13, 5, 6),
  gatherRowsCase('u32', 7, 4, 6, 0),
  seqCeCase(3, 4, 5, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1], { grad: true }),
  seqCeCase(3, 4, 5, [I, I, 2, 3, I, I, 4, 0, I, I, 1, 1], { grad: true }),
  seqCeCase(3, 4, 5, [I, I, 2, 3, I, I, 4, 0, I, I, 1, 1], { grad: false }),
  seqCeCase(3, 4, 5, [I, I, 2, 3, I, I, 4, 0, I, I, 1, 1], { rows: 2, grad: false }),
];
