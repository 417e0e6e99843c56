// CPU references of the batch gathers, in plain loops.
import type { StepParams, Tensor } from '../../backend.ts';

type F = Float32Array | Float64Array;
const au = (t: Tensor) => t.store as Uint32Array;

export function gatherRowsRef(p: StepParams, out: Tensor, src: Tensor, indices: Tensor): void {
  const B = out.shape[0], L = out.size / B;
  const O = out.store as F | Uint32Array, S = src.store as F | Uint32Array, IX = au(indices);
  for (let r = 0; r < B; r++) {
    const row = IX[indices.offset + Math.min(p.batchStart + r, indices.size - 1)];
    for (let j = 0; j < L; j++) O[out.offset + r * L + j] = S[src.offset + row * L + j];
  }
}
