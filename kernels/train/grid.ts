// The decision-boundary (or regression-surface) picture of a playground model: the model evaluated
// at every point of a g×g grid over the data's square, in one batched forward on the session's
// backend. Like the probe (predict.ts), it has its own eval-mode graph over the session's live
// parameter tensors, so it never touches the train or eval programs' activations; each call is one
// submission queued behind the steps already submitted and sees the weights as of then.
import type { StepParams } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import { buildModel } from '../nn/model.ts';
import { EXTENT, featureGrid, isRegression } from '../data/playground.ts';
import type { Compiled } from './compile.ts';

export interface BoundaryGrid {
  size: number; // g: the grid is g×g, row-major from the top (x₂ = +extent) down, x₁ left to right
  extent: number; // the square is [-extent, extent]²
  /** Per grid point: p(class 1) for a classifier, the predicted value for a regression. */
  values: Float32Array;
  regression: boolean;
  /** With `units`: every hidden layer's output per grid point, (g·g, width) row-major: each unit's own picture. */
  units?: { layer: number; name: string; width: number; values: Float32Array }[];
}

export interface GridEvaluator {
  readonly size: number;
  /** One forward of the whole grid; with `units`, the hidden layers' outputs come back too (same submission). */
  evaluate(opts?: { units?: boolean }): Promise<BoundaryGrid>;
  dispose(): void;
}

/** Largest grid side (64² points ≈ a 4096-row batch). */
export const MAX_GRID = 128;

/** Row-wise softmax of (n, V) logits, keeping column 1 (the "blue" class's probability). */
export function classOneProbability(logits: Float32Array, V: number): Float32Array {
  const n = logits.length / V, out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let k = 0; k < V; k++) m = Math.max(m, logits[i * V + k]);
    let s = 0;
    for (let k = 0; k < V; k++) s += Math.exp(logits[i * V + k] - m);
    out[i] = Math.exp(logits[i * V + 1] - m) / s;
  }
  return out;
}

/**
 * An evaluator for a compiled playground model over a g×g grid. The grid's features are expanded
 * once and uploaded once; each `evaluate` is a single forward of all g² points and one readback.
 */
export function createGridEvaluator(c: Compiled, g = 64): GridEvaluator {
  const d = c.spec.dataset;
  if (d.kind !== 'playground') throw new Error(`a decision boundary needs a playground dataset, not "${d.kind}"`);
  if (!Number.isInteger(g) || g < 2 || g > MAX_GRID) throw new Error(`grid size must be an integer between 2 and ${MAX_GRID}, got ${g}`);
  const be = c.be, F = d.features.length, n = g * g;
  const graph = new Graph(be, false);
  const x = graph.alloc([n, F], 'grid.x'); // (g·g, F)
  const out = buildModel(graph, c.spec.layers, x, { values: c.params, grads: null, buffers: c.buffers }); // (g·g, V) or (g·g, 1)
  be.write(x, featureGrid(d.features, g));
  const program = be.program('boundary grid', graph.forward);
  // Each hidden top-level layer's output: the last tensor the graph named after it, when it is (g·g, width).
  const hidden = c.spec.layers.slice(0, -1).flatMap((_, i) => {
    const o = graph.outputs.filter((t) => t.name.startsWith(`layers.${i}.`)).pop();
    return o && o.t.shape.length === 2 && o.t.shape[0] === n ? [{ layer: i, name: o.name, t: o.t }] : [];
  });
  const regression = isRegression(d.name);
  const params: StepParams = { step: 0, batchStart: 0, lr: 0, seed: 0, rows: n };
  let disposed = false;
  return {
    size: g,
    async evaluate(opts = {}) {
      if (disposed) throw new Error('the grid evaluator was disposed');
      be.run(program, params);
      // Every read is enqueued now, before another submission can overwrite these tensors.
      const reads = [be.read(out), ...(opts.units ? hidden.map((h) => be.read(h.t)) : [])];
      const [o, ...hs] = (await Promise.all(reads)) as Float32Array[];
      const V = out.size / n;
      const grid: BoundaryGrid = { size: g, extent: EXTENT, regression, values: regression ? Float32Array.from(o) : classOneProbability(o, V) };
      if (opts.units) grid.units = hidden.map((h, k) => ({ layer: h.layer, name: h.name, width: h.t.shape[1], values: hs[k] }));
      return grid;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      graph.dispose();
    },
  };
}
