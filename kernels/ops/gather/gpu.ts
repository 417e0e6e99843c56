// GPU dispatch of the gather ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { gatherRowsWgsl, gatherWgsl } from './wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function gatherBatch(be: GpuBackend, x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel {
  const B = y.size;
  // nSrc: the rows of the dataset, one label each (the image bytes hold as many rows).
  checkSizes('gatherBatch', [[x, B * rowBytes]]);
  if (images.size * 4 < labels.size * rowBytes) throw new Error(`gatherBatch: images ${images.name} hold ${images.size * 4} bytes, under ${labels.size} rows of ${rowBytes}`);
  return be.ew('gatherBatch', gatherWgsl(), B * rowBytes, { u: [B, rowBytes, indices.size, labels.size] },
    { IM: images, LB: labels, IX: indices, X: x, Y: y });
}

export function gatherRows(be: GpuBackend, out: Tensor, src: Tensor, indices: Tensor): Kernel {
  const B = out.shape[0], L = out.size / B;
  if (src.size % L) throw new Error(`gatherRows: source ${src.name} (${src.size} values) is not whole rows of ${L}`);
  return be.ew('gatherRows', gatherRowsWgsl(), out.size, { u: [B, L, indices.size, src.size / L] }, { SRC: src, IX: indices, OUT: out });
}
