// Attention maps on demand: the training graph keeps each attention layer's qkv (B, T, 3D) and
// log-sum-exp (B, heads, T) for its backward, so the weights of sample 0 of the latest batch can
// be recomputed by one extra dispatch per layer, in a program of its own that is built the first
// time it is asked for. Training pays nothing when nobody looks.
import type { Program, Tensor } from '../backend.ts';
import type { Compiled } from './compile.ts';

export interface AttentionMap {
  name: string; // e.g. "layers.2.b0.attn"
  heads: number;
  T: number;
  causal: boolean;
  tokens: number[]; // sample 0's input token ids (empty when the input is not tokens)
  probs: Float32Array; // (heads, T, T): row i = query position i's weights over key positions
}

export class AttentionInspector {
  private program: Program | null = null;
  private probs: Tensor[] = [];

  constructor(private readonly c: Compiled) {}

  get available(): boolean {
    return this.c.trainGraph.attentionTaps.length > 0;
  }

  /** Reads the maps of sample 0 of the last submitted training batch (queued behind it). */
  async read(): Promise<AttentionMap[]> {
    const { be, trainGraph } = this.c;
    const taps = trainGraph.attentionTaps;
    if (!taps.length) return [];
    if (!this.program) {
      // Views of batch row 0: same storage and offset, batch dimension 1.
      const kernels = taps.map((t, i) => {
        const [, T, D3] = t.qkv.shape;
        const p = be.tensor([1, t.heads, T, T], `${t.name}.probs`);
        this.probs[i] = p;
        return be.attentionProbs(p, { ...t.qkv, shape: [1, T, D3], size: T * D3 }, { ...t.lse, shape: [1, t.heads, T], size: t.heads * T }, t.heads, t.causal);
      });
      this.program = be.program('attention maps', kernels);
    }
    be.run(this.program, { step: 0, batchStart: 0, lr: 0, seed: 0, rows: 1 });
    const x = this.c.x;
    const tokenInput = x.shape.length === 2; // (B, T) ids; images are (B, H, W, C)
    const row = tokenInput ? await be.read({ ...x, shape: [x.shape[1]], size: x.shape[1] }) : null;
    const out: AttentionMap[] = [];
    for (let i = 0; i < taps.length; i++) {
      const t = taps[i];
      out.push({
        name: t.name, heads: t.heads, T: t.qkv.shape[1], causal: t.causal,
        tokens: row ? Array.from(row, (v) => Math.round(v)) : [],
        probs: Float32Array.from(await be.read(this.probs[i])),
      });
    }
    return out;
  }

  dispose(): void {
    for (const p of this.probs) this.c.be.free(p);
    this.probs = [];
    this.program = null;
  }
}
