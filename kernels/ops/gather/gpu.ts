// GPU dispatch of the gather ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { gatherRowsWgsl, gatherWgsl } from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function gatherBatch(be: GpuBackend, x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel {
  const B = y.size;
  return be.ew('gatherBatch', gatherWgsl(), B * rowBytes, { u: [B, rowBytes, indices.size] },
    { IM: images, LB: labels, IX: indices, X: x, Y: y });
}

export function gatherRows(be: GpuBackend, out: Tensor, src: Tensor, indices: Tensor): Kernel {
  const B = out.shape[0], L = out.size / B;
  return be.ew('gatherRows', gatherRowsWgsl(), out.size, { u: [B, L, indices.size] }, { SRC: src, IX: indices, OUT: out });
}
