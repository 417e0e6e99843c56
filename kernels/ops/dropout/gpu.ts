// GPU dispatch of the dropout ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { dropoutWgsl } from './wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function dropout(be: GpuBackend, out: Tensor, x: Tensor, rate: number, salt: number): Kernel {
  checkSizes('dropout', [[out, x.size]]);
  return be.ew('dropout', dropoutWgsl(), x.size, { u: [x.size, salt], f: [rate] }, { X: x, Y: out });
}

export function dropoutBackward(be: GpuBackend, dx: Tensor, dy: Tensor, rate: number, salt: number): Kernel {
  checkSizes('dropout backward', [[dx, dy.size]]);
  return be.ew('dropout backward', dropoutWgsl(), dy.size, { u: [dy.size, salt], f: [rate] }, { X: dy, Y: dx });
}
