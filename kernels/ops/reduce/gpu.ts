// GPU dispatch of the reduce ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, ReduceOp, Tensor } from '../../backend.ts';
import { pow2AtLeast } from '../common.wgsl.ts';
import { reduceBackwardWgsl, reduceWgsl, sumRowsParallelWgsl, sumRowsWgsl, sumSquaresWgsl } from './wgsl.ts';
import { axisSplit, checkSizes } from '../shapes.ts';
import type { GpuBackend, GpuKernel } from '../../gpu/backend.ts';

/** Rows per lane of a sumRows chunk on hardware GPUs (sumRowsParallelWgsl). */
const SUM_CHUNK_LANE = 16;

export function reduce(be: GpuBackend, op: ReduceOp, out: Tensor, x: Tensor, axis: number): Kernel {
  const [outer, len, inner] = axisSplit(x.shape, axis);
  checkSizes(`reduce ${op}`, [[x, outer * len * inner], [out, outer * inner]]);
  return be.ew(`reduce ${op}`, reduceWgsl(op), outer * inner, { u: [outer, len, inner] }, { X: x, Y: out });
}

export function reduceBackward(be: GpuBackend, op: ReduceOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, axis: number): Kernel {
  const [outer, len, inner] = axisSplit(x.shape, axis);
  checkSizes(`reduce ${op} backward`, [[x, outer * len * inner], [dx, x.size], [dy, outer * inner], [y, outer * inner]]);
  return be.ew(`reduce ${op} backward`, reduceBackwardWgsl(op), x.size, { u: [outer, len, inner] },
    { DY: dy, X: x, Yv: y, DX: dx });
}

export function sumRows(be: GpuBackend, out: Tensor, x: Tensor, accumulate = false): Kernel {
  const N = out.size, rows = x.size / N;
  if (!Number.isInteger(rows)) throw new Error(`sumRows: ${x.name} (${x.shape}) is not whole rows of ${out.name}'s ${N}`);
  const dims = { u: [rows, 0, N, accumulate ? 1 : 0] };
  // Hardware GPUs: lanes of a workgroup split the rows (sumRowsParallelWgsl) once there are enough
  // of them; past SUM_CHUNK_LANE rows per lane, workgroups along y take chunks of rows into a
  // scratch (chunks, N), and a second dispatch sums the chunks into out.
  if (be.hw && rows >= 64) {
    const cols = Math.min(64, pow2AtLeast(N));
    const chunk = (256 / cols) * SUM_CHUNK_LANE, chunks = Math.ceil(rows / chunk);
    const one = (dst: Tensor, acc: boolean, len: number, ys: number): GpuKernel => be.dimsKernel('sumRows', sumRowsParallelWgsl(cols),
      { u: [rows, len, N, acc ? 1 : 0] }, { X: x, Y: dst }, [Math.ceil(N / cols), ys, 1]);
    if (chunks === 1) return one(out, accumulate, rows, 1);
    const partial = be.make([chunks, N], 'sumRows chunks', 'f32', be.scratchBuffer(chunks * N, 'sumRows chunks'), 0);
    const first = one(partial, false, chunk, chunks);
    first.next = be.ew('sumRows', sumRowsWgsl(), N, { u: [chunks, 0, N, accumulate ? 1 : 0] }, { X: partial, Y: out }) as GpuKernel;
    return first;
  }
  return be.ew('sumRows', sumRowsWgsl(), N, dims, { X: x, Y: out });
}

export function sumSquares(be: GpuBackend, out: Tensor, x: Tensor): Kernel {
  checkSizes('sumSquares', [[out, 1]]);
  return be.dimsKernel('sumSquares', sumSquaresWgsl(), { u: [x.size] }, { X: x, Y: out }, [1, 1, 1]);
}
