// CpuBackend.attention / attentionBackward on the WebAssembly SIMD kernels
// (kernels/wasm/as/attention.ts), in place in the WASM heap. Attention dropout stays with the
// TypeScript reference (its counter-based mask is not ported).
import type { Tensor } from '../backend.ts';
import { addressOf, Scratch, wasm } from './runtime.ts';

type Drop = { rate: number; salt: number } | undefined;

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
      const p = s.alloc(T);
      if (p < 0) return false;
      k.attentionForward(B, T, D, heads, causal ? 1 : 0, q, o, l, p);
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
      const P = s.alloc(T * T), dS = s.alloc(T * T);
      if (Math.min(P, dS) < 0) return false;
      k.attentionBackward(B, T, D, heads, causal ? 1 : 0, q, d, g, P, dS);
      return true;
    } finally {
      s.done();
    }
  };
}
