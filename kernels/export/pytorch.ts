// Export to PyTorch: a self-contained Python script that defines the same model as an nn.Module
// (named submodules, a forward with the shape after every line), loads the playground's
// .safetensors weights, and trains on the same data with the same hyperparameters, on one device
// or many (torchrun + DistributedDataParallel).
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
import { CHAR_ALPHABET, taskInfo } from '../data/tasks.ts';
import { describeBuffers, describeParams } from '../nn/model.ts';
import { recurrentOutShape } from '../nn/recurrent.ts';
import { mlpWidth } from '../nn/transformer.ts';
import { layerGeom, type SpatialLayer } from '../spec/conv.ts';
import { datasetInfo, resolveLayers } from '../spec/shapes.ts';
import type { Activation, LayerSpec, ModelSpec } from '../spec/types.ts';

type Transform = '' | 't' | 'conv' | 'conv1x1';

/** What the layers translate to: lines of __init__ and forward, and where each tensor goes. */
interface Emitted {
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
const tshape = (s: number[]) => `(N, ${(s.length === 3 ? [s[2], s[0], s[1]] : s).join(', ')})`;
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const num = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));
const pair = (a: number, b: number) => (a === b ? `${a}` : `(${a}, ${b})`);

/**
 * Padding of a conv/pool layer on each side. 'same' pads TF-style: the odd pixel of an uneven
 * total goes to the bottom/right, which torch's symmetric `padding=` cannot express.
 */
function pads(l: SpatialLayer, shape: number[]) {
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

function emit(layers: LayerSpec[], inShape: number[], enginePrefix: string, namePrefix: string, out: Emitted): number[] {
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
        for (let k = 0; k < n; k++) {
          const q = `${e}.l${k}`;
          out.params.push(
            [`${q}.W_ih`, `${name}.weight_ih_l${k}`, 't'], [`${q}.W_hh`, `${name}.weight_hh_l${k}`, 't'],
            [`${q}.b_ih`, `${name}.bias_ih_l${k}`, ''], [`${q}.b_hh`, `${name}.bias_hh_l${k}`, ''],
          );
        }
        const seq = [shape[0], l.hidden];
        out.forward.push(`x, _ = self.${name}(x)  # ${tshape(seq)}: every step, from a zero initial state`);
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

const py = (v: unknown) => JSON.stringify(v).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None');

export function exportPyTorch(spec: ModelSpec): string {
  const layers = resolveLayers(spec); // an embedding's vocabulary is the task's unless set
  const inShape = datasetInfo(spec).inputShape;
  const m: Emitted = { init: [], forward: [], params: [], buffers: [], helpers: new Set(), embed: null };
  const outShape = emit(layers, inShape, 'layers', '', m);
  // The engine's own lists: a layer translated here with the wrong names or order fails loudly.
  const want = describeParams(layers, inShape).map((p) => p.name).join(',');
  const wantBuf = describeBuffers(layers, inShape).map((p) => p.name).join(',');
  if (want !== m.params.map((p) => p[0]).join(',') || wantBuf !== m.buffers.map((b) => b[0]).join(','))
    throw new Error('Export to PyTorch: the parameter list does not match the model (an exporter bug)');

  const task = spec.dataset.kind === 'task' ? taskInfo(spec.dataset) : null;
  const tokens = !!task && task.inputVocab > 0 && layers[0]?.kind === 'embedding';
  const output = task ? task.output : { kind: 'class', V: 10 };
  const inputDoc = !task
    ? 'images (N, 1, 28, 28), floats in [0, 1]: NCHW as torch expects (the playground holds them as (N, 28, 28, 1))'
    : tokens
      ? `token ids (N, ${inShape.join(', ')}), a LongTensor (vocabulary ${task.inputVocab})`
      : `(N, ${inShape.join(', ')}) floats`;
  const t = spec.train;
  const o = t.optimizer;
  const opt =
    o.kind === 'sgd'
      ? `torch.optim.SGD(params, lr=lr, momentum=${o.momentum ?? 0}, nesterov=${o.nesterov ? 'True' : 'False'}, weight_decay=${o.weightDecay ?? 0})`
      : `torch.optim.${o.kind === 'adam' ? 'Adam' : 'AdamW'}(params, lr=lr, betas=(${o.beta1 ?? 0.9}, ${o.beta2 ?? 0.999}), eps=${o.eps ?? 1e-8}, weight_decay=${o.weightDecay ?? (o.kind === 'adamw' ? 0.01 : 0)})`;
  const dataHelp = !task
    ? 'directory with the four MNIST idx files'
    : task.name === 'char' ? 'the text file of the char task (public/text/genesis-alice.txt)' : 'unused: the task is generated';
  const usage = !task
    ? `  python3 model.py --data DIR                      train on MNIST idx files in DIR (as the playground did)
  python3 model.py --data DIR --weights W.safetensors --epochs 0   evaluate browser-trained weights
  torchrun --nproc_per_node=N model.py --data DIR  train on N processes/GPUs with DistributedDataParallel`
    : `  python3 model.py                                 train on the ${task.name} task, generated here with the same rules
  python3 model.py --weights W.safetensors --epochs 0   evaluate browser-trained weights
  torchrun --nproc_per_node=N model.py             train on N processes/GPUs with DistributedDataParallel
The task data is drawn from Python's random module: the same task, not the playground's exact samples.`;

  return `#!/usr/bin/env python3
"""${(spec.name ?? 'model').replace(/[^\w .-]/g, '_')}: exported from the WebGPU NN playground.

${usage}
  python3 model.py --weights W.safetensors --inputs X.json   print the outputs for samples in the playground's layout

Model input: ${inputDoc}.
Model output: ${tshape(outShape)}.
"""
import argparse, array, json, math, os, random, re, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

SPEC = json.loads(${JSON.stringify(JSON.stringify(spec))})
INPUT_SHAPE = ${py(inShape)}  # one sample as the playground holds it
INPUT_DTYPE = torch.${tokens ? 'long' : 'float32'}
OUTPUT = ${py(output)}  # tokens: a class per position; class: one per sample; regression: values
# (playground tensor name, state_dict key, transform): see TO_TORCH.
PARAMS = ${py(m.params)}
# BatchNorm running statistics (torch buffers): the playground's checkpoints carry them.
BUFFERS = ${py(m.buffers)}
${m.helpers.has('sinusoidal') ? SINUSOIDAL : ''}${m.helpers.has('block') ? BLOCK : ''}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
${m.init.map((s) => `        ${s}`).join('\n') || '        pass'}

    def forward(self, x):  # x: ${tshape(inShape)}
${m.forward.map((s) => `        ${s}`).join('\n')}
        return x


def build_model():
    return Net()


# The playground's layouts → torch's, and back (for --save).
TO_TORCH = {
    "": lambda w: w,
    "t": lambda w: w.t(),  # (in, out) → (out, in)
    "conv": lambda w: w.permute(3, 2, 0, 1),  # (KH, KW, C, F) → (F, C, KH, KW)
    "conv1x1": lambda w: w.t()[:, :, None, None],  # Dense over channels (C, F) → (F, C, 1, 1)
}
FROM_TORCH = {
    "": lambda w: w,
    "t": lambda w: w.t(),
    "conv": lambda w: w.permute(2, 3, 1, 0),
    "conv1x1": lambda w: w[:, :, 0, 0].t(),
}


def to_model_input(x):
    """Samples in the playground's layout (N, *INPUT_SHAPE) → the module's input."""
    x = x.reshape(-1, *INPUT_SHAPE)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2)  # NHWC → NCHW
    return x.to(INPUT_DTYPE).contiguous()


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {e['dtype']} is not F32")
        b, en = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[8 + n + b:8 + n + en]), dtype=torch.float32).reshape(e["shape"])
    return out


def load_weights(model, path):
    tensors = load_safetensors(path)
    state = model.state_dict()
    for name, key, how in PARAMS:
        if name not in tensors:
            raise KeyError(f"{path} has no tensor {name}")
        w = TO_TORCH[how](tensors[name])
        if tuple(w.shape) != tuple(state[key].shape):
            raise ValueError(f"{name}: {tuple(w.shape)} does not fit {key} {tuple(state[key].shape)}")
        state[key] = w.contiguous()
    missing = [name for name, _ in BUFFERS if name not in tensors]
    if missing:
        print(f"note: {path} has no BatchNorm running statistics ({', '.join(missing)}); evaluation uses mean 0, variance 1",
              file=sys.stderr)
    for name, key in BUFFERS:
        if name in tensors:
            state[key] = tensors[name].reshape(state[key].shape).contiguous()
    model.load_state_dict(state)

${task ? taskSection(spec) : MNIST_SECTION}

def lr_at(step, base):
    """The playground's schedule: optional linear warm-up, then constant / step / exponential / cosine."""
    t = SPEC["train"]
    s = t["schedule"]
    warm = t.get("warmupSteps", 0) or 0
    if warm and step < warm:
        return base * (step + 1) / warm
    k = step - warm
    if s["kind"] == "step":
        return base * s["gamma"] ** (k // s["everySteps"])
    if s["kind"] == "exponential":
        return base * s["gamma"] ** (k / 1000)
    if s["kind"] == "cosine":
        lo = s.get("minLr", 0) or 0
        return lo + 0.5 * (base - lo) * (1 + math.cos(math.pi * min(1.0, k / s["totalSteps"])))
    return base


def loss_fn(out, y):
    if OUTPUT["kind"] == "tokens":  # (N, T, V) scores, (N, T) labels; -100 marks positions that do not count
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=-100)
    if OUTPUT["kind"] == "class":
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y)


def evaluate(model, x, y, device):
    """Test accuracy (of counted tokens, for token outputs), or the mean squared error for regression."""
    hit, count, sq = 0, 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            out = model(x[i:i + 1000].to(device)).cpu()
            yb = y[i:i + 1000]
            if OUTPUT["kind"] == "regression":
                sq += ((out - yb) ** 2).sum().item()
                count += yb.numel()
            else:
                mask = yb != -100
                hit += ((out.argmax(-1) == yb) & mask).sum().item()
                count += mask.sum().item()
    return {"test_mse": sq / count} if OUTPUT["kind"] == "regression" else {"test_accuracy": hit / count}


def main():
    t = SPEC["train"]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help=${JSON.stringify(dataHelp)})
    ap.add_argument("--weights", help="a .safetensors file saved by the playground")
    ap.add_argument("--epochs", type=int, default=t["epochs"])
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--batch", type=int, default=t["batchSize"])
    ap.add_argument("--lr", type=float, default=t["lr"])
    ap.add_argument("--seed", type=int, default=SPEC["seed"])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--predict", type=int, default=0, help="print the outputs for the first N test samples as JSON and exit")
    ap.add_argument("--inputs", help="a JSON list of samples in the playground's layout: print the outputs as JSON and exit")
    ap.add_argument("--save", help="write the trained weights (playground layout) to this .safetensors path")
    ap.add_argument("--no-buffers", dest="save_buffers", action="store_false", help="--save without the BatchNorm running statistics")
    args = ap.parse_args()

    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    rank = 0
    if distributed:
        torch.distributed.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
        rank = torch.distributed.get_rank()
        if args.device.startswith("cuda"):
            args.device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
            torch.cuda.set_device(args.device)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = build_model().to(device)
    if args.weights:
        load_weights(model, args.weights)
    if args.inputs:
        with open(args.inputs) as f:
            x = to_model_input(torch.tensor(json.load(f), dtype=torch.float64))
        model.eval()
        with torch.no_grad():
            print(json.dumps(model(x.to(device)).cpu().tolist()))
        return

    x_train, y_train, x_test, y_test = load_data(args.data, args.seed, train=not args.predict)
    if args.predict:
        model.eval()
        with torch.no_grad():
            print(json.dumps(model(x_test[:args.predict].to(device)).cpu().tolist()))
        return
    train_set = torch.utils.data.TensorDataset(x_train, y_train)
    sampler = torch.utils.data.distributed.DistributedSampler(train_set, seed=args.seed) if distributed else None
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch, shuffle=sampler is None, sampler=sampler, drop_last=True)
    net = nn.parallel.DistributedDataParallel(model) if distributed else model
    params = net.parameters()
    lr = args.lr
    opt = ${opt}
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: lr_at(step, args.lr) / args.lr)
    clip = t.get("clipNorm", 0) or 0
    step = 0
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            if clip > 0:
                nn.utils.clip_grad_norm_(net.parameters(), clip)
            opt.step()
            sched.step()
            step += 1
            if rank == 0 and (step % 50 == 0 or args.steps):
                print(json.dumps({"step": step, "epoch": epoch, "loss": loss.item()}), flush=True)
            if args.steps and step >= args.steps:
                break
        if args.steps and step >= args.steps:
            break
        if rank == 0:
            net.eval()
            print(json.dumps({"epoch": epoch + 1, **evaluate(model, x_test, y_test, device)}), flush=True)
    if rank == 0 and args.save:
        save_safetensors(model, args.save, args.save_buffers)
    if distributed:
        torch.distributed.destroy_process_group()


def save_safetensors(model, path, with_buffers=False):
    state = model.state_dict()
    header, blobs, offset = {"__metadata__": {"spec": json.dumps(SPEC)}}, [], 0
    entries = PARAMS + ([(name, key, "") for name, key in BUFFERS] if with_buffers else [])
    for name, key, how in entries:
        w = FROM_TORCH[how](state[key].detach().cpu().float()).contiguous()
        b = array.array("f", w.flatten().tolist()).tobytes()  # little-endian f32, no numpy needed
        header[name] = {"dtype": "F32", "shape": list(w.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    main()
`;
}

const SINUSOIDAL = `

def sinusoidal_table(T, D):
    """The playground's fixed positions: PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(...), float64 then float32."""
    pe = [[0.0] * D for _ in range(T)]
    for t in range(T):
        for i in range(0, D, 2):
            a = t / math.pow(10000, i / D)
            pe[t][i] = math.sin(a)
            if i + 1 < D:
                pe[t][i + 1] = math.cos(a)
    return torch.tensor(pe, dtype=torch.float32)
`;

const BLOCK = `

class Block(nn.Module):
    """The playground's transformer block with dropout: nn.TransformerEncoderLayer's maths and parameter
    names (exact GELU, LayerNorm eps 1e-5), but attn_dropout on the attention probabilities and dropout on
    the attention projection and MLP outputs only. (nn.TransformerEncoderLayer has one rate for both and
    also drops the MLP hidden units.)"""

    def __init__(self, d_model, nhead, dim_feedforward, dropout, attn_dropout, norm_first):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=attn_dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-5)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-5)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.norm_first = norm_first

    def _attn(self, x, mask):  # softmax(q k^T / sqrt(dh) + mask) v per head, then the output projection
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, need_weights=False)[0])

    def _mlp(self, x):
        return self.dropout2(self.linear2(F.gelu(self.linear1(x))))

    def forward(self, x, src_mask=None):
        if self.norm_first:  # pre-LN
            x = x + self._attn(self.norm1(x), src_mask)
            return x + self._mlp(self.norm2(x))
        x = self.norm1(x + self._attn(x, src_mask))  # post-LN
        return self.norm2(x + self._mlp(x))
`;

const MNIST_SECTION = `DEFAULT_DATA = "mnist"


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return torch.frombuffer(bytearray(data[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)


def load_data(data_dir, seed, train=True):
    """MNIST train (unless train=False) and test splits: model inputs (N, 1, 28, 28) in [0, 1] and labels (N)."""
    def split(prefix):
        x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte")).float().div(255)  # (N, 28, 28)
        y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte")).long()
        return to_model_input(x), y
    return (*(split("train") if train else (None, None)), *split("t10k"))
`;

/** The task generator in Python: the playground's rules, drawn from Python's random module. */
function taskSection(spec: ModelSpec): string {
  const d = spec.dataset as Extract<ModelSpec['dataset'], { kind: 'task' }>;
  const info = taskInfo(d);
  return `DEFAULT_DATA = ${JSON.stringify(d.name === 'char' ? 'genesis-alice.txt' : '')}
TASK = {"name": ${JSON.stringify(d.name)}, "length": ${d.length}, "symbols": ${d.symbols ?? 8}, "horizon": ${d.horizon ?? 1}, "trainSize": ${info.trainSize}, "testSize": ${info.testSize}}
CHAR_ALPHABET = ${JSON.stringify(CHAR_ALPHABET)}
IGNORE = -100  # a target position that does not count (F.cross_entropy's ignore_index)


def encode_text(text):
    """Lower-cased, whitespace runs → one space, paragraph breaks → one newline, other characters dropped."""
    text = re.sub(r"\\n{2,}", "\\0", text.lower().replace("\\r", ""))
    text = re.sub(r"\\s+", " ", text).replace("\\0", "\\n")
    return [CHAR_ALPHABET.index(c) for c in text if c in CHAR_ALPHABET]


def sampler(text):
    """draw(rng, split) → (input, target, key): one sample of the task, as the playground defines it."""
    name, L = TASK["name"], TASK["length"]
    if name in ("copy", "reverse", "sort"):
        S = TASK["symbols"]

        def draw(rng, split):  # symbols 1..S, separator S+1, blanks 0; answers after the separator
            s = [1 + rng.randrange(S) for _ in range(L)]
            ans = s if name == "copy" else s[::-1] if name == "reverse" else sorted(s)
            return s + [S + 1] + [0] * (L - 1), [IGNORE] * L + ans, tuple(s)
    elif name == "addition":
        def draw(rng, split):  # a + b = sum, least-significant digit first; 10 '+', 11 '=', 12 blank
            a = [rng.randrange(10) for _ in range(L)]
            b = [rng.randrange(10) for _ in range(L)]
            total, digits = int("".join(map(str, a))) + int("".join(map(str, b))), []
            for _ in range(L + 1):
                digits.append(total % 10)
                total //= 10
            return a + [10] + b + [11] + [12] * L, [IGNORE] * (2 * L + 1) + digits, (tuple(a), tuple(b))
    elif name == "parity":
        def draw(rng, split):
            bits = [rng.randrange(2) for _ in range(L)]
            return bits, [sum(bits) % 2], tuple(bits)
    elif name == "parens":
        def balanced(s):
            depth = 0
            for c in s:
                depth += 1 if c == 0 else -1
                if depth < 0:
                    return False
            return depth == 0

        def draw(rng, split):  # half balanced; negatives mostly shuffles with equal counts
            want = rng.random() < 0.5
            while True:
                if not want and rng.random() < 0.125:
                    s = [rng.randrange(2) for _ in range(L)]
                else:
                    s = [0] * (L // 2) + [1] * (L - L // 2)
                    rng.shuffle(s)
                if balanced(s) == want:
                    return s, [int(want)], tuple(s)
    elif name == "sine":
        def draw(rng, split):
            A, w, phi = rng.uniform(0.5, 1), rng.uniform(0.2, 0.6), rng.uniform(0, 2 * math.pi)
            f = lambda t: A * math.sin(w * t + phi)
            return [[f(t)] for t in range(L)], [f(L + k) for k in range(TASK["horizon"])], (A, w, phi)
    elif name == "char":
        ids = encode_text(text)
        cut = int(len(ids) * 0.9)  # train windows in the first 90% of the text, test windows in the rest

        def draw(rng, split):
            lo, hi = (0, cut - L - 1) if split == "train" else (cut, len(ids) - L - 1)
            s = rng.randint(lo, hi)
            return ids[s:s + L], ids[s + 1:s + L + 1], (split, s)
    else:
        raise ValueError(f"unknown task {name}")
    return draw


def load_data(path, seed, train=True):
    """Train and test splits; no test sequence appears in train (char: disjoint text ranges)."""
    text = open(path, encoding="utf-8").read() if TASK["name"] == "char" else None
    draw, rng = sampler(text), random.Random(seed)
    unique = TASK["name"] != "char"

    def make(n, split, avoid):
        xs, ys, keys, misses = [], [], set(), 0
        while len(xs) < n:
            x, y, key = draw(rng, split)
            if key in avoid or (unique and split == "test" and key in keys):
                misses += 1
                if misses > 50 * n + 10000:  # the space is exhausted
                    break
                continue
            keys.add(key)
            xs.append(x)
            ys.append(y)
        x = to_model_input(torch.tensor(xs, dtype=torch.float64))
        if OUTPUT["kind"] == "regression":
            return x, torch.tensor(ys, dtype=torch.float32), keys
        y = torch.tensor(ys, dtype=torch.long)
        return x, (y[:, 0] if OUTPUT["kind"] == "class" else y), keys

    x_test, y_test, test_keys = make(TASK["testSize"], "test", set())
    x_train, y_train, _ = make(TASK["trainSize"], "train", test_keys)
    return x_train, y_train, x_test, y_test
`;
}
