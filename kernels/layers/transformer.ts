// Transformer: a stack of blocks (multi-head self-attention + GELU MLP, residuals, LayerNorm before
// (pre) or after (post) each sub-block) over (T, D). Parameters and graph: kernels/nn/transformer.ts.
import { LIMITS } from '../model/limits.ts';
import { buildTransformer, describeTransformer, mlpWidth, transformerActivations, transformerParamCount } from '../nn/transformer.ts';
import type { Transform } from '../export/torch-layers.ts';
import type { LayerDef } from './def.ts';
import { DROPOUT_MAX, notASequence, tshape } from './shared.ts';
import { real, texNum } from './how.ts';

export interface TransformerSpec {
  kind: 'transformer'; heads: number; layers?: number; mlp?: number; causal?: boolean; norm?: 'pre' | 'post'; dropout?: number; attnDropout?: number;
}

/** Engine name of each block parameter (nn/transformer.ts order) → its key in an encoder layer, and the transform. */
const BLOCK_PARAMS: [engine: string, key: string, transform: Transform][] = [
  ['ln1.gamma', 'norm1.weight', ''], ['ln1.beta', 'norm1.bias', ''],
  ['attn.W_qkv', 'self_attn.in_proj_weight', 't'], ['attn.b_qkv', 'self_attn.in_proj_bias', ''],
  ['attn.W_o', 'self_attn.out_proj.weight', 't'], ['attn.b_o', 'self_attn.out_proj.bias', ''],
  ['ln2.gamma', 'norm2.weight', ''], ['ln2.beta', 'norm2.bias', ''],
  ['mlp.W1', 'linear1.weight', 't'], ['mlp.b1', 'linear1.bias', ''],
  ['mlp.W2', 'linear2.weight', 't'], ['mlp.b2', 'linear2.bias', ''],
];

export const transformer: LayerDef<TransformerSpec> = {
  kind: 'transformer', title: 'Transformer', label: 'Transformer', help: 'Transformer block(s): self-attention + MLP', family: 'Transformer', torchName: 'blocks', attention: true,
  fields: {
    heads: { type: 'int', label: 'Heads', help: 'attention heads; the width must divide evenly', required: true, min: 1, max: LIMITS.heads },
    layers: { type: 'int', label: 'Blocks', help: 'blocks stacked', min: 1, max: LIMITS.blocks, default: 1 },
    mlp: { type: 'int', label: 'MLP units', help: 'hidden units of each MLP', min: 1, max: LIMITS.units, default: 0, unset: 0, hint: '0 = 4 × the width' },
    norm: {
      type: 'enum', label: 'Norm', help: 'LayerNorm before each sub-block or after each residual', default: 'pre',
      options: [{ value: 'pre', label: 'pre-LN (before each sub-block)' }, { value: 'post', label: 'post-LN (after each residual)' }],
    },
    causal: { type: 'bool', label: 'Causal (each position sees only earlier ones)', help: 'mask later positions', default: false },
    dropout: { type: 'number', label: 'Dropout', help: 'on the residual branches', min: 0, max: DROPOUT_MAX, step: 0.05, default: 0 },
    attnDropout: { type: 'number', label: 'Attention dropout', help: 'on the attention probabilities', min: 0, max: DROPOUT_MAX, step: 0.05, default: 0 },
  },
  make: () => ({ kind: 'transformer', heads: 4, layers: 1, causal: false, norm: 'pre' }),
  summary: (l) =>
    `${l.layers ?? 1} block${(l.layers ?? 1) > 1 ? 's' : ''}, ${l.heads} head${l.heads > 1 ? 's' : ''}, ${l.causal ? 'causal' : 'bidirectional'}, ${l.norm ?? 'pre'}-LN` +
    `${l.mlp ? `, MLP ${l.mlp.toLocaleString('en-US')}` : ''}${l.dropout ? `, dropout ${l.dropout}` : ''}`,
  how(l, inShape) {
    const [T, D] = inShape;
    const h = l.heads, d = D / h, M = mlpWidth(l, D), n = l.layers ?? 1;
    const pre = l.norm !== 'post';
    return {
      tex: [
        `Q = XW_Q,\\; K = XW_K,\\; V = XW_V,\\quad X \\in ${real([T, D])},\\; W_Q, W_K, W_V \\in ${real([D, D])}`,
        `\\mathrm{head}_i = \\mathrm{softmax}\\!\\left(\\frac{Q_i K_i^\\top}{\\sqrt{d}}${l.causal ? ' + M' : ''}\\right) V_i,\\quad d = ${D} / ${h} = ${texNum(d)},\\; i = 1, \\dots, ${h}`,
        `\\mathrm{MHA}(X) = [\\mathrm{head}_1, \\dots, \\mathrm{head}_{${h}}]\\, W_O,\\quad W_O \\in ${real([D, D])}`,
        pre
          ? `X' = X + \\mathrm{MHA}(\\mathrm{LN}(X)),\\quad Y = X' + \\mathrm{MLP}(\\mathrm{LN}(X'))`
          : `X' = \\mathrm{LN}(X + \\mathrm{MHA}(X)),\\quad Y = \\mathrm{LN}(X' + \\mathrm{MLP}(X'))`,
        `\\mathrm{MLP}(z) = W_2\\, \\mathrm{GELU}(W_1 z + b_1) + b_2,\\quad W_1 \\in ${real([M, D])},\\; W_2 \\in ${real([D, M])}`,
      ],
      text: [
        `Each of the ${T} positions asks a query of every ${l.causal ? 'earlier (the mask M hides later ones)' : 'other'} position's key; softmax turns the ${T} scores into weights that mix their values. The ${D} features are split into ${h} head${h > 1 ? 's' : ''} of d = ${texNum(d)}, each with its own ${T} × ${T} attention map.`,
        `Then an MLP of ${M} hidden units acts on each position alone, with residual connections and LayerNorm ${pre ? 'before' : 'after'} each part; ${n} such block${n > 1 ? 's are' : ' is'} stacked.`,
      ],
      inside: true,
    };
  },
  infer(l, shape, ctx) {
    if (shape.length !== 2) {
      const why = notASequence(shape, ctx.spec, ctx.input, 'a sequence of vectors (T, D)', true);
      ctx.error(null, why.message, why.fix);
      return { shape: [0] };
    }
    const [T, D] = shape;
    if (D % l.heads !== 0) ctx.error('heads', `the width ${D} must divide evenly into ${l.heads} heads`);
    return { shape, params: transformerParamCount(l, D), largest: D * Math.max(3 * D, l.mlp ?? 4 * D), acts: transformerActivations(l, T, D) };
  },
  describe(l, shape, { prefix, out }) {
    out.push(...describeTransformer(l, shape[shape.length - 1], prefix));
    return shape;
  },
  lower: (g, l, h, { take, salt, name }) => buildTransformer(g, l, h, take, salt, name),
  torch(l, shape, { name, e, i, namePrefix, out }) {
    const D = shape[1];
    const n = l.layers ?? 1, M = mlpWidth(l, D);
    const drop = l.dropout ?? 0, attnDrop = l.attnDropout ?? 0;
    const normFirst = l.norm !== 'post' ? 'True' : 'False';
    // nn.TransformerEncoderLayer computes the playground's block exactly without dropout. With
    // dropout it would differ in training: one rate for the attention probabilities and the
    // residual branches, and an extra dropout on the MLP hidden units. Then the script defines
    // Block: the same maths and parameter names, with the playground's two rates. A ModuleList
    // rather than nn.TransformerEncoder, which deep-copies one layer (every block would start equal).
    const plain = drop === 0 && attnDrop === 0;
    const ctor = plain
      ? `nn.TransformerEncoderLayer(d_model=${D}, nhead=${l.heads}, dim_feedforward=${M}, dropout=0.0, activation="gelu", batch_first=True, norm_first=${normFirst})`
      : `Block(d_model=${D}, nhead=${l.heads}, dim_feedforward=${M}, dropout=${drop}, attn_dropout=${attnDrop}, norm_first=${normFirst})`;
    if (!plain) out.helpers.add('block');
    out.init.push(`self.${name} = nn.ModuleList([${ctor} for _ in range(${n})])`);
    for (let k = 0; k < n; k++)
      for (const [en, key, how] of BLOCK_PARAMS) out.params.push([`${e}.b${k}.${en}`, `${name}.${k}.${key}`, how]);
    let mask = '';
    if (l.causal) {
      const m = `${namePrefix}mask${i}`;
      out.init.push(`self.register_buffer("${m}", torch.full((${shape[0]}, ${shape[0]}), float("-inf")).triu(1), persistent=False)  # causal: position t sees 0..t`);
      mask = `, src_mask=self.${m}`;
    }
    out.forward.push(`for block in self.${name}:  # ${n} ${l.norm === 'post' ? 'post' : 'pre'}-LN block${n > 1 ? 's' : ''}, ${l.heads} heads${l.causal ? ', causal' : ''}`);
    out.forward.push(`    x = block(x${mask})  # ${tshape(shape)}`);
    return shape;
  },
};
