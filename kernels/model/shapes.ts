// Shape inference, parameter counts and a memory estimate, all from the spec alone (no device).
import type { LayerSpec, ModelSpec } from './types.ts';
import { layerFieldsOk, type SpecIssue } from './validate.ts';
import { endIssue, kindFix, type Want } from './fixes.ts';
import { sampleSizes, taskInfo } from '../data/tasks.ts';
import { rowsInfo } from '../data/datasets.ts';
import { estimateMemory } from './memory.ts';
import { layerDef } from '../layers/index.ts';
import type { InferCtx } from '../layers/def.ts';

export interface DatasetInfo {
  inputShape: number[]; // one sample, no batch dim
  classes: number;
  trainSize: number;
  testSize: number;
  bytes: number; // resident on the device
}

export function datasetInfo(spec: ModelSpec): DatasetInfo {
  if (spec.dataset.kind !== 'mnist') {
    // Row datasets: f32 inputs, u32/f32 targets and a u32 index per sample, both splits.
    const t = rowsInfo(spec.dataset);
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

/** Fixes are offered this many levels deep: a fix is checked by inferring the fixed model, whose own fix may finish it. */
const FIX_DEPTH = 2;

/**
 * Shapes, parameters and memory layer by layer. Inference stops at the first layer that cannot
 * take its input (or has a field out of bounds, which the validator names): the error shows once,
 * at its cause, and the layers after it have no shape (an outShape of [0]) rather than errors of their own.
 */
export function inferShapes(spec: ModelSpec): ShapeReport {
  return infer(spec, 0);
}

function infer(spec: ModelSpec, depth: number): ShapeReport {
  const ds = datasetInfo(spec);
  const errors: SpecIssue[] = [];
  const check = depth < FIX_DEPTH ? (s: ModelSpec) => infer(s, depth + 1).errors : null;
  let failed = false;
  let acts = 0;
  let largestWeight = 0; // elements of the biggest single parameter
  let largestAct = 0; // elements of the biggest layer output, per sample
  let embed: [number, number] | null = null; // (V, D) of the last embedding, for a tied unembed
  const walk = (layers: LayerSpec[], inShape: number[], prefix: string, top: number | undefined): { shape: number[]; params: number; out: LayerShape[] } => {
    let shape = inShape;
    let params = 0;
    const out: LayerShape[] = [];
    layers.forEach((l, i) => {
      const idx = top ?? i;
      const path = `${prefix}[${i}]`;
      if (failed || !layerFieldsOk(l)) {
        failed = true;
        shape = [0];
        out.push({ path, kind: l.kind, outShape: shape, params: 0, largest: 0, activations: 0 });
        return;
      }
      const def = layerDef(l.kind);
      const ctx: InferCtx = {
        spec, prefix: path, input: ds.inputShape,
        place: top === undefined ? `layer ${i + 1}` : `inner layer ${i + 1} of layer ${idx + 1}`,
        error: (field, message, fix) => {
          if (failed) return;
          failed = true;
          const inputs = top === undefined ? [ds.inputShape, ...out.map((o) => o.outShape), shape] : [];
          const f = fix && check && top === undefined ? kindFix(spec, i, fix, inputs, check) : null;
          errors.push({ path: `${path} (${l.kind})${field ? `.${field}` : ''}`, layer: idx, message, ...(f ? { fix: f } : {}) });
        },
        get embed() { return embed; },
        set embed(v) { embed = v; },
        walk: (ls, sh, p) => walk(ls, sh, p, idx),
      };
      const acts0 = acts;
      const r = def.infer(l, shape, ctx);
      shape = r.shape;
      acts += (r.acts ?? 0) + prod(shape);
      largestWeight = Math.max(largestWeight, r.largest ?? 0);
      largestAct = Math.max(largestAct, prod(shape));
      params += r.params ?? 0;
      out.push({ path, kind: l.kind, outShape: shape, params: r.params ?? 0, largest: r.largest ?? 0, activations: acts - acts0 });
    });
    return { shape, params, out };
  };
  const r = walk(spec.layers, ds.inputShape, 'layers', undefined);
  const outs = r.out.map((o) => o.outShape);
  // The end is checked only when every layer took its input: else the first error already says why.
  const ends = (want: Want, message: string) => {
    if (!failed && r.shape.join('x') !== want.shape.join('x')) errors.push(endIssue(spec, ds.inputShape, outs, want, message, check));
  };
  if (spec.dataset.kind === 'mnist') {
    if (spec.loss !== 'softmax_cross_entropy')
      errors.push({ path: 'loss', message: 'MNIST is classification: use softmax_cross_entropy' });
    const want = { shape: [ds.classes], words: `${ds.classes} outputs per sample (one per digit)` };
    ends(want, `the model must end in ${want.words}, but it ends in ${fmt(r.shape)}`);
  }
  if (spec.dataset.kind !== 'mnist') {
    const t = rowsInfo(spec.dataset);
    const o = t.output;
    const want = o.kind === 'tokens' ? [o.T, o.V] : o.kind === 'class' ? [o.V] : [o.D];
    if (spec.loss !== t.loss)
      errors.push({ path: 'loss', message: `the ${t.name} task is ${t.loss === 'mse' ? 'regression: use mse' : 'classification: use softmax_cross_entropy'}` });
    const words = `${fmt(want)} outputs per sample (${o.kind === 'tokens' ? 'a score per token at every position: return sequences, then Dense ' + o.V : o.kind === 'class' ? 'one score per class from the last state' : 'the forecast values'})`;
    ends({ shape: want, words }, `the ${t.name} task needs ${words}, but the model ends in ${fmt(r.shape)}`);
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
    ls.map((l) => {
      const def = layerDef(l.kind);
      if (def.inner) return { ...l, layers: fix(def.inner(l)) } as LayerSpec;
      return 'vocab' in def.fields && !(l as { vocab?: number }).vocab ? { ...l, vocab: V } : l;
    });
  return fix(spec.layers);
}
