// Split-K for the weight-gradient layout on hardware GPUs: dW (M, N) = Xᵀ·dY with X stored
// (K, M) and dY (K, N), K = batch × tokens long and M × N small (a transformer's 64 × 192 over
// 2,048 tokens). Tiled kernels give such a product a dozen workgroups, each walking all of K; the
// dot kernel (dot.wgsl.ts) covers outputs up to DOT_MAX_OUTPUTS. Here K is cut into S equal slices,
// and because rows k of X and dY are contiguous, slice s is simply batch s of a batched matmul over
// views (S, K/S, M) and (S, K/S, N): one dispatch writes S partial products into a scratch, and
// a second sums them into dW (accumulating where asked). No new GEMM kernel: the batched one is
// whichever the adapter gets, with its implicit ones row ([dW; db]) per slice.
import type { Kernel, MatmulOpts, Tensor } from '../../backend.ts';
import { sumRowsWgsl } from '../reduce/wgsl.ts';
import type { GpuBackend, GpuKernel } from '../../gpu/backend.ts';

/** K at least this long before it is split; each slice keeps at least SPLITK_MIN_SLICE of it. */
export const SPLITK_MIN_K = 1024;
export const SPLITK_MIN_SLICE = 256;
const SPLITK_MAX_SLICES = 32;
/** Workgroups to aim for, counting 64 × 64 output tiles (an H100 has 132 SMs). */
const SPLITK_TARGET_GROUPS = 132;

/** Why split-K does not apply to these options, or null: the weight-gradient layout, plain epilogue. */
export function splitKIneligible(o: MatmulOpts, batch: number): string | null {
  if (!o.transA || o.transB) return 'it needs transA without transB (dW = Xᵀ·dY, X stored (K, M))';
  if (batch > 1) return 'it needs batch 1';
  if (o.bias || (o.act ?? 'none') !== 'none' || o.gradAct) return 'it has no bias, act or gradAct epilogue';
  return null;
}

/** Slices for an M × N × K product: the most (dividing K, each ≥ 256 long) up to the target groups; 1 = no split. */
export function splitKSlices(M: number, N: number, K: number): number {
  const tiles = Math.ceil(M / 64) * Math.ceil(N / 64);
  const most = Math.min(SPLITK_MAX_SLICES, Math.ceil(SPLITK_TARGET_GROUPS / tiles), Math.floor(K / SPLITK_MIN_SLICE));
  for (let s = most; s >= 2; s--) if (K % s === 0) return s;
  return 1;
}

/**
 * out (M, N) (+)= op(a)·b in S slices of K: `mm` records the batched product (the caller's matmul,
 * so the kernel choice stays in one place), then a sumRows pass over the S partials.
 */
export function splitK(be: GpuBackend, out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts, M: number, N: number, K: number, S: number,
  mm: (out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts) => Kernel): Kernel {
  const Ma = o.onesRow ? M - 1 : M, Kc = K / S;
  if (!Number.isInteger(Kc) || S < 2) throw new Error(`matmul split-K: ${S} slices do not divide K = ${K}`);
  const part = be.make([S, M, N], 'matmul split-K partials', 'f32', be.scratchBuffer(S * M * N, 'matmul split-K partials'), 0);
  const k = mm(part, { ...a, shape: [S, Kc, Ma] }, { ...b, shape: [S, Kc, N] }, { transA: true, onesRow: o.onesRow, batch: S, tile: o.tile }) as GpuKernel;
  k.next = be.ew(`matmul split-K ${S} sum`, sumRowsWgsl(), M * N, { u: [S, 0, M * N, o.accumulate ? 1 : 0] }, { X: part, Y: out });
  return k;
}
