// Op cases of max and average pooling: odd sizes, overlapping windows, padding.
import { convGeom, type FusedAct, type Padding, type PoolOp, type Tensor } from '../../backend.ts';
import { fusedOps } from '../../autodiff/fused.ts';
import { DEFAULT_PARAMS as P, inp, out, TOL_EW, TOL_EXACT, TOL_SUM, TOL_TRANS, type Gen, type OpCase, type TensorSpec } from '../../testing/case-kit.ts';

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

/**
 * n distinct values spaced 4/n apart in [−2, 2], none at 0 (relu's kink, where the central
 * difference would give ½), in a fixed scrambled order (stride coprime to n).
 */
function distinctOffZero(n: number): Gen {
  let k = 7;
  while (gcd(k, n) !== 1) k += 2;
  return { kind: 'values', values: Array.from({ length: n }, (_, i) => (((i * k) % n) - n / 2 + 0.5) * (4 / n)) };
}
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The activation → pool backward fusion (a conv's fused relu feeding a max pool): y = act(z),
 * p = pool(y); dz = pool2dBackward(dp) ⊙ act'(y). The GPU backend runs pool2dBackwardAct (one
 * dispatch); the CPU backend has no fused form, so it records the plain ops (pool2dBackward, then
 * unaryBackward in place), the reference the fused kernel is compared with.
 */
function poolActCase(op: PoolOp, act: Exclude<FusedAct, 'none'>, N: number, H: number, W: number, C: number, size: number, stride: number, pad: Padding): OpCase {
  const g = convGeom([N, H, W, C], [size, size], C, stride, pad, 1);
  const xs = [N, H, W, C], ys = [N, g.OH, g.OW, C];
  const tensors: TensorSpec[] = [
    inp('z', xs, distinctOffZero(xs.reduce((a, b) => a * b, 1))),
    out('y', xs), out('p', ys), inp('dp', ys), out('dz', xs),
  ];
  if (op === 'max') tensors.push(out('argmax', ys, { dtype: 'u32' }));
  const am = (t: Record<string, Tensor>) => (op === 'max' ? t.argmax : null);
  // y: relu copies or zeroes (exact), leaky_relu rounds one product, tanh/sigmoid are transcendental;
  // a max pool picks one y (its tolerance), an average sums them (gpuTol).
  const yTol = act === 'relu' ? TOL_EXACT : act === 'leaky_relu' ? TOL_EW : TOL_TRANS;
  return {
    name: `pool2d ${op} backward ${act}' ${xs.join('x')} size${size} s${stride} p${pad}`,
    ops: ['unary', 'pool2d', 'pool2dBackward', 'unaryBackward'],
    tensors, params: P, repeat: 1,
    gpuTol: TOL_SUM,
    gpuTolFor: { argmax: TOL_EXACT, y: yTol, ...(op === 'max' ? { p: yTol } : {}) },
    grad: { kind: 'dot', y: 'p', dy: 'dp', wrt: [['z', 'dz']] },
    record: (be, t) => ({
      forward: [be.unary(act, t.y, t.z, 0.01), be.pool2d(op, t.p, t.y, am(t), g)],
      backward: fusedOps(be).pool2dBackwardAct
        ? [fusedOps(be).pool2dBackwardAct!(op, t.dz, t.dp, am(t), g, { act, y: t.y })]
        : [be.pool2dBackward(op, t.dz, t.dp, am(t), g), be.unaryBackward(act, t.dz, t.dz, t.y, t.y, 0.01)],
    }),
  };
}

export const POOL_ACT_CASES: OpCase[] = [
  // cnn-mnist's shape family (2×2, stride 2) at odd sizes: the last row/column of x is in no window.
  poolActCase('max', 'relu', 2, 7, 9, 3, 2, 2, 'valid'),
  poolActCase('max', 'relu', 1, 8, 8, 5, 3, 2, 1), // overlapping windows, padding
  poolActCase('max', 'leaky_relu', 2, 5, 6, 2, 2, 2, 'valid'),
  poolActCase('max', 'tanh', 1, 7, 7, 3, 3, 1, 'same'),
  poolActCase('max', 'sigmoid', 3, 1, 1, 1, 1, 1, 'valid'), // 1×1 images, size-1 window
  poolActCase('avg', 'relu', 2, 8, 7, 2, 3, 2, 1),
  poolActCase('avg', 'sigmoid', 1, 6, 5, 4, 2, 2, 'valid'),
];
