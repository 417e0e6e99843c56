// A confusion matrix and misclassified examples of an MNIST model over its test split: a batched
// eval-mode forward beside the session (own graph and activations over the live parameter and
// BatchNorm tensors, like predict.ts's probe), so it never disturbs the eval program's metric sums.
// Each batch is one submission queued behind the training steps already submitted.
import type { StepParams, Tensor } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import { buildModel } from '../nn/model.ts';
import { datasetInfo } from '../model/shapes.ts';
import type { Compiled } from './compile.ts';

export interface Mistake {
  index: number; // test sample
  label: number;
  pred: number;
  /** The predicted class's probability. */
  p: number;
  image: Float32Array; // 784 values in [0, 1]
}

export interface Confusion {
  classes: number;
  /** (classes, classes) counts, row = true label, column = prediction. */
  counts: Uint32Array;
  n: number;
  correct: number;
  /** The first misclassified test samples, in test order. */
  mistakes: Mistake[];
}

export interface ConfusionEvaluator {
  /**
   * Evaluates the first `limit` test samples (all by default). Calls are serialised, and a newer
   * call supersedes an older one still running: that one rejects between batches ("superseded").
   */
  run(opts?: { limit?: number; maxMistakes?: number }): Promise<Confusion>;
  dispose(): void;
}

export function createConfusionEvaluator(c: Compiled, batch = 250): ConfusionEvaluator {
  if (c.spec.dataset.kind !== 'mnist') throw new Error('a confusion matrix needs an MNIST model');
  const be = c.be;
  const inShape = datasetInfo(c.spec).inputShape;
  const B = Math.max(1, Math.min(batch, c.testData.n));
  const g = new Graph(be, false);
  const x = g.alloc([B, ...inShape], 'confusion.x');
  const labels = be.tensor([B], 'confusion.labels', 'u32');
  const out = buildModel(g, c.spec.layers, x, { values: c.params, grads: null, buffers: c.buffers });
  const K = out.shape[out.shape.length - 1];
  if (out.size !== B * K) throw new Error(`confusion: expected (${B}, classes) outputs, got (${out.shape})`);
  const program = be.program('confusion batch', [be.gatherBatch(x, labels, c.testData.images, c.testData.labels, c.testData.indices, 784), ...g.forward]);
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  let latest = 0;

  async function evaluate(id: number, limit: number, maxMistakes: number): Promise<Confusion> {
    if (disposed) throw new Error('confusion: disposed');
    const n = Math.max(0, Math.min(limit, c.testData.n));
    const counts = new Uint32Array(K * K);
    const mistakes: Mistake[] = [];
    let correct = 0;
    for (let start = 0; start < n; start += B) {
      if (id !== latest) throw new Error('superseded by a newer evaluation');
      const rows = Math.min(B, n - start);
      const params: StepParams = { step: 0, batchStart: start, lr: 0, seed: 0, rows };
      be.run(program, params);
      // All reads are enqueued before any await, so nothing else can overwrite x meanwhile.
      const wantImages = mistakes.length < maxMistakes;
      const [z, y, xs] = await Promise.all([be.read(out), be.read(labels), wantImages ? be.read(x) : null]);
      for (let r = 0; r < rows; r++) {
        let pred = 0;
        for (let k = 1; k < K; k++) if (z[r * K + k] > z[r * K + pred]) pred = k;
        const label = y[r];
        counts[label * K + pred]++;
        if (pred === label) correct++;
        else if (xs && mistakes.length < maxMistakes) {
          let s = 0;
          for (let k = 0; k < K; k++) s += Math.exp(z[r * K + k] - z[r * K + pred]);
          mistakes.push({ index: start + r, label, pred, p: 1 / s, image: Float32Array.from(xs.subarray(r * 784, (r + 1) * 784)) });
        }
      }
    }
    return { classes: K, counts, n, correct, mistakes };
  }

  return {
    run(opts = {}) {
      const id = ++latest;
      const p = queue.then(() => evaluate(id, opts.limit ?? c.testData.n, opts.maxMistakes ?? 24));
      queue = p.catch(() => {});
      return p;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      g.dispose();
      be.free(labels as Tensor);
    },
  };
}
