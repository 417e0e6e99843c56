// Plain-loop reference of the flat-buffer optimizer as a CPU backend kernel.
import type { Kernel, OptimizerConfig, Tensor } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';
const f = (t: Tensor) => t.store as Float32Array;

export function optimizerStep(params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): Kernel {
  return cpuKernel(`optimizer ${cfg.kind}`, (p) => {
    const P = f(params), G = f(grads), Mm = f(m), V = f(v);
    let scale = 1;
    if (sq && cfg.clipNorm > 0) {
      const norm = Math.sqrt(f(sq)[sq.offset]);
      scale = Math.min(1, cfg.clipNorm / (norm + 1e-6));
    }
    const lr = p.lr, t = p.step;
    const bc1 = 1 - Math.pow(cfg.beta1, t), bc2 = 1 - Math.pow(cfg.beta2, t);
    for (let i = 0; i < params.size; i++) {
      const pi = params.offset + i;
      let w = P[pi];
      let g = G[grads.offset + i] * scale;
      if (cfg.kind === 'sgd') {
        g += cfg.weightDecay * w;
        if (cfg.momentum > 0) {
          // torch: the buffer starts as the first gradient, which is momentum·0 + g.
          const buf = cfg.momentum * Mm[m.offset + i] + g;
          Mm[m.offset + i] = buf;
          g = cfg.nesterov ? g + cfg.momentum * buf : buf;
        }
        w -= lr * g;
      } else {
        if (cfg.kind === 'adamw') w *= 1 - lr * cfg.weightDecay;
        else g += cfg.weightDecay * w;
        const mi = cfg.beta1 * Mm[m.offset + i] + (1 - cfg.beta1) * g;
        const vi = cfg.beta2 * V[v.offset + i] + (1 - cfg.beta2) * g * g;
        Mm[m.offset + i] = mi;
        V[v.offset + i] = vi;
        w -= ((lr / bc1) * mi) / (Math.sqrt(vi) / Math.sqrt(bc2) + cfg.eps);
      }
      P[pi] = w;
    }
  });
}
