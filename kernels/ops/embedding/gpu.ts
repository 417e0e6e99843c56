// GPU dispatch of the embedding ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { pow2AtLeast } from '../common.wgsl.ts';
import { embeddingBackwardParallelWgsl, embeddingBackwardWgsl, embeddingWgsl } from './wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function embedding(be: GpuBackend, out: Tensor, ids: Tensor, table: Tensor): Kernel {
  const V = table.shape[0], D = table.size / V;
  if (out.size !== ids.size * D) throw new Error(`embedding: ${out.name} (${out.shape}) does not hold ${ids.size} rows of ${table.name} (${table.shape})`);
  return be.ew('embedding', embeddingWgsl(), out.size, { u: [ids.size, V, D, 0] }, { IDS: ids, TABLE: table, OUT: out });
}

export function embeddingBackward(be: GpuBackend, dtable: Tensor, dout: Tensor, ids: Tensor, accumulate = false): Kernel {
  const V = dtable.shape[0], D = dtable.size / V;
  checkSizes('embedding backward', [[dout, ids.size * D]]);
  if (be.hw && ids.size >= 64) {
    // Hardware GPUs: a workgroup per (row v, block of columns), its lanes splitting the ids (embedding/wgsl.ts).
    const cols = Math.min(16, pow2AtLeast(D));
    return be.dimsKernel('embedding backward', embeddingBackwardParallelWgsl(cols), { u: [ids.size, V, D, accumulate ? 1 : 0] },
      { IDS: ids, DOUT: dout, DTABLE: dtable }, [V, Math.ceil(D / cols), 1]);
  }
  return be.ew('embedding backward', embeddingBackwardWgsl(), dtable.size, { u: [ids.size, V, D, accumulate ? 1 : 0] },
    { IDS: ids, DOUT: dout, DTABLE: dtable });
}
