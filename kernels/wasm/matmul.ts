// CpuBackend.matmul on the WebAssembly SIMD GEMM (kernels/wasm/as/gemm.ts): the operands are
// copied into the module's heap, packed there (the transpose flags are strides of the packing),
// multiplied by the 4×8 micro-kernel with the bias/activation/act'/accumulate epilogue fused, and
// the result copied back. Copying costs O(MK + KN + MN) against the product's O(MNK).
import { matmulDims, type FusedAct, type MatmulOpts, type Tensor } from '../backend.ts';
import { Arena, wasm, type WasmKernels } from './runtime.ts';

export const ACT_CODE: Record<FusedAct, number> = { none: 0, relu: 1, leaky_relu: 2, tanh: 3, sigmoid: 4 };

let arena: Arena | null = null;
let arenaOf: WasmKernels | null = null;
/** The arena over the loaded module, reset to empty. */
export function freshArena(k: WasmKernels): Arena {
  if (!arena || arenaOf !== k) {
    arena = new Arena(k);
    arenaOf = k;
  }
  arena.reset();
  return arena;
}

const f = (t: Tensor) => t.store as Float32Array;

/**
 * A runner for matmul(out, a, b, o) on f32 tensors: returns false (and does nothing) while the
 * WASM kernels are not loaded, so the caller runs its TypeScript loops instead.
 */
export function wasmMatmul(out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts = {}): () => boolean {
  const { M, N, K, batch } = matmulDims(a, b, o);
  const Ma = o.onesRow ? M - 1 : M;
  const [sAm, sAk] = o.transA ? [1, Ma] : [K, 1];
  const [sBk, sBn] = o.transB ? [1, K] : [N, 1];
  const act = ACT_CODE[o.act ?? 'none'];
  const ga = o.gradAct;
  const gact = ga ? ACT_CODE[ga.act] : 0;
  const mp = Math.ceil(M / 4) * 4, np = Math.ceil(N / 8) * 8;
  return () => {
    const k = wasm();
    if (!k) return false;
    const C = f(out);
    for (let z = 0; z < batch; z++) {
      const ar = freshArena(k);
      const pa = ar.put(f(a), a.offset + z * Ma * K, Ma * K);
      const pb = ar.put(f(b), b.offset + z * K * N, K * N);
      const c0 = out.offset + z * M * N;
      const pc = o.accumulate ? ar.put(C, c0, M * N) : ar.alloc(M * N);
      const pbias = o.bias ? ar.put(f(o.bias), o.bias.offset, N) : 0;
      const py = ga ? ar.put(f(ga.y), ga.y.offset + z * M * N, M * N) : 0;
      const packA = ar.alloc(mp * K), packB = ar.alloc(np * K);
      k.packA(pa, sAm, sAk, M, Ma, K, packA);
      k.packB(pb, sBk, sBn, K, N, packB);
      k.gemmPacked(M, N, K, packA, packB, pc, pbias, act, 0.01, py, gact, ga?.alpha ?? 0.01, o.accumulate ? 1 : 0);
      C.set(ar.f32().subarray(pc >> 2, (pc >> 2) + M * N), c0);
    }
    return true;
  };
}
