// GPU dispatch of the augment ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { augmentWgsl } from './wgsl.ts';
import type { AugmentConfig } from '../../backend.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function augment(be: GpuBackend, out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): Kernel {
  const [N, H, W, C] = shape;
  if (N * H * W * C !== x.size || out.size !== x.size) throw new Error(`augment: shape ${shape} does not match ${x.name} (${x.size})`);
  return be.ew('augment', augmentWgsl(), N * H * W, { u: [N, H, W, C, salt >>> 0, cfg.flip ? 1 : 0, 0, 0], f: [cfg.rotate, cfg.scale, cfg.shift, 0] },
    { X: x, Y: out });
}
