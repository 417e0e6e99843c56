// CpuBackend.optimizerStep on the WebAssembly SIMD kernels (kernels/wasm/as/optim.ts), in place on
// the flat parameter, gradient and state buffers when they live in the WASM heap.
import type { OptimizerConfig, StepParams, Tensor } from '../backend.ts';
import { addressOf, wasm } from './runtime.ts';

/** A runner for optimizerStep: false (nothing done) unless the kernels are loaded and every buffer is in the heap. */
export function wasmOptimizer(params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): (p: StepParams) => boolean {
  return (sp) => {
    const k = wasm();
    const pp = addressOf(params.store, params.offset), pg = addressOf(grads.store, grads.offset);
    const pm = addressOf(m.store, m.offset), pv = addressOf(v.store, v.offset);
    if (!k || Math.min(pp, pg, pm, pv) < 0) return false;
    let scale = 1;
    if (sq && cfg.clipNorm > 0) scale = Math.min(1, cfg.clipNorm / (Math.sqrt((sq.store as Float32Array)[sq.offset]) + 1e-6));
    const n = params.size;
    if (cfg.kind === 'sgd') k.sgd(n, pp, pg, pm, scale, sp.lr, cfg.momentum, cfg.nesterov ? 1 : 0, cfg.weightDecay);
    else {
      const bc1 = 1 - Math.pow(cfg.beta1, sp.step), bc2 = 1 - Math.pow(cfg.beta2, sp.step);
      k.adam(n, pp, pg, pm, pv, scale, sp.lr, cfg.beta1, cfg.beta2, 1 - cfg.beta1, 1 - cfg.beta2, sp.lr / bc1, 1 / Math.sqrt(bc2), cfg.eps, cfg.weightDecay, cfg.kind === 'adamw' ? 1 : 0);
    }
    return true;
  };
}
