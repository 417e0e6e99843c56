// Op cases of the fused losses (softmax cross-entropy, MSE): loss, gradient and metrics.
import { IGNORE_LABEL } from '../../backend.ts';
import { inp, mk, out, state, TOL_EW, TOL_SUM, type Gen, type OpCase } from '../../testing/case-kit.ts';

// ---- losses ----
/** metrics start non-zero: the loss kernels add into them. */
const METRICS0: Gen = { kind: 'values', values: [0.5, 1, 2, 0] };

function ceCase(B: number, C: number, o: { rows?: number; grad: boolean }): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  return mk({
    name: `softmaxCrossEntropy ${B}x${C}` + (rows < B ? ` rows=${rows}` : '') + (o.grad ? '' : ' no dlogits'),
    ops: ['softmaxCrossEntropy'],
    tensors: [
      inp('logits', [B, C], { kind: 'normal', scale: 2 }),
      inp('labels', [B], { kind: 'int', n: C }, { dtype: 'u32' }),
      state('metrics', [4], METRICS0),
      ...(o.grad ? [out('dlogits', [B, C])] : []),
    ],
    params: { rows },
    gpuTol: TOL_SUM,
    gpuTolFor: { dlogits: TOL_EW },
    grad: o.grad ? { kind: 'loss', metrics: 'metrics', wrt: [['logits', 'dlogits']] } : undefined,
    record: (be, t) => ({ forward: [be.softmaxCrossEntropy(o.grad ? t.dlogits : null, t.logits, t.labels, t.metrics)], backward: [] }),
  });
}

function mseCase(B: number, D: number, o: { rows?: number; grad: boolean }): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  return mk({
    name: `mse ${B}x${D}` + (rows < B ? ` rows=${rows}` : '') + (o.grad ? '' : ' no dpred'),
    ops: ['mse'],
    tensors: [
      inp('pred', [B, D]),
      inp('target', [B, D]),
      state('metrics', [4], METRICS0),
      ...(o.grad ? [out('dpred', [B, D])] : []),
    ],
    params: { rows },
    gpuTol: TOL_SUM,
    gpuTolFor: { dpred: TOL_EW },
    grad: o.grad ? { kind: 'loss', metrics: 'metrics', wrt: [['pred', 'dpred']] } : undefined,
    record: (be, t) => ({ forward: [be.mse(o.grad ? t.dpred : null, t.pred, t.target, t.metrics)], backward: [] }),
  });
}

/**
 * The sequence cross-entropy's exact counts, added to metrics that start at [0, 1, 2, 3, 4, 5]:
 * counted tokens in [2], sequences in [5]; [4] (whole sequences right) in range.
 */
export function seqCeMetricsIssues(m: ArrayLike<number>, counted: number, rows: number): string[] {
  const errs: string[] = [];
  if (m[2] !== 2 + counted) errs.push(`metrics[2] = ${m[2]}, want ${2 + counted}`);
  if (m[5] !== 3 + rows) errs.push(`metrics[5] = ${m[5]}, want ${3 + rows}`);
  if (!(m[4] >= 1 && m[4] <= 1 + rows)) errs.push(`metrics[4] = ${m[4]} out of range`);
  return errs;
}

export const LOSS_CASES: OpCase[] = [
  ceCase(7, 10, { grad: true }),
  ceCase(7, 10, { grad: false }),
  ceCase(7, 10, { rows: 5, grad: true }),
  ceCase(300, 10, { rows: 290, grad: true }), // more rows than the 256 threads
  mseCase(6, 5, { grad: true }),
  mseCase(6, 5, { grad: false }),
  mseCase(6, 5, { rows: 4, grad: true }),
  mseCase(300, 3, { rows: 299, grad: true }),
];

// ---- the row-parallel sequence cross-entropy (rows.wgsl.ts; hardware GPUs, T·V > 1024) ----
const SEQ_METRICS0: Gen = { kind: 'values', values: [0.5, 1, 2, 0, 1, 3, 0, 0] };

/**
 * labels (B, T) in [0, V), IGNORE_LABEL where ignore(b, t). Finite differences need the loss's
 * divisor (counted tokens) as the logits' first dimension (the harness divides by it), so cases
 * whose counted tokens do not divide B·T·V compare GPU and CPU only.
 */
function seqRowsCase(B: number, T: number, V: number, ignore: (b: number, t: number) => boolean, o: { rows?: number; grad?: boolean; note?: string } = {}): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  const labels = Array.from({ length: B * T }, (_, i) => (ignore(Math.floor(i / T), i % T) ? IGNORE_LABEL : (i * 7 + 3) % V));
  const counted = labels.slice(0, rows * T).filter((l) => l !== IGNORE_LABEL).length;
  const grad = o.grad !== false;
  const fd = grad && counted > 0 && (B * T * V) % counted === 0;
  const shape = fd ? [counted, (B * T * V) / counted] : [B, T, V];
  return mk({
    name: `sequenceCrossEntropy rows ${B}x${T}x${V} counted=${counted}` + (rows < B ? ` rows=${rows}` : '') + (grad ? '' : ' no dlogits') + (o.note ? ` ${o.note}` : ''),
    ops: ['sequenceCrossEntropy'],
    tensors: [
      inp('logits', shape, { kind: 'normal', scale: 2 }),
      inp('labels', [B, T], { kind: 'values', values: labels }, { dtype: 'u32' }),
      state('metrics', [8], SEQ_METRICS0),
      ...(grad ? [out('dlogits', shape)] : []),
    ],
    // A full batch keeps rows at 2^20 (the kernel clamps it to B) so that the FD divisor is `counted`.
    params: rows < B ? { rows } : {},
    gpuPaths: 'hardware',
    gpuTol: TOL_SUM,
    gpuTolFor: { dlogits: TOL_EW },
    grad: fd ? { kind: 'loss', metrics: 'metrics', wrt: [['logits', 'dlogits']] } : undefined,
    record: (be, t) => ({ forward: [be.sequenceCrossEntropy(grad ? t.dlogits : null, t.logits, { ...t.labels, shape: [B, T] }, t.metrics)], backward: [] }),
    check: (v) => seqCeMetricsIssues(v.metrics, counted, rows),
  });
}

export const SEQ_ROWS_CASES: OpCase[] = [
  seqRowsCase(3, 40, 30, (_b, t) => t < 10), // a prompt of 10 ignored tokens per sequence: counted 90 divides 3600
  seqRowsCase(4, 9, 130, (b, t) => (b * 9 + t) % 5 === 0, { rows: 3 }), // V over 2 × 64 threads, a partial batch
  seqRowsCase(2, 1, 1500, () => false), // classification-like: T = 1, a wide vocabulary
  seqRowsCase(3, 30, 40, (b) => b === 1, { note: 'one sequence all ignored' }), // it counts as right
  seqRowsCase(2, 1100, 1, (_b, t) => t % 3 === 1), // V = 1: loss 0, dlogits 0, every token right
  seqRowsCase(5, 33, 37, (b, t) => (b + t) % 4 === 0, { grad: false }),
];
