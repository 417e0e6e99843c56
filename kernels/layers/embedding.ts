// Embedding: token ids (T) → vectors (T, dim) by table lookup; the vocabulary is the task's unless set.
import { taskInfo } from '../data/tasks.ts';
import { LIMITS } from '../model/limits.ts';
import { describeEmbedding } from '../nn/recurrent.ts';
import { fmt, type LayerDef } from './def.ts';
import { real } from './how.ts';
import { count } from './shared.ts';

export interface EmbeddingSpec { kind: 'embedding'; vocab?: number; dim: number }

export const embedding: LayerDef<EmbeddingSpec> = {
  kind: 'embedding', title: 'Embedding', label: 'Embedding', help: 'Token ids → vectors', family: 'Sequence', torchName: 'embed',
  tokenInput: true,
  fields: {
    dim: { type: 'int', label: 'Dimensions', help: 'the width of each token vector', required: true, min: 1, max: LIMITS.units },
    vocab: { type: 'int', label: 'Vocabulary', help: 'rows of the table', min: 1, max: LIMITS.vocab, default: 0, unset: 0, hint: "0 = the task's" },
  },
  make: () => ({ kind: 'embedding', dim: 32 }),
  summary: (l) => `${count(l.dim, 'dim')}${l.vocab ? `, vocabulary ${l.vocab.toLocaleString('en-US')}` : ''}`,
  how(l, inShape, outShape, { spec }) {
    const V = l.vocab || (spec.dataset.kind === 'task' ? taskInfo(spec.dataset).inputVocab : 0);
    return {
      tex: [`y_t = E_{x_t},\\quad E \\in ${real([V, l.dim])},\\; x \\in \\{0, \\dots, ${V - 1}\\}^{${inShape[0] ?? 1}},\\; y \\in ${real(outShape)}`],
      text: [`Each token id x_t picks row x_t of a learned table E of ${V} rows (one per symbol) and ${l.dim} columns, so similar tokens can end up with similar vectors.`],
    };
  },
  infer(l, shape, ctx) {
    const ds = ctx.spec.dataset;
    const taskVocab = ds.kind === 'task' ? taskInfo(ds).inputVocab : 0;
    const V = l.vocab ?? taskVocab;
    if (!(taskVocab > 0))
      ctx.error(null, `needs a sequence of token ids (T), got ${fmt(shape)}: this data has no token ids${ds.kind === 'task' ? ' (it gives real values: use a recurrent layer directly)' : ''}`);
    else if (shape.length !== 1)
      ctx.error(null, `needs the task's token ids (T), got ${fmt(shape)}: it must come first, before any layer that turns tokens into vectors`);
    else if (V < taskVocab) ctx.error('vocab', `the task has ${taskVocab} tokens but the vocabulary is ${V}`);
    ctx.embed = [V, l.dim];
    return { shape: [...shape, l.dim], params: V * l.dim, largest: V * l.dim };
  },
  describe(l, shape, { prefix, out, tiedLater }) {
    out.push(...describeEmbedding(l, prefix, tiedLater));
    return [...shape, l.dim];
  },
  lower(g, _l, h, ctx) {
    ctx.table = ctx.take();
    return g.embedding(h, ctx.table, `${ctx.name}.embedding`);
  },
  torch(l, shape, { name, e, out, line }) {
    out.init.push(`self.${name} = nn.Embedding(${l.vocab}, ${l.dim})`);
    out.params.push([`${e}.table`, `${name}.weight`, '']);
    out.embed = { name, vocab: l.vocab!, dim: l.dim };
    const s = [...shape, l.dim];
    line(s, `x = self.${name}(x)`);
    return s;
  },
  step(l, h, { next }) {
    const table = next(), id = h[0]; // h: the token id
    return Float64Array.from(table.subarray(id * l.dim, (id + 1) * l.dim));
  },
};
