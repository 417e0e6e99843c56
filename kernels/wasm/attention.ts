// CpuBackend.attention / attentionBackward on the WebAssembly SIMD kernels
// (kernels/wasm/as/attention.ts), in place in the WASM heap, split over (batch, head) pairs on the
// worker pool when it runs. Attention dropout stays with the
// TypeScript reference (its counter-based mask is not ported).
import type { Tensor } from '../backend.ts';
import { minParallelWork, parallel, share, threadCount, type Call } from './pool.ts';
import { addressOf, Scratch, wasm } from './runtime.ts';

type Drop = { rate: number; salt: number } | undefined;

/**
 * Threads for `bh` (b, h) pairs of T×T scores over `dh` columns, each thread owning whole heads
 * (disjoint outputs: bit-identical to one thread); one where the work is too small to pay for waking workers.
 */
const parts = (bh: number, T: number, dh: number) => (bh * T * T * dh < minParallelWork() ? 1 : Math.max(1, Math.min(threadCount(), bh)));

/** B, T, D of qkv (B, T, 3·D) or (T, 3·D); the CPU backend has checked the shapes. */
function dims(qkv: Tensor): { B: number; T: number; D: number } {
  const [B, T, D3] = qkv.shape.length === 3 ? qkv.shape : [1, qkv.shape[0], qkv.shape[1]];
  return { B, T, D: D3 / 3 };
}

export function wasmAttention(out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, drop: Drop): () => boolean {
  const { B, T, D } = dims(qkv);
  return () => {
    const k = wasm();
    const q = addressOf(qkv.store, qkv.offset), o = addressOf(out.store, out.offset), l = addressOf(lse.store, lse.offset);
    if (!k || (drop && drop.rate > 0) || Math.min(q, o, l) < 0) return false;
    const s = new Scratch();
    try {
      const tasks: Call[][] = [];
      for (let t = 0, n = parts(B * heads, T, D / heads); t < n; t++) {
        const p = s.alloc(T); // each thread's own row of probabilities
        if (p < 0) return false;
        tasks.push([['attentionForward', B, T, D, heads, causal ? 1 : 0, q, o, l, p, ...share(B * heads, n, t)]]);
      }
      parallel(k, tasks);
      return true;
    } finally {
      s.done();
    }
  };
}

export function wasmAttentionBackward(dqkv: Tensor, dout: Tensor, qkv: Tensor, heads: number, causal: boolean, drop: Drop): () => boolean {
  const { B, T, D } = dims(qkv);
  return () => {
    const k = wasm();
    const q = addressOf(qkv.store, qkv.offset), d = addressOf(dout.store, dout.offset), g = addressOf(dqkv.store, dqkv.offset);
    if (!k || (drop && drop.rate > 0) || Math.min(q, d, g) < 0) return false;
    const s = new Scratch();
    try {
      const tasks: Call[][] = [];
      for (let t = 0, n = parts(B * heads, T, D / heads); t < n; t++) {
        const P = s.alloc(T * T), dS = s.alloc(T * T); // each thread's own scratch
        if (Math.min(P, dS) < 0) return false;
        tasks.push([['attentionBackward', B, T, D, heads, causal ? 1 : 0, q, d, g, P, dS, ...share(B * heads, n, t)]]);
      }
      parallel(k, tasks);
      return true;
    } finally {
      s.done();
    }
  };
}
