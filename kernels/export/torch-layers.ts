// Export to PyTorch, per layer: `emit` translates the playground's layers to the lines of a torch
// nn.Module's __init__ and forward, and maps every engine tensor to its state_dict key and layout.
//
// Layouts. The engine holds images NHWC; the exported module takes NCHW like any torch model, so
// weights are converted on load (and back on save) by a named transform per tensor:
//   Dense W (in, out)              → nn.Linear weight (out, in)                      't'
//   Dense on an image (C, F)       → 1×1 nn.Conv2d weight (F, C, 1, 1)               'conv1x1'
//   Conv2D W (KH, KW, C, F)        → nn.Conv2d weight (F, C, KH, KW)                 'conv'
//   recurrent W_ih / W_hh (in, G·H) → nn.LSTM/GRU/RNN weight_ih_l{k} / weight_hh_l{k} 't'
//   patches W (size, size, C, dim)  → nn.Conv2d(C, dim, size, stride=size) weight      'conv'
//   block attn.W_qkv (D, 3D)        → self_attn.in_proj_weight (3D, D), q|k|v rows     't'
//   block attn.W_o, mlp.W1, mlp.W2  → self_attn.out_proj / linear1 / linear2 weight    't'
// Flatten of an image permutes back to NHWC first, so the next Dense sees the features in the
// engine's order; patch tokens come out row-major over the patch grid, as flatten(2).transpose(1, 2)
// of NCHW gives them. Transformer blocks are nn.TransformerEncoderLayer (or, with dropout, a small
// Block with the same parameter names: see BLOCK). BatchNorm running statistics are buffers: the
// playground's checkpoints carry them, and --save writes them back.
import { initialStateNames, recurrentOutShape } from '../nn/recurrent.ts';
import { mlpWidth } from '../nn/transformer.ts';
import { layerGeom, type SpatialLayer } from '../model/conv.ts';
import type { Activation, LayerSpec } from '../model/types.ts';

export type Transform = '' | 't' | 'conv' | 'conv1x1';

/** What the layers translate to: lines of __init__ and forward, and where each tensor goes. */
export interface Emitted {
  init: string[]; // `self.name = nn.…(…)`
  forward: string[]; // statements over `x`, each with the shape it leaves
  params: [engine: string, key: string, transform: Transform][];
  buffers: [engine: string, key: string][];
  helpers: Set<'block' | 'sinusoidal'>; // Python definitions the script needs beyond Net
  embed: { name: string; vocab: number; dim: number } | null; // the last embedding so far, for a tied unembed
}

// Activations as functional calls on X (the engine's leaky ReLU slope is 0.01, its GELU the exact erf form).
const ACT: Record<Activation, string> = {
  relu: 'F.relu(X)', leaky_relu: 'F.leaky_relu(X, 0.01)', gelu: 'F.gelu(X)', tanh: 'torch.tanh(X)', sigmoid: 'torch.sigmoid(X)',
};
const act = (a: Activation | 'none' | undefined, expr: string) => (a && a !== 'none' ? ACT[a].replace('X', expr) : expr);

/** The torch shape of a per-sample engine shape: an image (H, W, C) is (N, C, H, W) in the module. */
export const tshape = (s: number[]) => `(N, ${(s.length === 3 ? [s[2], s[0], s[1]] : s).join(', ')})`;
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const num = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));
const pair = (a: number, b: number) => (a === b ? `${a}` : `(${a}, ${b})`);

/**
 * Padding of a conv/pool layer on each side. 'same' pads TF-style: the odd pixel of an uneven
 * total goes to the bottom/right, which torch's symmetric `padding=` cannot express.
 */
export function pads(l: SpatialLayer, shape: number[]) {
  const g = layerGeom(l, shape);
  if (l.padding !== 'same') return { g, top: g.ph, bottom: g.ph, left: g.pw, right: g.pw };
  const ekh = (g.KH - 1) * g.dh + 1, ekw = (g.KW - 1) * g.dw + 1;
  const th = Math.max((g.OH - 1) * g.sh + ekh - g.H, 0), tw = Math.max((g.OW - 1) * g.sw + ekw - g.W, 0);
  return { g, top: g.ph, bottom: th - g.ph, left: g.pw, right: tw - g.pw };
}

const ABBR: Record<string, string> = {
  dense: 'fc', conv2d: 'conv', maxpool2d: 'maxpool', avgpool2d: 'avgpool', batchnorm: 'bn', embedding: 'embed',
  lstm: 'lstm', gru: 'gru', rnn: 'rnn', dropout: 'drop', layernorm: 'ln', posenc: 'pos', transformer: 'blocks', patches: 'patch',
};

/** Engine name of each block parameter (transformer.ts order) → its key in an encoder layer, and the transform. */
const BLOCK_PARAMS: [engine: string, key: string, transform: Transform][] = [
  ['ln1.gamma', 'norm1.weight', ''], ['ln1.beta', 'norm1.bias', ''],
  ['attn.W_qkv', 'self_attn.in_proj_weight', 't'], ['attn.b_qkv', 'self_attn.in_proj_bias', ''],
  ['attn.W_o', 'self_attn.out_proj.weight', 't'], ['attn.b_o', 'self_attn.out_proj.bias', ''],
  ['ln2.gamma', 'norm2.weight', ''], ['ln2.beta', 'norm2.bias', ''],
  ['mlp.W1', 'linear1.weight', 't'], ['mlp.b1', 'linear1.bias', ''],
  ['mlp.W2', 'linear2.weight', 't'], ['mlp.b2', 'linear2.bias', ''],
];

export function emit(layers: LayerSpec[], inShape: number[], enginePrefix: string, namePrefix: string, out: Emitted): number[] {
  let shape = inShape;
  const line = (stmt: string, note = '') => out.forward.push(`${stmt}  # ${tshape(shape)}${note ? `: ${note}` : ''}`);
  layers.forEach((l, i) => {
    const e = `${enginePrefix}.${i}`; // the engine's tensor names: layers.3.W, layers.2.layers.0.b, …
    const name = `${namePrefix}${ABBR[l.kind] ?? l.kind}${i}`;
    const image = shape.length === 3; // (H, W, C) per sample: NCHW in the module
    switch (l.kind) {
      case 'dense': {
        const fin = shape[shape.length - 1];
        if (image) {
          // A Dense on an image acts on the channels of every pixel: a 1×1 convolution in NCHW.
          out.init.push(`self.${name} = nn.Conv2d(${fin}, ${l.units}, kernel_size=1)  # the playground's Dense over channels`);
          out.params.push([`${e}.W`, `${name}.weight`, 'conv1x1'], [`${e}.b`, `${name}.bias`, '']);
        } else {
          out.init.push(`self.${name} = nn.Linear(${fin}, ${l.units})`);
          out.params.push([`${e}.W`, `${name}.weight`, 't'], [`${e}.b`, `${name}.bias`, '']);
        }
        shape = [...shape.slice(0, -1), l.units];
        line(`x = ${act(l.activation, `self.${name}(x)`)}`);
        break;
      }
      case 'activation':
        line(`x = ${act(l.fn, 'x')}`);
        break;
      case 'dropout':
        out.init.push(`self.${name} = nn.Dropout(${l.rate})`);
        line(`x = self.${name}(x)`);
        break;
      case 'flatten':
        shape = [prod(shape)];
        // The playground flattens (H, W, C) row-major; the next Dense's weights expect that order.
        if (image) line('x = x.permute(0, 2, 3, 1).flatten(1)', "NHWC first: the next layer's weights expect the playground's (H, W, C) order");
        else line('x = x.flatten(1)');
        break;
      case 'conv2d': {
        const { g, top, bottom, left, right } = pads(l, shape);
        const sym = top === bottom && left === right;
        if (!sym) {
          shape = [g.H + top + bottom, g.W + left + right, g.C];
          line(`x = F.pad(x, (${left}, ${right}, ${top}, ${bottom}))`, "'same' pads TF-style, the odd pixel bottom/right");
        }
        const args = [`${g.C}, ${g.F}`, `kernel_size=${pair(g.KH, g.KW)}`];
        if (g.sh !== 1) args.push(`stride=${g.sh}`);
        if (sym && (top || left)) args.push(`padding=${pair(top, left)}`);
        if (g.dh !== 1) args.push(`dilation=${g.dh}`);
        out.init.push(`self.${name} = nn.Conv2d(${args.join(', ')})`);
        out.params.push([`${e}.W`, `${name}.weight`, 'conv'], [`${e}.b`, `${name}.bias`, '']);
        shape = [g.OH, g.OW, g.F];
        line(`x = ${act(l.activation, `self.${name}(x)`)}`);
        break;
      }
      case 'maxpool2d':
      case 'avgpool2d': {
        const { g, top, bottom, left, right } = pads(l, shape);
        const sym = top === bottom && left === right;
        const max = l.kind === 'maxpool2d';
        if (!sym) {
          shape = [g.H + top + bottom, g.W + left + right, g.C];
          // Max pooling never picks padding (−∞); average pooling counts padded zeros, as the playground does.
          line(`x = F.pad(x, (${left}, ${right}, ${top}, ${bottom})${max ? ', value=float("-inf")' : ''})`, "'same' pads TF-style, the odd pixel bottom/right");
        }
        const args = [`kernel_size=${g.KH}`];
        if (g.sh !== g.KH) args.push(`stride=${g.sh}`);
        if (sym && top) args.push(`padding=${pair(top, left)}`);
        if (!max && sym && top) args.push('count_include_pad=True'); // the playground divides by the whole window
        out.init.push(`self.${name} = nn.${max ? 'MaxPool2d' : 'AvgPool2d'}(${args.join(', ')})`);
        shape = [g.OH, g.OW, g.C];
        line(`x = self.${name}(x)`);
        break;
      }
      case 'globalavgpool': {
        const rank = shape.length;
        shape = [shape[rank - 1]];
        if (image) line('x = x.mean(dim=(2, 3))');
        else if (rank === 2) line('x = x.mean(dim=1)', 'the mean over the sequence');
        else out.forward.push('# globalavgpool of a vector: nothing to average');
        break;
      }
      case 'batchnorm': {
        const C = shape[shape.length - 1];
        const hp = `${C}, eps=${num(l.eps ?? 1e-5)}, momentum=${num(l.momentum ?? 0.1)}`;
        out.init.push(`self.${name} = nn.BatchNorm${image ? '2d' : '1d'}(${hp})`);
        out.params.push([`${e}.gamma`, `${name}.weight`, ''], [`${e}.beta`, `${name}.bias`, '']);
        out.buffers.push([`${e}.running_mean`, `${name}.running_mean`], [`${e}.running_var`, `${name}.running_var`]);
        // The playground normalizes the last axis; torch's BatchNorm wants channels at dim 1.
        if (shape.length === 2) line(`x = self.${name}(x.transpose(1, 2)).transpose(1, 2)`, 'BatchNorm1d wants the features at dim 1');
        else line(`x = self.${name}(x)`);
        break;
      }
      case 'embedding': {
        out.init.push(`self.${name} = nn.Embedding(${l.vocab}, ${l.dim})`);
        out.params.push([`${e}.table`, `${name}.weight`, '']);
        out.embed = { name, vocab: l.vocab!, dim: l.dim };
        shape = [...shape, l.dim];
        line(`x = self.${name}(x)`);
        break;
      }
      case 'unembed': {
        if (!out.embed) throw new Error('Export to PyTorch: unembed needs an embedding before it');
        // Tied rows score unit-variance features: variance 1/dim, as the playground starts them.
        out.init.push(`nn.init.normal_(self.${out.embed.name}.weight, std=${out.embed.dim} ** -0.5)  # tied to the output head: initial logits near unit scale`);
        shape = [...shape.slice(0, -1), out.embed.vocab];
        line(`x = x @ self.${out.embed.name}.weight.T`, 'scores against the embedding table (tied: the same Parameter, no bias)');
        break;
      }
      case 'layernorm': {
        const C = shape[shape.length - 1];
        out.init.push(`self.${name} = nn.LayerNorm(${C}, eps=${num(l.eps ?? 1e-5)})`);
        out.params.push([`${e}.gamma`, `${name}.weight`, ''], [`${e}.beta`, `${name}.bias`, '']);
        // The playground normalizes the last axis: the channels of every pixel, for an image.
        if (image) line(`x = self.${name}(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)`, 'over the channels of every pixel');
        else line(`x = self.${name}(x)`);
        break;
      }
      case 'posenc': {
        const [T, D] = shape;
        if (l.type === 'learned') {
          out.init.push(`self.${name} = nn.Parameter(torch.empty(${T}, ${D}).uniform_(-0.1, 0.1))  # learned positions (the playground's init)`);
          out.params.push([`${e}.pos`, name, '']);
        } else {
          out.helpers.add('sinusoidal');
          out.init.push(`self.register_buffer("${name}", sinusoidal_table(${T}, ${D}), persistent=False)  # fixed: not in the weights file`);
        }
        line(`x = x + self.${name}`);
        break;
      }
      case 'transformer': {
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
        break;
      }
      case 'patches': {
        const [H, W, C] = shape;
        out.init.push(`self.${name} = nn.Conv2d(${C}, ${l.dim}, kernel_size=${l.size}, stride=${l.size})  # one token per ${l.size}×${l.size} patch`);
        out.params.push([`${e}.W`, `${name}.weight`, 'conv'], [`${e}.b`, `${name}.bias`, '']);
        shape = [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim];
        line(`x = self.${name}(x).flatten(2).transpose(1, 2)`, 'tokens row by row over the patch grid');
        break;
      }
      case 'lstm':
      case 'gru':
      case 'rnn': {
        const cls = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' }[l.kind];
        const n = l.layers ?? 1;
        const extra = (n > 1 ? `, num_layers=${n}` : '') + (l.kind === 'rnn' ? ', nonlinearity="tanh"' : '');
        out.init.push(`self.${name} = nn.${cls}(${shape[shape.length - 1]}, ${l.hidden}${extra}, batch_first=True)`);
        const states = initialStateNames(l); // learnInitialState: h0 (and c0) (hidden) per sub-layer, after its b_hh
        for (let k = 0; k < n; k++) {
          const q = `${e}.l${k}`;
          out.params.push(
            [`${q}.W_ih`, `${name}.weight_ih_l${k}`, 't'], [`${q}.W_hh`, `${name}.weight_hh_l${k}`, 't'],
            [`${q}.b_ih`, `${name}.bias_ih_l${k}`, ''], [`${q}.b_hh`, `${name}.bias_hh_l${k}`, ''],
          );
          for (const st of states) {
            out.init.push(`self.${name}_${st}_l${k} = nn.Parameter(torch.zeros(${l.hidden}))  # learned initial ${st === 'h0' ? 'hidden' : 'cell'} state of sub-layer ${k}`);
            out.params.push([`${q}.${st}`, `${name}_${st}_l${k}`, '']);
          }
        }
        const seq = [shape[0], l.hidden];
        if (!states.length) out.forward.push(`x, _ = self.${name}(x)  # ${tshape(seq)}: every step, from a zero initial state`);
        else {
          // nn.LSTM/GRU/RNN have no learned initial state: one Parameter (hidden) per sub-layer and
          // state, as the playground stores them, stacked to (layers, 1, hidden) and expanded over
          // the batch to the (layers, N, hidden) the module takes; autograd sums their gradients.
          for (const st of states) {
            const list = Array.from({ length: n }, (_, k) => `self.${name}_${st}_l${k}`).join(', ');
            out.forward.push(`${st} = torch.stack([${list}]).unsqueeze(1).expand(-1, x.shape[0], -1).contiguous()  # (${n}, N, ${l.hidden})`);
          }
          const hx = states.length === 2 ? '(h0, c0)' : 'h0';
          out.forward.push(`x, _ = self.${name}(x, ${hx})  # ${tshape(seq)}: every step, from the learned initial state`);
        }
        shape = recurrentOutShape(l, shape);
        if (!l.returnSequences) line('x = x[:, -1]', 'the last step only');
        break;
      }
      case 'residual': {
        const skip = namePrefix ? `skip_${namePrefix}${i}` : `skip${i}`;
        out.forward.push(`${skip} = x  # residual: x + block(x)`);
        shape = emit(l.layers, shape, `${e}.layers`, `${namePrefix}res${i}_`, out);
        line(`x = ${skip} + x`);
        break;
      }
      default:
        throw new Error(`Export to PyTorch does not support layer kind "${(l as { kind: string }).kind}" yet.`);
    }
  });
  return shape;
}
