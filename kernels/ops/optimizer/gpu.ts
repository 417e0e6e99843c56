// GPU dispatch of the optimizer ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, OptimizerConfig, Tensor } from '../../backend.ts';
import { optimizerWgsl } from './wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function optimizerStep(be: GpuBackend, params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): Kernel {
  const clip = !!sq && cfg.clipNorm > 0;
  const sqT = sq ?? grads; // bound but unread when not clipping
  const n = params.size;
  // m is read per parameter by momentum SGD and Adam, v by Adam; otherwise only their element 0.
  checkSizes(`optimizer ${cfg.kind}`, [[grads, n], [m, cfg.kind !== 'sgd' || cfg.momentum > 0 ? n : 1], [v, cfg.kind !== 'sgd' ? n : 1], [sqT, 1]]);
  return be.ew(`optimizer ${cfg.kind}`, optimizerWgsl(cfg, clip), params.size,
    { u: [params.size], f: [cfg.momentum, cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay, cfg.clipNorm] },
    { P: params, G: grads, M1: m, M2: v, SQ: sqT });
}
