// A batch-of-one forward pass beside a compiled session, for the page's "see inside" views and
// draw-a-digit: its own eval-mode graph over the session's live parameter (and BatchNorm buffer)
// tensors, so it never touches the train or eval programs' activations. Each call is one
// submission queued behind the training steps already submitted: it sees the weights as of then.
import type { CellKind, Kernel, Program, StepParams, Tensor } from '../backend.ts';
import { CELL } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import { buildModel } from '../nn/model.ts';
import { datasetInfo } from '../model/shapes.ts';
import { rowsInfo } from '../data/datasets.ts';
import type { Compiled } from './compile.ts';
import { taskGather, taskTargets } from './task-data.ts';

export interface ProbeTaps {
  /** The sample's input (…inputShape), e.g. token ids of a sequence task. */
  input: Float32Array;
  /** First recurrent layer: hidden states (T, H) and, for LSTM/GRU, gate activations (T, 4H). */
  recurrent?: { name: string; cell: CellKind; T: number; H: number; h: Float32Array; gates: Float32Array | null };
  /** First attention layer: probabilities (heads, T, T), row = query position. */
  attention?: { name: string; heads: number; T: number; probs: Float32Array };
  /** MNIST: the sample's true digit. */
  label?: number;
  /** The first `convLayers` Conv2D layers' outputs after their activation, (H, W, C) each (NHWC, N = 1). */
  conv?: { name: string; H: number; W: number; C: number; maps: Float32Array }[];
}

export interface InspectOptions {
  /** How many Conv2D layers' feature maps to read (default 0: none, no extra reads). */
  convLayers?: number;
}

export interface Probe {
  /** Softmax probabilities of one input sample (…inputShape), e.g. a 28×28 image scaled to [0, 1]; a regression model's values as they are. */
  predict(sample: Float32Array): Promise<Float32Array>;
  /**
   * Runs test sample `index` and reads the first recurrent layer's and attention layer's
   * activations, and the first Conv2D layers' feature maps when asked.
   */
  inspect(index: number, opts?: InspectOptions): Promise<ProbeTaps>;
  dispose(): void;
}

const params = (batchStart: number): StepParams => ({ step: 0, batchStart, lr: 0, seed: 0, rows: 1 });

export function createProbe(c: Compiled): Probe {
  const be = c.be;
  const inShape = datasetInfo(c.spec).inputShape;
  const g = new Graph(be, false);
  g.captureConvs = true; // inspect() reads g.convTaps: every tapped conv output must be written
  const x = g.alloc([1, ...inShape], 'probe.x');
  const out = buildModel(g, c.spec.layers, x, { values: c.params, grads: null, buffers: c.buffers });
  const forward = be.program('probe forward', g.forward);
  const extra: Tensor[] = [];
  // Attention probabilities are recomputed from the saved qkv and log-sum-exps (never stored in training).
  const att = g.attentionTaps[0];
  let probs: Tensor | null = null;
  const tail: Kernel[] = [];
  if (att && typeof be.attentionProbs === 'function') {
    const T = att.qkv.shape[1];
    probs = g.alloc([1, att.heads, T, T], 'probe.attn');
    try {
      tail.push(be.attentionProbs(probs, att.qkv, att.lse, att.heads, att.causal));
    } catch {
      probs = null; // a backend without the kernel yet: the other views still work
    }
  }
  // The sample program gathers a test row into x (sequence tasks) or reuses x as written (MNIST).
  let sample: Program;
  let label: Tensor | null = null;
  if (c.spec.dataset.kind !== 'mnist') {
    const y = taskTargets(be, rowsInfo(c.spec.dataset), 1, 'probe.y');
    extra.push(y);
    sample = be.program('probe sample', [...taskGather(be, x, y, c.testData), ...g.forward, ...tail]);
  } else {
    label = be.tensor([1], 'probe.label', 'u32');
    extra.push(label);
    sample = be.program('probe sample', [be.gatherBatch(x, label, c.testData.images, c.testData.labels, c.testData.indices, 784), ...g.forward, ...tail]);
  }
  let disposed = false;
  return {
    async predict(s) {
      if (s.length !== x.size) throw new Error(`predict: expected ${x.size} values (${inShape.join('×')}), got ${s.length}`);
      be.write(x, s);
      be.run(forward, params(0));
      const logits = (await be.read(out)) as Float32Array;
      return c.spec.loss === 'mse' ? logits : softmax(logits);
    },
    async inspect(index, opts = {}) {
      const i = Math.max(0, Math.min(index, c.testData.n - 1));
      be.run(sample, params(i));
      // Every read is enqueued now, before any other submission can overwrite these tensors.
      const tap = g.taps[0];
      const convs = g.convTaps.slice(0, Math.max(0, opts.convLayers ?? 0));
      const reads = [
        be.read(x),
        tap ? be.read(tap.buffers.hseq) : null,
        tap && tap.cell !== CELL.rnn ? be.read(tap.buffers.gates) : null,
        probs ? be.read(probs) : null,
        label ? be.read(label) : null,
        ...convs.map((t) => be.read(t.y)),
      ];
      const [input, h, gates, p, lab, ...maps] = (await Promise.all(reads)) as (Float32Array | null)[];
      const r: ProbeTaps = { input: input! };
      if (tap && h) {
        const [, T, H] = tap.buffers.hseq.shape;
        r.recurrent = { name: tap.name, cell: tap.cell, T, H, h, gates };
      }
      if (att && p) r.attention = { name: att.name, heads: att.heads, T: att.qkv.shape[1], probs: p };
      if (lab) r.label = lab[0];
      if (convs.length) {
        r.conv = convs.map((t, k) => {
          const [, H, W, C] = t.y.shape;
          return { name: t.name, H, W, C, maps: maps[k]! };
        });
      }
      return r;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      g.dispose();
      for (const t of extra) be.free(t);
    },
  };
}

function softmax(z: Float32Array): Float32Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
