// Transformer layers: positional encodings, the block stack, ViT patches and the tied output head.
// Parameters of one block k, in this order (the weights-file order too), D = model width, M = MLP width:
//   ln1.gamma (D), ln1.beta (D), attn.W_qkv (D, 3D), attn.b_qkv (3D), attn.W_o (D, D), attn.b_o (D),
//   ln2.gamma (D), ln2.beta (D), mlp.W1 (D, M), mlp.b1 (M), mlp.W2 (M, D), mlp.b2 (D)
// W_qkv is torch's in_proj_weight transposed (x·W): columns [0, D) make q, [D, 2D) k, [2D, 3D) v,
// and head h owns columns h·dh … (h+1)·dh − 1 of each block.
import type { Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import type { TransformerSpec } from '../layers/transformer.ts';
import type { PosencSpec } from '../layers/posenc.ts';
import type { ParamInfo } from './model.ts';

export type { TransformerSpec };

export function mlpWidth(l: TransformerSpec, D: number): number {
  return l.mlp ?? 4 * D;
}

export function transformerParamCount(l: TransformerSpec, D: number): number {
  const M = mlpWidth(l, D);
  const block = 2 * D + (D * 3 * D + 3 * D) + (D * D + D) + 2 * D + (D * M + M) + (M * D + D);
  return block * (l.layers ?? 1);
}

/** Activations saved per sample by the block stack (train graph), for the memory estimate. */
export function transformerActivations(l: TransformerSpec, T: number, D: number): number {
  const M = mlpWidth(l, D);
  // ln outs 2D, qkv 3D (+ its gradient 3D), attention out D, projection D, residual sums 2D,
  // MLP hidden before and after GELU 2M, lse/mean/rstd per head and row.
  return (l.layers ?? 1) * T * (12 * D + 2 * M + l.heads + 4);
}

export function describeTransformer(l: TransformerSpec, D: number, p: string): ParamInfo[] {
  const M = mlpWidth(l, D);
  const out: ParamInfo[] = [];
  for (let k = 0; k < (l.layers ?? 1); k++) {
    const q = `${p}.b${k}`;
    const ln = (n: string): ParamInfo[] => [
      { name: `${q}.${n}.gamma`, shape: [D], fanIn: D, fanOut: D, init: 'ones' },
      { name: `${q}.${n}.beta`, shape: [D], fanIn: D, fanOut: D, init: 'zeros' },
    ];
    out.push(...ln('ln1'));
    // Glorot for q, k, v as torch's MultiheadAttention (xavier_uniform_ over the fused (3D, D) weight).
    out.push({ name: `${q}.attn.W_qkv`, shape: [D, 3 * D], fanIn: D, fanOut: 3 * D, init: 'glorot' });
    out.push({ name: `${q}.attn.b_qkv`, shape: [3 * D], fanIn: D, fanOut: 3 * D, init: 'zeros' });
    out.push({ name: `${q}.attn.W_o`, shape: [D, D], fanIn: D, fanOut: D, init: 'glorot' });
    out.push({ name: `${q}.attn.b_o`, shape: [D], fanIn: D, fanOut: D, init: 'zeros' });
    out.push(...ln('ln2'));
    out.push({ name: `${q}.mlp.W1`, shape: [D, M], fanIn: D, fanOut: M, init: 'he' });
    out.push({ name: `${q}.mlp.b1`, shape: [M], fanIn: D, fanOut: M, init: 'zeros' });
    out.push({ name: `${q}.mlp.W2`, shape: [M, D], fanIn: M, fanOut: D, init: 'glorot' });
    out.push({ name: `${q}.mlp.b2`, shape: [D], fanIn: M, fanOut: D, init: 'zeros' });
  }
  return out;
}

/** Learned positions start small (±0.1) so they do not swamp unit-variance token embeddings. */
export function describePosenc(l: PosencSpec, T: number, D: number, p: string): ParamInfo[] {
  return l.type === 'learned' ? [{ name: `${p}.pos`, shape: [T, D], fanIn: D, fanOut: D, init: 'uniform', bound: 0.1 }] : [];
}

/** The fixed table of "Attention is all you need": PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(…). */
export function sinusoidalTable(T: number, D: number): Float32Array {
  const pe = new Float32Array(T * D);
  for (let t = 0; t < T; t++)
    for (let i = 0; i < D; i += 2) {
      const a = t / Math.pow(10000, i / D);
      pe[t * D + i] = Math.sin(a);
      if (i + 1 < D) pe[t * D + i + 1] = Math.cos(a);
    }
  return pe;
}

/** h (B, T, D) + positions (T, D), broadcast over the batch (the add's backward sums it for learned ones). */
export function buildPosenc(g: Graph, l: PosencSpec, h: Tensor, take: () => Tensor, name: string): Tensor {
  const [, T, D] = h.shape;
  let pos: Tensor;
  if (l.type === 'learned') pos = take();
  else {
    pos = g.alloc([T, D], `${name}.table`);
    g.be.write(pos, sinusoidalTable(T, D));
  }
  return g.binary('add', h, pos, `${name}.posenc`);
}

/** One block stack over h (B, T, D). */
export function buildTransformer(g: Graph, l: TransformerSpec, h: Tensor, take: () => Tensor, salt: (s: string) => number, name: string): Tensor {
  const causal = !!l.causal, post = l.norm === 'post';
  const drop = l.dropout ?? 0, attnDrop = l.attnDropout ?? 0;
  for (let k = 0; k < (l.layers ?? 1); k++) {
    const q = `${name}.b${k}`;
    const [g1, b1, Wqkv, bqkv, Wo, bo, g2, b2, W1, c1, W2, c2] = Array.from({ length: 12 }, take);
    const attn = (x: Tensor): Tensor => {
      const qkv = g.dense(x, Wqkv, bqkv, 'none', `${q}.qkv`); // (B, T, 3D)
      const a = g.attention(qkv, l.heads, causal, attnDrop > 0 ? { rate: attnDrop, salt: salt(`${q}.attn`) } : undefined, `${q}.attn`);
      return g.dropout(g.dense(a, Wo, bo, 'none', `${q}.proj`), drop, salt(`${q}.proj`), `${q}.proj.dropout`);
    };
    const mlp = (x: Tensor): Tensor => {
      const m = g.unary('gelu', g.dense(x, W1, c1, 'none', `${q}.fc1`), `${q}.gelu`);
      return g.dropout(g.dense(m, W2, c2, 'none', `${q}.fc2`), drop, salt(`${q}.fc2`), `${q}.fc2.dropout`);
    };
    if (post) {
      h = g.layerNorm(g.binary('add', h, attn(h), `${q}.res1`), g1, b1, 1e-5, `${q}.ln1`);
      h = g.layerNorm(g.binary('add', h, mlp(h), `${q}.res2`), g2, b2, 1e-5, `${q}.ln2`);
    } else {
      h = g.binary('add', h, attn(g.layerNorm(h, g1, b1, 1e-5, `${q}.ln1`)), `${q}.res1`);
      h = g.binary('add', h, mlp(g.layerNorm(h, g2, b2, 1e-5, `${q}.ln2`)), `${q}.res2`);
    }
  }
  return h;
}
