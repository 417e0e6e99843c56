// The model from its layer list: `describeParams` lists the parameters in a fixed order (the
// flat-buffer layout and the weights-file order); `buildModel` records the forward pass into a
// Graph. What each kind contributes lives in its registry file (kernels/layers/<kind>.ts).
import type { Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import { Rng } from '../rng.ts';
import { layerDef, type LayerSpec } from '../layers/index.ts';

export interface ParamInfo {
  name: string; // e.g. "layers.1.W"
  shape: number[];
  fanIn: number;
  fanOut: number;
  init: 'he' | 'glorot' | 'zeros' | 'ones' | 'uniform';
  bound?: number; // 'uniform': values in (−bound, bound)
  constRange?: [start: number, end: number, value: number]; // elements set to a constant after init (LSTM forget bias)
}

export function describeParams(layers: LayerSpec[], inShape: number[], prefix = 'layers'): ParamInfo[] {
  const out: ParamInfo[] = [];
  let shape = inShape;
  layers.forEach((l, i) => {
    const tiedLater = layers.slice(i + 1).some((x) => layerDef(x.kind).tiesEmbedding);
    shape = layerDef(l.kind).describe(l, shape, { prefix: `${prefix}.${i}`, out, tiedLater, describe: describeParams });
  });
  return out;
}

/**
 * State that is not trained but travels with the model (torch's buffers): BatchNorm running mean
 * (zeros) and running variance (ones), in layer order, per channel.
 */
export function describeBuffers(layers: LayerSpec[], inShape: number[]): ParamInfo[] {
  const out: ParamInfo[] = [];
  const all = describeParams(layers, inShape);
  // A running-stats layer's gamma names the layer and gives the channel count (LayerNorms have gammas too).
  const bn = new Set<string>();
  const walk = (ls: LayerSpec[], p: string): void => ls.forEach((l, i) => {
    const def = layerDef(l.kind);
    if (def.runningStats) bn.add(`${p}.${i}`);
    else if (def.inner) walk(def.inner(l), `${p}.${i}.layers`);
  });
  walk(layers, 'layers');
  for (const p of all) {
    const base = p.name.slice(0, -'.gamma'.length);
    if (!p.name.endsWith('.gamma') || !bn.has(base)) continue;
    out.push({ ...p, name: `${base}.running_mean`, init: 'zeros' }, { ...p, name: `${base}.running_var`, init: 'ones' });
  }
  return out;
}

/** Seeded initial values: He-uniform before ReLU-like activations, Glorot-uniform otherwise, zero biases. */
export function initParams(infos: ParamInfo[], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return infos.map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (p.init === 'zeros') return v;
    if (p.init === 'ones') return v.fill(1);
    const bound = p.init === 'uniform' ? p.bound ?? 1 : p.init === 'he' ? Math.sqrt(6 / p.fanIn) : Math.sqrt(6 / (p.fanIn + p.fanOut));
    for (let i = 0; i < n; i++) v[i] = rng.uniform(-bound, bound);
    if (p.constRange) v.fill(p.constRange[2], p.constRange[0], p.constRange[1]);
    return v;
  });
}

export interface ModelParams {
  values: Tensor[]; // in describeParams order
  grads: Tensor[] | null; // views into the flat gradient buffer, when training
  buffers?: Tensor[]; // in describeBuffers order (BatchNorm running stats), shared by train and eval
}

/** Records the forward pass; x is (B, …inputShape). Returns the output (B, …). */
export function buildModel(g: Graph, layers: LayerSpec[], x: Tensor, params: ModelParams): Tensor {
  let next = 0;
  const take = (): Tensor => {
    const i = next++;
    const t = params.values[i];
    return params.grads ? g.param(t, params.grads[i]) : t;
  };
  let nextBuf = 0;
  const takeBuffer = (): Tensor => {
    const t = params.buffers?.[nextBuf++];
    if (!t) throw new Error('buildModel: a BatchNorm layer needs its running-stat buffers (describeBuffers)');
    return t;
  };
  const run = (ls: LayerSpec[], h: Tensor, prefix: string): Tensor => {
    ls.forEach((l, i) => {
      ctx.name = `${prefix}.${i}`;
      h = layerDef(l.kind).lower(g, l, h, ctx);
    });
    return h;
  };
  // One context for the whole model: the last embedding table stays visible to a later unembed.
  const ctx = { name: '', take, takeBuffer, salt: saltOf, table: null as Tensor | null, run };
  return run(layers, x, 'layers');
}

/** A stable per-layer salt for dropout masks (FNV-1a of the layer path). */
function saltOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
