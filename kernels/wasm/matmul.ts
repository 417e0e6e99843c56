// CpuBackend.matmul on the WebAssembly SIMD GEMM (kernels/wasm/as/gemm.ts): operands are packed
// straight from the tensors in the WASM heap (copied in first only when a tensor lives outside
// it), the transpose flags being strides of the packing; the 4×8 micro-kernel writes through the
// fused bias/activation/act'/accumulate epilogue into the output.
import { matmulDims, type FusedAct, type MatmulOpts, type Tensor } from '../backend.ts';
import { minParallelWork, parallel, share, threadCount, type Call } from './pool.ts';
import { addressOf, heapView, Scratch, wasm, type WasmKernels } from './runtime.ts';

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
        if (Math.min(pa, pb, pc, pbias, py) < 0) return z === 0 ? false : fail();
        const ok = gemm(k, s, { M, N, K, Ma, a: pa, sAm, sAk, b: pb, sBk, sBn, c: pc, bias: pbias, act, alpha: 0.01, y: py, gact, galpha: ga?.alpha ?? 0.01, acc: o.accumulate ? 1 : 0 });
        if (!ok) return z === 0 ? false : fail();
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

/** One GEMM's operands as byte addresses in the heap and its epilogue, as gemmPacked takes them. */
export interface Gemm {
  M: number; N: number; K: number; Ma: number; // rows Ma … M − 1 of op(A) are ones (the implicit ones row)
  a: number; sAm: number; sAk: number; b: number; sBk: number; sBn: number; c: number;
  bias: number; act: number; alpha: number; y: number; gact: number; galpha: number; acc: number;
}

/**
 * Packs both operands and multiplies, C (M, N) row stride N. On the worker pool (pool.ts) when it
 * runs and the product is big enough: split over column panels of B when N ≥ M (each thread packs
 * its own panels of B and all of A, privately), else over row panels of A; each output tile has
 * one thread, so the result equals the one-thread GEMM bit for bit. false: the heap has no room.
 */
export function gemm(k: WasmKernels, s: Scratch, g: Gemm): boolean {
  const { M, N, K, Ma } = g;
  const mp = Math.ceil(M / 4), np = Math.ceil(N / 8);
  const T = threadCount();
  const parts = T > 1 && M * N * K >= minParallelWork() ? Math.min(T, N >= M ? np : mp) : 1;
  const tail = [g.c, g.bias, g.act, g.alpha, g.y, g.gact, g.galpha, g.acc];
  if (parts === 1) {
    const pa = s.alloc(mp * 4 * K), pb = s.alloc(np * 8 * K);
    if (Math.min(pa, pb) < 0) return false;
    k.packA(g.a, g.sAm, g.sAk, M, Ma, K, pa);
    k.packB(g.b, g.sBk, g.sBn, K, N, pb);
    k.gemmPacked(M, N, K, pa, pb, g.c, g.bias, g.act, g.alpha, g.y, g.gact, g.galpha, g.acc);
    return true;
  }
  const tasks: Call[][] = [];
  if (N >= M) {
    const pb = s.alloc(np * 8 * K);
    for (let t = 0; t < parts; t++) {
      const [q0, q1] = share(np, parts, t);
      const pa = s.alloc(mp * 4 * K);
      if (Math.min(pa, pb) < 0) return false;
      const n0 = q0 * 8, ns = Math.min(N, q1 * 8) - n0;
      tasks.push([
        ['packA', g.a, g.sAm, g.sAk, M, Ma, K, pa],
        ['packB', g.b + n0 * g.sBn * 4, g.sBk, g.sBn, K, ns, pb + q0 * K * 32],
        ['gemmTiles', M, N, K, pa, pb, ...tail, 0, mp, q0, q1],
      ]);
    }
  } else {
    const pa = s.alloc(mp * 4 * K);
    for (let t = 0; t < parts; t++) {
      const [p0, p1] = share(mp, parts, t);
      const pb = s.alloc(np * 8 * K);
      if (Math.min(pa, pb) < 0) return false;
      const m0 = p0 * 4, ms = Math.min(M, p1 * 4) - m0;
      tasks.push([
        ['packA', g.a + m0 * g.sAm * 4, g.sAm, g.sAk, ms, Math.max(0, Math.min(Ma - m0, ms)), K, pa + p0 * K * 16],
        ['packB', g.b, g.sBk, g.sBn, K, N, pb],
        ['gemmTiles', M, N, K, pa, pb, ...tail, p0, p1, 0, np],
      ]);
    }
  }
  parallel(k, tasks);
  return true;
}
