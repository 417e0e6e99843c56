// Layers built from graph ops: Dense (fused bias + activation), Activation, Dropout, Flatten and
// a Residual wrapper. `describeParams` lists the parameters in a fixed order (the flat-buffer
// layout and the weights-file order); `buildModel` records the forward pass into a Graph.
import type { FusedAct, Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import { Rng } from '../rng.ts';
import type { Activation, LayerSpec } from '../spec/types.ts';

export interface ParamInfo {
  name: string; // e.g. "layers.1.W"
  shape: number[];
  fanIn: number;
  fanOut: number;
  init: 'he' | 'glorot' | 'zeros';
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
    } else if (l.kind === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
    } else if (l.kind === 'residual') {
      out.push(...describeParams(l.layers, shape, `${p}.layers`));
    }
  });
  return out;
}

/** Seeded initial values: He-uniform before ReLU-like activations, Glorot-uniform otherwise, zero biases. */
export function initParams(infos: ParamInfo[], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return infos.map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    if (p.init === 'zeros') return v;
    const bound = p.init === 'he' ? Math.sqrt(6 / p.fanIn) : Math.sqrt(6 / (p.fanIn + p.fanOut));
    for (let i = 0; i < n; i++) v[i] = rng.uniform(-bound, bound);
    return v;
  });
}

export interface ModelParams {
  values: Tensor[]; // in describeParams order
  grads: Tensor[] | null; // views into the flat gradient buffer, when training
}

/** Records the forward pass; x is (B, …inputShape). Returns the output (B, …). */
export function buildModel(g: Graph, layers: LayerSpec[], x: Tensor, params: ModelParams): Tensor {
  let next = 0;
  const take = (): Tensor => {
    const i = next++;
    const t = params.values[i];
    return params.grads ? g.param(t, params.grads[i]) : t;
  };
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
