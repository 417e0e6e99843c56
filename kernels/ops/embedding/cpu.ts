// CPU reference of the embedding lookup and its gradient, in plain loops.
import type { Kernel, Tensor } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type F = Float32Array | Float64Array;
const a = (t: Tensor) => t.store as F;

export function embeddingRef(out: Tensor, ids: Tensor, table: Tensor): void {
  const N = ids.size, V = table.shape[0], D = table.size / V;
  const O = a(out), I = a(ids), W = a(table);
  for (let n = 0; n < N; n++) {
    const id = I[ids.offset + n];
    const ok = id >= 0 && id < V;
    for (let k = 0; k < D; k++) O[out.offset + n * D + k] = ok ? W[table.offset + Math.floor(id) * D + k] : 0;
  }
}

export function embeddingBackwardRef(dtable: Tensor, dout: Tensor, ids: Tensor, accumulate: boolean): void {
  const N = ids.size, V = dtable.shape[0], D = dtable.size / V;
  const G = a(dtable), DY = a(dout), I = a(ids);
  if (!accumulate) G.fill(0, dtable.offset, dtable.offset + dtable.size);
  for (let n = 0; n < N; n++) {
    const id = I[ids.offset + n];
    if (!(id >= 0 && id < V)) continue;
    for (let k = 0; k < D; k++) G[dtable.offset + Math.floor(id) * D + k] += DY[dout.offset + n * D + k];
  }
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function embedding(out: Tensor, ids: Tensor, table: Tensor): Kernel {
  if (out.size !== ids.size * (table.size / table.shape[0])) throw new Error(`embedding: ${out.name} (${out.shape}) does not hold ${ids.size} rows of ${table.name} (${table.shape})`);
  return cpuKernel('embedding', () => embeddingRef(out, ids, table));
}

export function embeddingBackward(dtable: Tensor, dout: Tensor, ids: Tensor, accumulate = false): Kernel {
  return cpuKernel('embedding backward', () => embeddingBackwardRef(dtable, dout, ids, accumulate));
}
