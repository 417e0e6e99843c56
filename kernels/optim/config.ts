// OptimizerSpec (user-facing, optional fields) → OptimizerConfig (every field set), with the
// defaults of torch.optim.
import type { OptimizerConfig } from '../backend.ts';
import type { TrainSpec } from '../model/types.ts';

export function optimizerConfig(t: TrainSpec): OptimizerConfig {
  const o = t.optimizer;
  const base = { momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: t.clipNorm ?? 0 };
  if (o.kind === 'sgd') return { ...base, kind: 'sgd', momentum: o.momentum ?? 0, nesterov: o.nesterov ?? false, weightDecay: o.weightDecay ?? 0 };
  return {
    ...base,
    kind: o.kind,
    beta1: o.beta1 ?? 0.9,
    beta2: o.beta2 ?? 0.999,
    eps: o.eps ?? 1e-8,
    weightDecay: o.weightDecay ?? (o.kind === 'adamw' ? 0.01 : 0),
  };
}
