// CPU references of the batch gathers, in plain loops.
import type { Kernel, StepParams, Tensor } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

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

// ---- the CPU backend's kernels: each runs the loops above ----
const f = (t: Tensor) => t.store as Float32Array;
const u = (t: Tensor) => t.store as Uint32Array;

export function gatherBatch(x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel {
  const B = y.size;
  return cpuKernel('gatherBatch', (p) => {
    const IM = u(images), LB = u(labels), IX = u(indices), X = f(x), Y = u(y);
    for (let r = 0; r < B; r++) {
      const src = IX[indices.offset + Math.min(p.batchStart + r, indices.size - 1)];
      Y[y.offset + r] = LB[labels.offset + src];
      for (let j = 0; j < rowBytes; j++) {
        const byte = src * rowBytes + j;
        const word = IM[images.offset + (byte >>> 2)];
        X[x.offset + r * rowBytes + j] = ((word >>> ((byte & 3) * 8)) & 255) / 255;
      }
    }
  });
}

export function gatherRows(out: Tensor, src: Tensor, indices: Tensor): Kernel {
  return cpuKernel('gatherRows', (p) => gatherRowsRef(p, out, src, indices));
}
