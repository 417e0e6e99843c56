// GPU dispatch of the attention ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { attentionDims } from '../shapes.ts';
import { checkAttention } from '../shapes.ts';
import {
  attentionBackwardDkvWgsl, attentionBackwardDqWgsl, attentionProbsWgsl, attentionTile, attentionWgsl,
} from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

/** Uniform words of the attention kernels and the (tile, b·heads) grid. */
function attnSetup(qkv: Tensor, heads: number, dropout?: { rate: number; salt: number }) {
  const { B, T, D, dh } = attentionDims(qkv, heads);
  const drop = !!dropout && dropout.rate > 0;
  const dims = { u: [B, T, heads, D, drop ? dropout!.salt >>> 0 : 0, 0], f: [drop ? dropout!.rate : 0, 1 / Math.sqrt(dh)] };
  const bh = B * heads;
  const groups: [number, number, number] = [Math.ceil(T / attentionTile(dh, T)), Math.min(bh, 65535), Math.ceil(bh / 65535)];
  return { B, T, D, dh, drop, dims, groups };
}

export function attention(be: GpuBackend, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel {
  checkAttention(qkv, heads, out, lse);
  const { T, dh, drop, dims, groups } = attnSetup(qkv, heads, dropout);
  return be.kernel('attention', attentionWgsl({ dh, T, causal, dropout: drop }), { a: dims, QKV: qkv, OUT: out, LSE: lse }, groups);
}

export function attentionBackward(be: GpuBackend, dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[] {
  checkAttention(qkv, heads, out, lse);
  if (dqkv.size !== qkv.size || dout.size !== out.size) throw new Error(`attentionBackward: ${dqkv.name} / ${dout.name} do not match ${qkv.name} / ${out.name}`);
  const { B, T, dh, drop, dims, groups } = attnSetup(qkv, heads, dropout);
  // Δ (B, heads, T) = rowsum(dout ∘ out), written by the dq kernel and read by the dk/dv kernel.
  const delta = be.make([B, heads, T], 'attention delta', 'f32', be.scratchBuffer(B * heads * T, 'attention delta'), 0);
  const o = { dh, T, causal, dropout: drop };
  return [
    be.kernel('attention backward dq', attentionBackwardDqWgsl(o), { a: dims, QKV: qkv, OUT: out, DOUT: dout, LSE: lse, DQKV: dqkv, DELTA: delta }, groups),
    be.kernel('attention backward dk dv', attentionBackwardDkvWgsl(o), { a: dims, QKV: qkv, DOUT: dout, LSE: lse, DELTA: delta, DQKV: dqkv }, groups),
  ];
}

export function attentionProbs(be: GpuBackend, probs: Tensor, qkv: Tensor, lse: Tensor, heads: number, causal: boolean): Kernel {
  const { B, T, D, dh } = attentionDims(qkv, heads);
  if (probs.size !== B * heads * T * T || lse.size !== B * heads * T) throw new Error(`attentionProbs: ${probs.name} (${probs.shape}) is not (B, heads, T, T) = (${B}, ${heads}, ${T}, ${T})`);
  return be.ew('attention probs', attentionProbsWgsl(), probs.size, { u: [B, T, heads, D, 0, causal ? 1 : 0], f: [0, 1 / Math.sqrt(dh)] },
    { QKV: qkv, LSE: lse, PROBS: probs });
}
