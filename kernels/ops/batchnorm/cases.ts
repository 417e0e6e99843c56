// Op cases of batch normalization: train (stats, apply, backward) and eval (running stats).
import { DEFAULT_PARAMS as P, inp, out, state, TOL_SUM, type OpCase } from '../../testing/case-kit.ts';

function bnCase(shape: number[], eval_ = false): OpCase {
  const C = shape[shape.length - 1];
  const ch = [C];
  const name = `batchnorm ${eval_ ? 'eval' : 'train'} ${shape.join('x')}`;
  const x = inp('x', shape, { kind: 'normal', scale: 2 });
  const gamma = inp('gamma', ch, { kind: 'uniform', lo: 0.5, hi: 1.5 });
  const beta = inp('beta', ch);
  if (eval_)
    return {
      name, ops: ['batchnormApply'], params: P, repeat: 1, gpuTol: TOL_SUM,
      tensors: [x, gamma, beta, inp('rm', ch), inp('rv', ch, { kind: 'uniform', lo: 0.5, hi: 2 }), out('y', shape)],
      record: (be, t) => ({ forward: [be.batchnormApply(t.y, t.x, t.rm, t.rv, t.gamma, t.beta, 1e-5, true)], backward: [] }),
    };
  return {
    name, ops: ['batchnormStats', 'batchnormApply', 'batchnormBackward'], params: P, repeat: 1, gpuTol: TOL_SUM,
    tensors: [
      x, gamma, beta, out('y', shape), out('mean', ch), out('invstd', ch),
      state('rm', ch, { kind: 'normal' }), state('rv', ch, { kind: 'uniform', lo: 0.5, hi: 2 }),
      inp('dy', shape), out('dx', shape), out('dgamma', ch), out('dbeta', ch),
    ],
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx'], ['gamma', 'dgamma'], ['beta', 'dbeta']] },
    record: (be, t) => ({
      forward: [be.batchnormStats(t.mean, t.invstd, t.x, t.rm, t.rv, 1e-5, 0.1), be.batchnormApply(t.y, t.x, t.mean, t.invstd, t.gamma, t.beta, 1e-5, false)],
      backward: be.batchnormBackward(t.dx, t.dgamma, t.dbeta, t.dy, t.x, t.mean, t.invstd, t.gamma),
    }),
  };
}

export const BN_CASES: OpCase[] = [bnCase([2, 5, 3, 4]), bnCase([7, 5]), bnCase([3, 9, 7, 3]), bnCase([130, 3]), bnCase([2, 5, 3, 4], true)];
