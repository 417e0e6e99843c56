// Op cases of max and average pooling: odd sizes, overlapping windows, padding.
import { convGeom, type Padding, type PoolOp } from '../../backend.ts';
import { DEFAULT_PARAMS as P, inp, out, TOL_EXACT, TOL_SUM, type OpCase, type TensorSpec } from '../../testing/case-kit.ts';

function poolCase(op: PoolOp, N: number, H: number, W: number, C: number, size: number, stride: number, pad: Padding): OpCase {
  const g = convGeom([N, H, W, C], [size, size], C, stride, pad, 1);
  const xs = [N, H, W, C], ys = [N, g.OH, g.OW, C];
  const tensors: TensorSpec[] = [
    // distinct values: no ties, so the max is stable under the finite-difference step
    inp('x', xs, op === 'max' ? { kind: 'distinct' } : { kind: 'normal' }),
    out('y', ys), inp('dy', ys), out('dx', xs),
  ];
  if (op === 'max') tensors.push(out('argmax', ys, { dtype: 'u32' }));
  return {
    name: `pool2d ${op} ${xs.join('x')} size${size} s${stride} p${pad}`,
    ops: ['pool2d', 'pool2dBackward'],
    tensors, params: P, repeat: 1,
    gpuTol: TOL_SUM,
    gpuTolFor: { argmax: TOL_EXACT, ...(op === 'max' ? { y: TOL_EXACT } : {}) },
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.pool2d(op, t.y, t.x, op === 'max' ? t.argmax : null, g)],
      backward: [be.pool2dBackward(op, t.dx, t.dy, op === 'max' ? t.argmax : null, g)],
    }),
    check(v) {
      if (op !== 'max') return [];
      // Independent check of the max: y equals x at the recorded index.
      const errs: string[] = [];
      for (let i = 0; i < v.y.length && errs.length < 3; i++)
        if (v.x[v.argmax[i]] !== v.y[i]) errs.push(`y[${i}] = ${v.y[i]} but x[argmax ${v.argmax[i]}] = ${v.x[v.argmax[i]]}`);
      return errs;
    },
  };
}

export const POOL_CASES: OpCase[] = [
  poolCase('max', 2, 7, 6, 3, 2, 2, 'valid'),
  poolCase('max', 2, 8, 8, 2, 3, 2, 1), // overlapping windows, padding
  poolCase('max', 1, 7, 9, 3, 3, 1, 'same'),
  poolCase('max', 2, 9, 7, 2, 3, 3, 'valid'),
  poolCase('avg', 2, 6, 7, 3, 2, 2, 'valid'),
  poolCase('avg', 2, 8, 7, 2, 3, 2, 1),
  poolCase('avg', 1, 7, 9, 3, 3, 1, 'same'),
];
