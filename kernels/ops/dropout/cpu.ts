// Plain-loop reference of inverted dropout (the same counter-based mask as the WGSL) as CPU backend kernels.
import type { Kernel, Tensor } from '../../backend.ts';
import { hashUniform } from '../../rng.ts';
import { cpuKernel } from '../../cpu/kernel.ts';
const f = (t: Tensor) => t.store as Float32Array;

export function dropout(out: Tensor, x: Tensor, rate: number, salt: number): Kernel {
  return cpuKernel('dropout', (p) => {
    const X = f(x), Y = f(out), scale = 1 / (1 - rate);
    for (let i = 0; i < x.size; i++)
      Y[out.offset + i] = hashUniform(p.seed, salt, i) >= rate ? X[x.offset + i] * scale : 0;
  });
}

export function dropoutBackward(dx: Tensor, dy: Tensor, rate: number, salt: number): Kernel {
  return cpuKernel('dropout backward', (p) => {
    const DY = f(dy), DX = f(dx), scale = 1 / (1 - rate);
    for (let i = 0; i < dy.size; i++)
      DX[dx.offset + i] = hashUniform(p.seed, salt, i) >= rate ? DY[dy.offset + i] * scale : 0;
  });
}
