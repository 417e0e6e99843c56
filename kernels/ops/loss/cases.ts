// Op cases of the fused losses (softmax cross-entropy, MSE): loss, gradient and metrics.
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
