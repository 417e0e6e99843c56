// Layers built from graph ops: Dense (fused bias + activation), Activation, Dropout, Flatten and
// a Residual wrapper. `describeParams` lists the parameters in a fixed order (the flat-buffer
// layout and the weights-file order); `buildModel` records the forward pass into a Graph.
import type { FusedAct, Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import { Rng } from '../rng.ts';
import type { Activation, LayerSpec } from '../model/types.ts';
import { layerGeom } from '../model/conv.ts';
import { buildRecurrent, describeEmbedding, describeRecurrent, RECURRENT_KINDS, recurrentOutShape, type RecurrentSpec } from './recurrent.ts';
import { buildPosenc, buildTransformer, describePosenc, describeTransformer } from './transformer.ts';

export interface ParamInfo {
  name: string; // e.g. "layers.1.W"
  shape: number[];
  fanIn: number;
  fanOut: number;
  init: 'he' | 'glorot' | 'zeros' | 'ones' | 'uniform';
  bound?: number; // 'uniform': values in (−bound, bound)
  constRange?: [start: number, end: number, value: number]; // elements set to a constant after init (LSTM forget bias)
}

const FUSABLE: ReadonlySet<string> = new Set(['none', 'relu', 'leaky_relu', 'tanh', 'sigmoid']);

export function describeParams(layers: LayerSpec[], inShape: number[], prefix = 'layers'): ParamInfo[] {
  const out: ParamInfo[] = [];
  let shape = inShape;
  layers.forEach((l, i) => {
    const p = `${prefix}.${i}`;
    if (l.kind === 'dense') {
      const fin = shape[shape.length - 1];
      const act = l.activation ?? 'none';
      const init = act === 'relu' || act === 'leaky_relu' || act === 'gelu' ? 'he' : 'glorot';
      // W is (in, out): y = x·W + b.
      out.push({ name: `${p}.W`, shape: [fin, l.units], fanIn: fin, fanOut: l.units, init });
      out.push({ name: `${p}.b`, shape: [l.units], fanIn: fin, fanOut: l.units, init: 'zeros' });
      shape = [...shape.slice(0, -1), l.units];
    } else if (l.kind === 'conv2d') {
      // W is (KH, KW, C, F): the (K, F) matrix of the implicit GEMM with K = KH·KW·C.
      const g = layerGeom(l, shape);
      const act = l.activation ?? 'none';
      const init = act === 'relu' || act === 'leaky_relu' || act === 'gelu' ? 'he' : 'glorot';
      const fanIn = g.KH * g.KW * g.C, fanOut = g.KH * g.KW * g.F;
      out.push({ name: `${p}.W`, shape: [g.KH, g.KW, g.C, g.F], fanIn, fanOut, init });
      out.push({ name: `${p}.b`, shape: [g.F], fanIn, fanOut, init: 'zeros' });
      shape = [g.OH, g.OW, g.F];
    } else if (l.kind === 'maxpool2d' || l.kind === 'avgpool2d') {
      const g = layerGeom(l, shape);
      shape = [g.OH, g.OW, g.C];
    } else if (l.kind === 'globalavgpool') {
      shape = [shape[shape.length - 1]];
    } else if (l.kind === 'batchnorm') {
      const C = shape[shape.length - 1];
      out.push({ name: `${p}.gamma`, shape: [C], fanIn: C, fanOut: C, init: 'ones' });
      out.push({ name: `${p}.beta`, shape: [C], fanIn: C, fanOut: C, init: 'zeros' });
    } else if (l.kind === 'embedding') {
      out.push(...describeEmbedding(l, p, layers.slice(i + 1).some((x) => x.kind === 'unembed')));
      shape = [...shape, l.dim];
    } else if (RECURRENT_KINDS.has(l.kind)) {
      const r = l as RecurrentSpec;
      out.push(...describeRecurrent(r, shape, p));
      shape = recurrentOutShape(r, shape);
    } else if (l.kind === 'layernorm') {
      const C = shape[shape.length - 1];
      out.push({ name: `${p}.gamma`, shape: [C], fanIn: C, fanOut: C, init: 'ones' });
      out.push({ name: `${p}.beta`, shape: [C], fanIn: C, fanOut: C, init: 'zeros' });
    } else if (l.kind === 'posenc') {
      out.push(...describePosenc(l, shape[0], shape[1], p));
    } else if (l.kind === 'transformer') {
      out.push(...describeTransformer(l, shape[shape.length - 1], p));
    } else if (l.kind === 'patches') {
      // W (size, size, C, dim) of a conv with stride = size: the (size²·C, dim) patch projection.
      const [H, W, C] = shape;
      const fanIn = l.size * l.size * C;
      out.push({ name: `${p}.W`, shape: [l.size, l.size, C, l.dim], fanIn, fanOut: l.dim, init: 'glorot' });
      out.push({ name: `${p}.b`, shape: [l.dim], fanIn, fanOut: l.dim, init: 'zeros' });
      shape = [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim];
    } else if (l.kind === 'unembed') {
      shape = [...shape.slice(0, -1), embedVocab(out)];
    } else if (l.kind === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (l.kind === 'residual') {
      out.push(...describeParams(l.layers, shape, `${p}.layers`));
    }
  });
  return out;
}

/** Rows of the last embedding table described so far: the output size of a tied 'unembed'. */
function embedVocab(params: ParamInfo[]): number {
  for (let i = params.length - 1; i >= 0; i--) if (params[i].name.endsWith('.table')) return params[i].shape[0];
  throw new Error('unembed: no embedding before it to share weights with');
}

/**
 * State that is not trained but travels with the model (torch's buffers): BatchNorm running mean
 * (zeros) and running variance (ones), in layer order, per channel.
 */
export function describeBuffers(layers: LayerSpec[], inShape: number[]): ParamInfo[] {
  const out: ParamInfo[] = [];
  const all = describeParams(layers, inShape);
  // A batchnorm's gamma names the layer and gives the channel count (LayerNorms have gammas too).
  const bn = new Set<string>();
  const walk = (ls: LayerSpec[], p: string): void => ls.forEach((l, i) => {
    if (l.kind === 'batchnorm') bn.add(`${p}.${i}`);
    else if (l.kind === 'residual') walk(l.layers, `${p}.${i}.layers`);
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
  let table: Tensor | null = null; // the last embedding table, for a tied 'unembed'
  const run = (ls: LayerSpec[], h: Tensor, prefix: string): Tensor => {
    ls.forEach((l, i) => {
      const name = `${prefix}.${i}`;
      switch (l.kind) {
        case 'dense': {
          const W = take();
          const b = take();
          const act = l.activation ?? 'none';
          if (FUSABLE.has(act)) h = g.dense(h, W, b, act as FusedAct, `${name}.dense`);
          else {
            h = g.dense(h, W, b, 'none', `${name}.dense`);
            h = g.unary(act as Activation, h, `${name}.${act}`);
          }
          break;
        }
        case 'activation':
          h = g.unary(l.fn, h, `${name}.${l.fn}`);
          break;
        case 'dropout':
          h = g.dropout(h, l.rate, saltOf(name), `${name}.dropout`);
          break;
        case 'flatten':
          h = g.reshape(h, [h.shape[0], h.size / h.shape[0]]);
          break;
        case 'embedding':
          table = take();
          h = g.embedding(h, table, `${name}.embedding`);
          break;
        case 'unembed': {
          // logits = h · tableᵀ over all rows: the table's gradient gets this and the lookup's.
          if (!table) throw new Error(`${name}: unembed needs an embedding before it`);
          const [V, D] = table.shape;
          const rows = h.size / D;
          h = g.matmul(g.reshape(h, [rows, D]), table, { transB: true }, [...h.shape.slice(0, -1), V], `${name}.unembed`);
          break;
        }
        case 'layernorm':
          h = g.layerNorm(h, take(), take(), l.eps ?? 1e-5, `${name}.layernorm`);
          break;
        case 'posenc':
          h = buildPosenc(g, l, h, take, name);
          break;
        case 'transformer':
          h = buildTransformer(g, l, h, take, saltOf, name);
          break;
        case 'patches': {
          const W = take();
          const b = take();
          const geom = layerGeom({ kind: 'conv2d', filters: l.dim, kernel: l.size, stride: l.size, padding: 'valid' }, h.shape.slice(1), h.shape[0]);
          h = g.conv2d(h, W, b, geom, 'none', `${name}.patches`);
          h = g.reshape(h, [geom.N, geom.OH * geom.OW, l.dim]);
          break;
        }
        case 'lstm':
        case 'gru':
        case 'rnn':
          h = buildRecurrent(g, l, h, take, name);
          break;
        case 'conv2d': {
          const W = take();
          const b = take();
          const geom = layerGeom(l, h.shape.slice(1), h.shape[0]);
          const act = l.activation ?? 'none';
          if (FUSABLE.has(act)) h = g.conv2d(h, W, b, geom, act as FusedAct, `${name}.conv2d`);
          else {
            h = g.conv2d(h, W, b, geom, 'none', `${name}.conv2d`);
            h = g.unary(act as Activation, h, `${name}.${act}`);
          }
          g.convTaps.push({ name: `${name}.conv2d`, y: h });
          break;
        }
        case 'maxpool2d':
        case 'avgpool2d':
          h = g.pool2d(l.kind === 'maxpool2d' ? 'max' : 'avg', h, layerGeom(l, h.shape.slice(1), h.shape[0]), `${name}.${l.kind}`);
          break;
        case 'globalavgpool': {
          // (N, H, W, C) viewed as (N, H·W, C), mean over the middle axis → (N, C).
          const [N, C] = [h.shape[0], h.shape[h.shape.length - 1]];
          h = g.reduce('mean', g.reshape(h, [N, h.size / (N * C), C]), 1, `${name}.globalavgpool`);
          break;
        }
        case 'batchnorm': {
          const gamma = take();
          const beta = take();
          h = g.batchnorm(h, gamma, beta, takeBuffer(), takeBuffer(), l.eps ?? 1e-5, l.momentum ?? 0.1, `${name}.batchnorm`);
          break;
        }
        case 'residual': {
          const inner = run(l.layers, h, `${name}.layers`);
          h = g.binary('add', h, inner, `${name}.residual`);
          break;
        }
      }
    });
    return h;
  };
  return run(layers, x, 'layers');
}

/** A stable per-layer salt for dropout masks (FNV-1a of the layer path). */
function saltOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
