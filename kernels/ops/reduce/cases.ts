// Op cases of the reductions: reduce along an axis, sumRows (plain and split), sumSquares.
import { type ReduceOp } from '../../backend.ts';
import { inp, mk, NORMAL, out, state, TOL_SUM, type OpCase } from '../../testing/case-kit.ts';

// ---- reductions ----
function reduceCase(op: ReduceOp, axis: number): OpCase {
  const shape = [5, 6, 7];
  const ax = axis < 0 ? shape.length + axis : axis;
  const yShape = shape.filter((_, i) => i !== ax);
  return mk({
    name: `reduce ${op} axis ${axis} of ${shape.join('x')}`,
    ops: ['reduce', 'reduceBackward'],
    tensors: [
      inp('x', shape, op === 'max' ? { kind: 'distinct' } : NORMAL),
      out('y', yShape),
      inp('dy', yShape),
      out('dx', shape),
    ],
    gpuTol: TOL_SUM,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.reduce(op, t.y, t.x, axis)],
      backward: [be.reduceBackward(op, t.dx, t.dy, t.x, t.y, axis)],
    }),
  });
}

export const REDUCE_CASES: OpCase[] = (['sum', 'mean', 'max'] as const).flatMap((op) => [0, 1, -1].map((axis) => reduceCase(op, axis)));

// Hardware GPUs split ≥ 64 rows across a workgroup's lanes (sumRowsParallelWgsl): 1, 7 and 129
// columns (one partly filled block of 64, and 256 lanes for a single column), rows not a multiple of the lanes.
export const SUMROWS_CASES: OpCase[] = ([[33, 129, false], [33, 129, true], [1000, 7, true, true], [333, 129, false, true], [77, 1, false, true]] as const)
  .map(([rows, cols, acc, hw]) => mk({
    name: `sumRows ${rows}x${cols}${acc ? ' accumulate' : ''}${hw ? ' hardware' : ''}`,
    ops: ['sumRows'],
    tensors: [inp('x', [rows, cols]), acc ? state('y', [cols], NORMAL) : out('y', [cols])],
    gpuTol: TOL_SUM,
    gpuPaths: hw ? 'hardware' : undefined,
    record: (be, t) => ({ forward: [be.sumRows(t.y, t.x, acc)], backward: [] }),
  }));

// ---- training-step ops ----
export const SUMSQ_CASES: OpCase[] = [mk({
  name: 'sumSquares 5000',
  ops: ['sumSquares'],
  tensors: [inp('x', [5000], NORMAL, { view: true }), out('y', [1])],
  gpuTol: TOL_SUM,
  record: (be, t) => ({ forward: [be.sumSquares(t.y, t.x)], backward: [] }),
  check(v) {
    let s = 0;
    for (let i = 0; i < 5000; i++) s += v.x[i] * v.x[i];
    return Math.abs(v.y[0] - s) <= 1e-5 * s ? [] : [`Σx² = ${v.y[0]}, want ${s} (rel err ${Math.abs(v.y[0] - s) / s})`];
  },
})];
