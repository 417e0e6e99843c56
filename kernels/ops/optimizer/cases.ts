// Op cases of the flat-buffer optimizer: every kind, with and without global-norm clipping.
import { type OptimizerConfig } from '../../backend.ts';
import { inp, mk, NORMAL, out, state, TOL_OPT, TOL_SUM, type OpCase } from '../../testing/case-kit.ts';

const OPT_BASE: OptimizerConfig = { kind: 'sgd', momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 };
const OPT_CONFIGS: [string, Partial<OptimizerConfig>][] = [
  ['sgd', { kind: 'sgd', weightDecay: 0.01 }],
  ['sgd+momentum', { kind: 'sgd', momentum: 0.9 }],
  ['sgd+nesterov', { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ['adam', { kind: 'adam', weightDecay: 0.01 }],
  ['adamw', { kind: 'adamw', weightDecay: 0.1 }],
];

function optimizerCase(label: string, partial: Partial<OptimizerConfig>, clip: boolean): OpCase {
  // ‖g‖ ≈ √1000 ≈ 32, so clipNorm 1 scales the gradient by ~1/32.
  const cfg: OptimizerConfig = { ...OPT_BASE, ...partial, clipNorm: clip ? 1 : 0 };
  const n = 1000;
  return mk({
    name: `optimizerStep ${label}${clip ? ' clip=1' : ''} x3 steps`,
    ops: ['optimizerStep', ...(clip ? ['sumSquares'] : [])],
    tensors: [
      state('w', [n], NORMAL, { view: clip }),
      inp('g', [n], NORMAL, { view: clip }),
      state('m', [n], { kind: 'zeros' }, { view: clip }),
      state('v', [n], { kind: 'zeros' }, { view: clip }),
      ...(clip ? [out('sq', [1])] : []),
    ],
    repeat: 3, // steps 1, 2, 3: bias correction and momentum buffers past their first step
    params: { lr: 0.05 },
    gpuTol: TOL_OPT,
    gpuTolFor: { sq: TOL_SUM },
    record: (be, t) => ({
      forward: clip ? [be.sumSquares(t.sq, t.g), be.optimizerStep(t.w, t.g, t.m, t.v, cfg, t.sq)] : [be.optimizerStep(t.w, t.g, t.m, t.v, cfg, null)],
      backward: [],
    }),
  });
}

export const OPT_CASES: OpCase[] = OPT_CONFIGS.flatMap(([label, c]) => [false, true].map((clip) => optimizerCase(label, c, clip)));
