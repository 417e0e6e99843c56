// The training-memory estimate, layer by layer, and the refusal that names the layers that do not
// fit. inferShapes' memoryBytes is estimateMemory(...).total, so the session, the link decoder and
// the CLI trainer refuse on the same figure, and the parts they report add up to it.
import type { LayerSpec, ModelSpec } from './types.ts';
import { findLayerDef } from '../layers/index.ts';
import { datasetInfo, type DatasetInfo, formatBytes, type LayerShape, type ShapeReport } from './shapes.ts';

/** The session's default memory budget (SessionOptions.memoryBudgetBytes). */
export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;
/** The per-buffer limit assumed where the device is not known yet (a link opening): the largest common adapters allow. */
export const DEFAULT_BINDING_LIMIT = 2 ** 31;

export interface LayerMemory {
  /** 1-based, as the page numbers layers. */
  layer: number;
  /** In people's words: "Layer 3 (Dense, 1,000,000 units)". */
  label: string;
  params: number;
  /** Parameters, gradients and optimizer state, plus this layer's activations for the batch. */
  bytes: number;
  /** The largest single buffer of this layer: a weight, or its output for the whole batch. */
  largestTensorBytes: number;
}

export interface MemoryEstimate {
  layers: LayerMemory[];
  /** The resident dataset and the input batch (its gather and its copy). */
  dataBytes: number;
  /** Σ layers[i].bytes + dataBytes. */
  total: number;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A kind in the builder's words: the registry's title (Conv2D, LSTM, BatchNorm); an unknown kind as written. */
export function kindLabel(kind: string): string {
  return findLayerDef(kind)?.title ?? kind;
}

/** "Dense, 1,000,000 units": the kind and its main size, whichever field the layer has. */
export function layerWords(l: LayerSpec): string {
  const o = l as unknown as Record<string, unknown>;
  const n = (k: string) => (typeof o[k] === 'number' ? (o[k] as number).toLocaleString('en-US') : null);
  const size = n('units') !== null ? `${n('units')} units` : n('filters') !== null ? `${n('filters')} filters`
    : n('hidden') !== null ? `${n('hidden')} hidden units` : n('dim') !== null ? `width ${n('dim')}` : null;
  return `${kindLabel(l.kind)}${size ? `, ${size}` : ''}`;
}

/** Optimizer state per parameter: none (plain SGD), one (momentum) or two (Adam's m and v). */
export function optimizerSlots(spec: ModelSpec): number {
  const o = spec.train?.optimizer;
  if (!o) return 2;
  return o.kind === 'sgd' ? ((o.momentum ?? 0) > 0 ? 1 : 0) : 2;
}

/**
 * Params + grads + optimizer state; per layer output: the train activation, its gradient and a
 * temporary (3×), plus the evaluation graph's copy (1×); the input batch (2×); the resident dataset.
 */
export function estimateMemory(spec: ModelSpec, layers: LayerShape[], ds: DatasetInfo): MemoryEstimate {
  const B = spec.train?.batchSize ?? 1;
  const slots = optimizerSlots(spec);
  const out = layers.map((s, i): LayerMemory => ({
    layer: i + 1,
    label: `Layer ${i + 1} (${layerWords(spec.layers[i])})`,
    params: s.params,
    bytes: 4 * s.params * (2 + slots) + 4 * B * s.activations * 4,
    largestTensorBytes: 4 * Math.max(s.largest, prod(s.outShape) * Math.max(1, B)),
  }));
  const dataBytes = 4 * B * 2 * prod(ds.inputShape) + ds.bytes;
  return { layers: out, dataBytes, total: out.reduce((a, l) => a + l.bytes, 0) + dataBytes };
}

export interface Limits {
  memoryBudgetBytes: number;
  /** The device's maxStorageBufferBindingSize. */
  maxBindingBytes: number;
}

/** The layers that make up most of `bytes(l)`: the biggest, and any other over a quarter of the biggest (at most 3). */
function dominant(layers: LayerMemory[], bytes: (l: LayerMemory) => number): LayerMemory[] {
  const sorted = [...layers].sort((a, b) => bytes(b) - bytes(a));
  return sorted.filter((l, i) => i === 0 || (i < 3 && bytes(l) >= bytes(sorted[0]) / 4));
}

/**
 * Why a model cannot train within the limits, naming the layers that dominate, or null when it
 * fits. The first sentence is the session's refusal; the rest names the layers.
 */
export function memoryProblem(spec: ModelSpec, shapes: ShapeReport, limits: Limits): string | null {
  const { memoryBudgetBytes: budget, maxBindingBytes: bind } = limits;
  const overBudget = shapes.memoryBytes > budget;
  if (!overBudget && shapes.largestTensorBytes <= bind) return null;
  const est = estimateMemory(spec, shapes.layers, datasetInfo(spec));
  const head = `This model ${overBudget
    ? `needs about ${formatBytes(shapes.memoryBytes)} to train, over the memory budget of ${formatBytes(budget)}`
    : `has a tensor of ${formatBytes(shapes.largestTensorBytes)}, over this device's ${formatBytes(bind)} limit per buffer`} (${shapes.totalParams.toLocaleString('en-US')} parameters, batch ${spec.train?.batchSize}).`;
  let parts: string;
  if (overBudget) {
    parts = dominant(est.layers, (l) => l.bytes).map((l) => `${l.label} needs about ${formatBytes(l.bytes)}`).join('; ');
    if (est.dataBytes > est.total / 2) parts = `the data set and input batch need about ${formatBytes(est.dataBytes)}; ${parts}`;
    parts += `; the limit is ${formatBytes(budget)}`;
  } else {
    const big = dominant(est.layers, (l) => l.largestTensorBytes)[0];
    parts = big && big.largestTensorBytes > bind
      ? `${big.label} has a buffer of about ${formatBytes(big.largestTensorBytes)}; the limit is ${formatBytes(bind)}`
      : `all parameters share one buffer of ${formatBytes(4 * shapes.totalParams)}, the largest part being ${dominant(est.layers, (l) => l.params).map((l) => `${l.label} with ${l.params.toLocaleString('en-US')} parameters`).join('; ')}; the limit is ${formatBytes(bind)}`;
  }
  return `${head} ${parts[0].toUpperCase()}${parts.slice(1)}. Make it smaller or lower the batch size.`;
}
