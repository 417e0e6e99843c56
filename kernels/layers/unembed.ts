// Unembed: scores against the last Embedding's table (weight tying), (T, D) → (T, vocab), no own weights.
import type { ParamInfo } from '../nn/model.ts';
import type { LayerDef } from './def.ts';
import { real } from './how.ts';

export interface UnembedSpec { kind: 'unembed' }

export const unembed: LayerDef<UnembedSpec> = {
  kind: 'unembed', title: 'Unembed (tied)', label: 'Unembed', help: 'Scores against the embedding table (tied weights)', family: 'Transformer',
  tiesEmbedding: true,
  fields: {},
  note: 'Unembed has no settings: it scores each position against the last Embedding’s table (tied weights).',
  make: () => ({ kind: 'unembed' }),
  summary: () => 'scores against the embedding table',
  how(_l, inShape, outShape) {
    const D = inShape[inShape.length - 1], V = outShape[outShape.length - 1];
    return {
      tex: [`s_t = E\\,h_t,\\quad E \\in ${real([V, D])},\\; h_t \\in ${real([D])},\\; s_t \\in ${real([V])}`],
      text: [`Each position's ${D}-vector is scored against every row of the Embedding's table E (the same weights, tied): a score for each of the ${V} tokens, the dot product with that token's vector.`],
    };
  },
  infer(_l, shape, ctx) {
    if (!ctx.embed) {
      ctx.error(null, 'shares the weights of an Embedding, so one must come before it');
      return { shape };
    }
    if (shape[shape.length - 1] !== ctx.embed[1])
      ctx.error(null, `the features (${shape[shape.length - 1]}) must equal the embedding width (${ctx.embed[1]}) to share its weights`);
    return { shape: [...shape.slice(0, -1), ctx.embed[0]] };
  },
  describe: (_l, shape, { out }) => [...shape.slice(0, -1), embedVocab(out)],
  lower(g, _l, h, { table, name }) {
    // logits = h · tableᵀ over all rows: the table's gradient gets this and the lookup's.
    if (!table) throw new Error(`${name}: unembed needs an embedding before it`);
    const [V, D] = table.shape;
    return g.matmul(g.reshape(h, [h.size / D, D]), table, { transB: true }, [...h.shape.slice(0, -1), V], `${name}.unembed`);
  },
  torch(_l, shape, { out, line }) {
    if (!out.embed) throw new Error('Export to PyTorch: unembed needs an embedding before it');
    // Tied rows score unit-variance features: variance 1/dim, as the playground starts them.
    out.init.push(`nn.init.normal_(self.${out.embed.name}.weight, std=${out.embed.dim} ** -0.5)  # tied to the output head: initial logits near unit scale`);
    const s = [...shape.slice(0, -1), out.embed.vocab];
    line(s, `x = x @ self.${out.embed.name}.weight.T`, 'scores against the embedding table (tied: the same Parameter, no bias)');
    return s;
  },
};

/** Rows of the last embedding table described so far: the output size of a tied unembed. */
function embedVocab(params: ParamInfo[]): number {
  for (let i = params.length - 1; i >= 0; i--) if (params[i].name.endsWith('.table')) return params[i].shape[0];
  throw new Error('unembed: no embedding before it to share weights with');
}
