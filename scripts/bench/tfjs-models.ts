// The four reference models written in TensorFlow.js core ops (the peer of the benchmark), with
// the shapes, optimizer (Adam) and batch sizes of ours. Dense and conv layers use tf.fused.* (bias
// and activation folded in), as tfjs-layers does. Data lives in tensors on the backend; each step
// gathers its batch from them by a resident index tensor, as our engine gathers on the device.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BenchData } from './data.ts';
import type { Work } from './measure.ts';
import { LSTM_LEARN_STEPS, type ModelName } from './ours.ts';

export interface TfModel {
  batch: number;
  /** Batches the steps cycle through: step i trains batch i mod batches. */
  batches: number;
  /** Steps before the loss reliably falls (measure.ts Work.learnSteps; ours' figure for the same model). */
  learnSteps?: number;
  params: number;
  /** Records one training step (no readback). */
  step(i: number): void;
  /** Waits until every recorded step has finished (a one-element readback of the latest loss). */
  sync(): Promise<void>;
  /** The latest step's loss (a readback; never inside a timed window). */
  loss(): Promise<number>;
  dispose(): void;
}

type V = tf.Variable;
const glorot = (shape: number[], fanIn: number, fanOut: number): V =>
  tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / (fanIn + fanOut)), Math.sqrt(6 / (fanIn + fanOut))));
const he = (shape: number[], fanIn: number): V => tf.variable(tf.randomUniform(shape, -Math.sqrt(6 / fanIn), Math.sqrt(6 / fanIn)));
const zeros = (shape: number[]): V => tf.variable(tf.zeros(shape));
const ones = (shape: number[]): V => tf.variable(tf.ones(shape));

function dense(x: tf.Tensor2D, W: V, b: V, act: 'linear' | 'relu' = 'linear'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: W as tf.Tensor2D, bias: b, activation: act }) as tf.Tensor2D;
}

/** Trains `loss` with Adam over `vars`; the batch of step i starts at row (i·B) mod (n − B + 1). */
function trainer(vars: V[], resident: tf.Tensor[], B: number, n: number, loss: (idx: tf.Tensor1D) => tf.Scalar): TfModel {
  const opt = tf.train.adam(1e-3);
  const perm = tf.tensor1d(Array.from({ length: n }, (_, i) => i), 'int32');
  let last: tf.Scalar | null = null;
  const starts = Math.max(1, Math.floor(n / B));
  return {
    batch: B,
    batches: starts,
    params: vars.reduce((s, v) => s + v.size, 0),
    step(i: number) {
      const start = (i % starts) * B;
      const cost = opt.minimize(() => tf.tidy(() => loss(tf.slice(perm, start, B))), true, vars);
      last?.dispose();
      last = cost;
    },
    async sync() {
      if (last) await last.data();
    },
    async loss() {
      return last ? (await last.data())[0] : NaN;
    },
    dispose() {
      last?.dispose();
      last = null;
      opt.dispose();
      perm.dispose();
      for (const t of [...vars, ...resident]) t.dispose();
    },
  };
}

/** mlp-mnist: 784-1024-1024-10 ReLU, softmax cross-entropy, Adam, batch 128. */
export function tfMlp(d: BenchData['mnist'], B = 128): TfModel {
  const X = tf.tensor2d(d.x, [d.n, 784]);
  const Y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(d.y, 'int32'), 10), 'float32'));
  const W1 = he([784, 1024], 784), b1 = zeros([1024]), W2 = he([1024, 1024], 1024), b2 = zeros([1024]);
  const W3 = glorot([1024, 10], 1024, 10), b3 = zeros([10]);
  return trainer([W1, b1, W2, b2, W3, b3], [X, Y], B, d.n, (idx) => {
    const x = tf.gather(X, idx) as tf.Tensor2D;
    const y = tf.gather(Y, idx);
    const logits = dense(dense(dense(x, W1, b1, 'relu'), W2, b2, 'relu'), W3, b3);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  });
}

/** cnn-mnist (issue 12): conv 8@5×5 same ReLU, maxpool 2, conv 16@5×5 same ReLU, maxpool 2, dense 10; batch 64. */
export function tfCnn(d: BenchData['mnist'], B = 64): TfModel {
  const X = tf.tensor4d(d.x, [d.n, 28, 28, 1]);
  const Y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(d.y, 'int32'), 10), 'float32'));
  const K1 = he([5, 5, 1, 8], 25), c1 = zeros([8]), K2 = he([5, 5, 8, 16], 200), c2 = zeros([16]);
  const W = glorot([784, 10], 784, 10), b = zeros([10]);
  return trainer([K1, c1, K2, c2, W, b], [X, Y], B, d.n, (idx) => {
    const x = tf.gather(X, idx) as tf.Tensor4D;
    const y = tf.gather(Y, idx);
    let h = tf.fused.conv2d({ x, filter: K1 as tf.Tensor4D, strides: 1, pad: 'same', bias: c1, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.fused.conv2d({ x: h, filter: K2 as tf.Tensor4D, strides: 1, pad: 'same', bias: c2, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    const logits = dense(tf.reshape(h, [B, 7 * 7 * 16]), W, b);
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  });
}

/** LSTM: input 8, hidden 128, T = 32, batch 32, dense 1 on the last state, MSE (PyTorch gate order i, f, g, o; two biases). */
export function tfLstm(d: BenchData['seq'], B = 32): TfModel {
  const { T, I, H } = d;
  const X = tf.tensor3d(d.x, [d.n, T, I]);
  const Y = tf.tensor2d(d.y, [d.n, 1]);
  const Wih = glorot([I, 4 * H], I, 4 * H), bih = zeros([4 * H]), Whh = glorot([H, 4 * H], H, 4 * H), bhh = zeros([4 * H]);
  const Wd = glorot([H, 1], H, 1), bd = zeros([1]);
  return trainer([Wih, bih, Whh, bhh, Wd, bd], [X, Y], B, d.n, (idx) => {
    const x = tf.gather(X, idx);
    const y = tf.gather(Y, idx);
    // x·W_ih + b_ih for every timestep in one GEMM, then the recurrence.
    const xp = tf.reshape(dense(tf.reshape(x, [B * T, I]), Wih, bih), [B, T, 4 * H]);
    const xs = tf.unstack(xp, 1) as tf.Tensor2D[];
    let h: tf.Tensor2D = tf.zeros([B, H]);
    let c: tf.Tensor2D = tf.zeros([B, H]);
    for (let t = 0; t < T; t++) {
      const gates = tf.add(xs[t], dense(h, Whh, bhh));
      const [i, f, g, o] = tf.split(gates, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    }
    return tf.losses.meanSquaredError(y, dense(h, Wd, bd)) as tf.Scalar;
  });
}

/**
 * Decoder-only transformer: token embedding 16 → 64 plus learned positions, 2 pre-LN blocks (4
 * heads, causal; MLP 256 with exact GELU), final LayerNorm, dense 16; per-token softmax
 * cross-entropy over the positions the copy task scores (the answer half), batch 32.
 */
export function tfTransformer(d: BenchData['tokens'], B = 32): TfModel {
  const { T, V, D, heads, mlp, layers } = d;
  const dh = D / heads;
  const ids = tf.tensor2d(d.ids, [d.n, T], 'int32');
  const Y = tf.tensor2d(d.labels, [d.n, T], 'int32');
  const Wt = tf.tensor2d(d.weights, [d.n, T]);
  const E = tf.variable(tf.randomNormal([V, D])), P = tf.variable(tf.randomUniform([T, D], -0.1, 0.1));
  const mask = tf.tensor2d(Array.from({ length: T * T }, (_, k) => (k % T > Math.floor(k / T) ? -1e9 : 0)), [T, T]);
  const blocks = Array.from({ length: layers }, () => ({
    g1: ones([D]), b1: zeros([D]), Wqkv: glorot([D, 3 * D], D, 3 * D), bqkv: zeros([3 * D]), Wo: glorot([D, D], D, D), bo: zeros([D]),
    g2: ones([D]), b2: zeros([D]), W1: he([D, mlp], D), c1: zeros([mlp]), W2: glorot([mlp, D], mlp, D), c2: zeros([D]),
  }));
  const gf = ones([D]), bf = zeros([D]), Wout = glorot([D, V], D, V), bout = zeros([V]);
  const vars: V[] = [E, P, ...blocks.flatMap((b) => Object.values(b)), gf, bf, Wout, bout];
  const ln = (x: tf.Tensor2D, g: V, b: V): tf.Tensor2D => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const gelu = (x: tf.Tensor2D): tf.Tensor2D => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  // The gather's gradient needs UnsortedSegmentSum, which the WASM backend lacks: there the lookup is
  // a one-hot (B·T, V) · E matmul (same values and gradient).
  const gatherGrad = tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
  const embed = (x: tf.Tensor2D): tf.Tensor => gatherGrad
    ? tf.gather(E, x)
    : tf.reshape(tf.matMul(tf.cast(tf.oneHot(tf.reshape(x, [B * T]) as tf.Tensor1D, V), 'float32'), E), [B, T, D]);
  return trainer(vars, [ids, Y, Wt, mask], B, d.n, (idx) => {
    const x = tf.gather(ids, idx) as tf.Tensor2D;
    const y = tf.reshape(tf.gather(Y, idx), [B * T]) as tf.Tensor1D;
    const w = tf.reshape(tf.gather(Wt, idx), [B * T]);
    let h = tf.reshape(tf.add(embed(x), P), [B * T, D]) as tf.Tensor2D;
    for (const k of blocks) {
      const qkv = dense(ln(h, k.g1, k.b1), k.Wqkv, k.bqkv); // (B·T, 3D)
      const [q, kk, v] = tf.unstack(tf.transpose(tf.reshape(qkv, [B, T, 3, heads, dh]), [2, 0, 3, 1, 4])) as tf.Tensor4D[];
      const s = tf.add(tf.mul(tf.matMul(q, kk, false, true), 1 / Math.sqrt(dh)), mask);
      const a = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), v), [0, 2, 1, 3]), [B * T, D]) as tf.Tensor2D;
      h = tf.add(h, dense(a, k.Wo, k.bo));
      h = tf.add(h, dense(gelu(dense(ln(h, k.g2, k.b2), k.W1, k.c1)), k.W2, k.c2));
    }
    const logits = dense(ln(h, gf, bf), Wout, bout);
    return tf.losses.softmaxCrossEntropy(tf.oneHot(y, V), logits, w) as tf.Scalar;
  });
}

export function tfModel(name: ModelName, d: BenchData): TfModel {
  switch (name) {
    case 'mlp-mnist': return tfMlp(d.mnist);
    case 'cnn-mnist': return tfCnn(d.mnist);
    case 'lstm': return { ...tfLstm(d.seq), learnSteps: LSTM_LEARN_STEPS };
    case 'transformer': return tfTransformer(d.tokens);
  }
}

export const tfWork = (m: TfModel, threads?: number | null): Work =>
  ({ batch: m.batch, batches: m.batches, learnSteps: m.learnSteps, iter: (i) => m.step(i), sync: () => m.sync(), loss: () => m.loss(), dispose: () => m.dispose(), threads });
