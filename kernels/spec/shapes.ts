// Shape inference, parameter counts and a memory estimate, all from the spec alone (no device).
import type { LayerSpec, ModelSpec } from './types.ts';
import type { SpecIssue } from './validate.ts';
import { sampleSizes, taskInfo } from '../data/tasks.ts';
import { cellGates, recurrentOutShape, recurrentParamCount } from '../nn/recurrent.ts';
import { layerGeom, spatialProblem } from './conv.ts';
import { transformerActivations, transformerParamCount } from '../nn/transformer.ts';
import { estimateMemory } from './memory.ts';

export interface DatasetInfo {
  inputShape: number[]; // one sample, no batch dim
  classes: number;
  trainSize: number;
  testSize: number;
  bytes: number; // resident on the device
}

export function datasetInfo(spec: ModelSpec): DatasetInfo {
  if (spec.dataset.kind === 'task') {
    // Sequence tasks: f32 inputs, u32/f32 targets and a u32 index per sample, both splits.
    const t = taskInfo(spec.dataset);
    const { inLen, outLen } = sampleSizes(t);
    const o = t.output;
    return {
      inputShape: t.inputShape, classes: o.kind === 'regression' ? 0 : o.V, trainSize: t.trainSize, testSize: t.testSize,
      bytes: (t.trainSize + t.testSize) * 4 * (inLen + outLen + 1),
    };
  }
  // MNIST: u8 pixels packed 4 per word, u32 labels, a u32 index buffer per split.
  return { inputShape: [28, 28, 1], classes: 10, trainSize: 60000, testSize: 10000, bytes: 70000 * 784 + 70000 * 8 };
}

export interface LayerShape {
  path: string;
  kind: LayerSpec['kind'];
  outShape: number[];
  params: number;
  /** The largest single tensor of this layer in elements (for the per-buffer device limit). */
  largest: number;
  /** Activation elements this layer (inner layers included) keeps per sample while training. */
  activations: number;
}

export interface ShapeReport {
  layers: LayerShape[]; // one per top-level layer
  totalParams: number;
  activationsPerSample: number; // elements of all layer outputs for one sample
  largestTensorBytes: number;
  memoryBytes: number; // estimate for training at the spec's batch size
  errors: SpecIssue[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function inferShapes(spec: ModelSpec): ShapeReport {
  const ds = datasetInfo(spec);
  const errors: SpecIssue[] = [];
  let acts = 0;
  let largestWeight = 0; // elements of the biggest single parameter
  let largestAct = 0; // elements of the biggest layer output, per sample
  let vocab: [number, number] | null = null; // (V, D) of the last embedding, for a tied unembed
  const walk = (layers: LayerSpec[], inShape: number[], prefix: string, top: number | undefined): { shape: number[]; params: number; out: LayerShape[] } => {
    let shape = inShape;
    let params = 0;
    const out: LayerShape[] = [];
    layers.forEach((l, i) => {
      const idx = top ?? i;
      const path = `${prefix}[${i}]`;
      let p = 0;
      let big = 0;
      const acts0 = acts;
      switch (l.kind) {
        case 'dense': {
          const fin = shape[shape.length - 1];
          p = fin * l.units + l.units;
          big = fin * l.units;
          shape = [...shape.slice(0, -1), l.units];
          break;
        }
        case 'flatten':
          shape = [prod(shape)];
          break;
        case 'conv2d':
        case 'maxpool2d':
        case 'avgpool2d': {
          const bad = spatialProblem(l, shape);
          if (bad) {
            errors.push({ path: `${path} (${l.kind}).${bad.field}`, layer: idx, message: bad.message });
            shape = [0];
            break;
          }
          const g = layerGeom(l, shape);
          if (l.kind === 'conv2d') {
            p = g.KH * g.KW * g.C * g.F + g.F;
            big = g.KH * g.KW * g.C * g.F;
          }
          shape = [g.OH, g.OW, g.F];
          break;
        }
        case 'globalavgpool':
          // Images (H, W, C) → (C); sequences (T, D) → (D), the mean over positions (pooled classification).
          if (shape.length !== 3 && shape.length !== 2) errors.push({ path: `${path} (globalavgpool)`, layer: idx, message: `needs an image (height, width, channels) or a sequence (T, D), got ${fmt(shape)}` });
          shape = [shape[shape.length - 1]];
          break;
        case 'batchnorm':
          p = 2 * shape[shape.length - 1];
          break;
        case 'embedding': {
          const V = l.vocab ?? (spec.dataset.kind === 'task' ? taskInfo(spec.dataset).inputVocab : 0);
          if (shape.length !== 1 || spec.dataset.kind !== 'task' || !(taskInfo(spec.dataset).inputVocab > 0))
            errors.push({ path: `${path} (embedding)`, layer: idx, message: `needs a sequence of token ids (T), got ${fmt(shape)}${spec.dataset.kind === 'task' && shape.length === 2 ? ': this task gives real values, use a recurrent layer directly' : ''}` });
          else if (V < taskInfo(spec.dataset).inputVocab)
            errors.push({ path: `${path} (embedding).vocab`, layer: idx, message: `the task has ${taskInfo(spec.dataset).inputVocab} tokens but the vocabulary is ${V}` });
          p = V * l.dim;
          big = p;
          vocab = [V, l.dim];
          shape = [...shape, l.dim];
          break;
        }
        case 'lstm':
        case 'gru':
        case 'rnn': {
          if (shape.length !== 2) {
            errors.push({ path: `${path} (${l.kind})`, layer: idx, message: `needs a sequence (T, features), got ${fmt(shape)}${shape.length === 1 ? ': add an Embedding before it, or return sequences from the layer before' : ''}` });
            shape = [0];
            break;
          }
          const T = shape[0];
          p = recurrentParamCount(l, shape[1]);
          big = Math.max(shape[1], l.hidden) * cellGates(l.kind) * l.hidden;
          // Saved per step and layer: xp, dgx, dgh (G·H each), h, hprev, c (H), gates (4H).
          acts += T * (l.layers ?? 1) * l.hidden * (3 * cellGates(l.kind) + 7);
          shape = recurrentOutShape(l, shape);
          break;
        }
        case 'layernorm':
          p = 2 * shape[shape.length - 1];
          break;
        case 'posenc':
          if (shape.length !== 2) {
            errors.push({ path: `${path} (posenc)`, layer: idx, message: `needs a sequence of vectors (T, D), got ${fmt(shape)}${shape.length === 1 ? ': add an Embedding before it' : ''}` });
            break;
          }
          if (l.type === 'learned') p = big = shape[0] * shape[1];
          break;
        case 'transformer': {
          if (shape.length !== 2) {
            errors.push({ path: `${path} (transformer)`, layer: idx, message: `needs a sequence of vectors (T, D), got ${fmt(shape)}${shape.length === 1 ? ': add an Embedding (tokens) or Patches (images) before it' : ''}` });
            shape = [0];
            break;
          }
          const [T, D] = shape;
          if (D % l.heads !== 0)
            errors.push({ path: `${path} (transformer).heads`, layer: idx, message: `the width ${D} must divide evenly into ${l.heads} heads` });
          p = transformerParamCount(l, D);
          big = D * Math.max(3 * D, l.mlp ?? 4 * D);
          acts += transformerActivations(l, T, D);
          break;
        }
        case 'patches': {
          if (shape.length !== 3) {
            errors.push({ path: `${path} (patches)`, layer: idx, message: `needs an image input (height, width, channels), got ${fmt(shape)}` });
            shape = [0];
            break;
          }
          const [H, W, C] = shape;
          if (H % l.size || W % l.size)
            errors.push({ path: `${path} (patches).size`, layer: idx, message: `patches of ${l.size}×${l.size} do not tile a ${H}×${W} image; use a size that divides both (for 28×28: 2, 4, 7, 14)` });
          p = l.size * l.size * C * l.dim + l.dim;
          big = p;
          shape = [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim];
          break;
        }
        case 'unembed': {
          if (!vocab) {
            errors.push({ path: `${path} (unembed)`, layer: idx, message: 'shares the weights of an Embedding, so one must come before it' });
            break;
          }
          if (shape[shape.length - 1] !== vocab[1])
            errors.push({ path: `${path} (unembed)`, layer: idx, message: `the features (${shape[shape.length - 1]}) must equal the embedding width (${vocab[1]}) to share its weights` });
          shape = [...shape.slice(0, -1), vocab[0]];
          break;
        }
        case 'activation':
        case 'dropout':
          break;
        case 'residual': {
          const inner = walk(l.layers, shape, `${path}.layers`, idx);
          p = inner.params;
          big = Math.max(0, ...inner.out.map((o) => o.largest));
          // Named by its place and what it wraps, so a message read away from its row still points at it.
          if (inner.shape.join('x') !== shape.join('x')) {
            const where = top === undefined ? `layer ${i + 1}` : `inner layer ${i + 1} of layer ${idx + 1}`;
            const what = l.layers.length ? l.layers.map((x) => x.kind).join(' → ') : 'no layers';
            errors.push({
              path: `${path} (residual)`, layer: idx,
              message: `the residual block at ${where} (${what}) maps ${fmt(shape)} to ${fmt(inner.shape)}; a residual needs its output shape equal to its input shape`,
            });
          }
          break;
        }
      }
      acts += prod(shape);
      largestWeight = Math.max(largestWeight, big);
      largestAct = Math.max(largestAct, prod(shape));
      params += p;
      out.push({ path, kind: l.kind, outShape: shape, params: p, largest: big, activations: acts - acts0 });
    });
    return { shape, params, out };
  };
  const r = walk(spec.layers, ds.inputShape, 'layers', undefined);
  if (spec.dataset.kind === 'mnist') {
    if (spec.loss !== 'softmax_cross_entropy')
      errors.push({ path: 'loss', message: 'MNIST is classification: use softmax_cross_entropy' });
    if (r.shape.length !== 1 || r.shape[0] !== ds.classes)
      errors.push({
        path: spec.layers.length ? `layers[${spec.layers.length - 1}]` : 'layers',
        layer: spec.layers.length ? spec.layers.length - 1 : undefined,
        message: `the model must end in ${ds.classes} outputs per sample (one per digit), but it ends in ${fmt(r.shape)}${r.shape.length > 1 ? ': add a Flatten before the last Dense' : ''}`,
      });
  }
  if (spec.dataset.kind === 'task') {
    const t = taskInfo(spec.dataset);
    const o = t.output;
    const want = o.kind === 'tokens' ? [o.T, o.V] : o.kind === 'class' ? [o.V] : [o.D];
    const last = spec.layers.length ? spec.layers.length - 1 : undefined;
    if (spec.loss !== t.loss)
      errors.push({ path: 'loss', message: `the ${t.name} task is ${t.loss === 'mse' ? 'regression: use mse' : 'classification: use softmax_cross_entropy'}` });
    if (r.shape.join('x') !== want.join('x'))
      errors.push({
        path: last !== undefined ? `layers[${last}]` : 'layers', layer: last,
        message: `the ${t.name} task needs ${fmt(want)} outputs per sample (${o.kind === 'tokens' ? 'a score per token at every position: return sequences, then Dense ' + o.V : o.kind === 'class' ? 'one score per class from the last state' : 'the forecast values'}), but the model ends in ${fmt(r.shape)}`,
      });
  }
  const B = spec.train?.batchSize ?? 1;
  const P = r.params;
  // One estimate for the session, the link decoder and the CLI: the total is the sum of the parts.
  const memoryBytes = estimateMemory(spec, r.out, ds).total;
  return {
    layers: r.out,
    totalParams: P,
    activationsPerSample: acts,
    // The flat parameter buffer holds all weights; an activation holds the whole batch.
    largestTensorBytes: 4 * Math.max(largestWeight, P, largestAct * Math.max(1, B)),
    memoryBytes,
    errors,
  };
}

function fmt(s: number[]): string {
  return `(${s.join(', ')})`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  return `${(n / 1024 ** 4).toFixed(2)} TiB`;
}

/** The layers with task defaults filled in (an embedding's vocabulary is the task's by default). */
export function resolveLayers(spec: ModelSpec): LayerSpec[] {
  if (spec.dataset.kind !== 'task') return spec.layers;
  const V = taskInfo(spec.dataset).inputVocab;
  const fix = (ls: LayerSpec[]): LayerSpec[] =>
    ls.map((l) => (l.kind === 'embedding' && !l.vocab ? { ...l, vocab: V } : l.kind === 'residual' ? { ...l, layers: fix(l.layers) } : l));
  return fix(spec.layers);
}
