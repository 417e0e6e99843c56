// CpuBackend.matmul on the WebAssembly SIMD GEMM (kernels/wasm/as/gemm.ts): operands are packed
// straight from the tensors in the WASM heap (copied in first only when a tensor lives outside
// it), the transpose flags being strides of the packing; the 4×8 micro-kernel writes through the
// fused bias/activation/act'/accumulate epilogue into the output.
import { matmulDims, type FusedAct, type MatmulOpts, type Tensor } from '../backend.ts';
import { addressOf, heapView, Scratch, wasm } from './runtime.ts';

export const ACT_CODE: Record<FusedAct, number> = { none: 0, relu: 1, leaky_relu: 2, tanh: 3, sigmoid: 4 };

const f = (t: Tensor) => t.store as Float32Array;

/**
 * A runner for matmul(out, a, b, o) on f32 tensors: returns false (and does nothing) while the
 * WASM kernels are not loaded or the heap has no room, so the caller runs its TypeScript loops.
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
  const s = new Scratch();
  return () => {
    const k = wasm();
    if (!k || !(f(out) instanceof Float32Array)) return false;
    try {
      for (let z = 0; z < batch; z++) {
        const c0 = out.offset + z * M * N;
        const pa = s.use(f(a), a.offset + z * Ma * K, Ma * K);
        const pb = s.use(f(b), b.offset + z * K * N, K * N);
        const inPlace = addressOf(f(out), c0) >= 0;
        const pc = s.use(f(out), c0, M * N);
        const pbias = o.bias ? s.use(f(o.bias), o.bias.offset, N) : 0;
        const py = ga ? s.use(f(ga.y), ga.y.offset + z * M * N, M * N) : 0;
        const packA = s.alloc(mp * K), packB = s.alloc(np * K);
        if (Math.min(pa, pb, pc, pbias, py, packA, packB) < 0) return z === 0 ? false : fail();
        k.packA(pa, sAm, sAk, M, Ma, K, packA);
        k.packB(pb, sBk, sBn, K, N, packB);
        k.gemmPacked(M, N, K, packA, packB, pc, pbias, act, 0.01, py, gact, ga?.alpha ?? 0.01, o.accumulate ? 1 : 0);
        if (!inPlace) f(out).set(heapView().subarray(pc >> 2, (pc >> 2) + M * N), c0);
        s.done();
      }
      return true;
    } finally {
      s.done();
    }
  };
}

function fail(): never {
  throw new Error('matmul: the WASM heap ran out of room in the middle of a batched matmul');
}
