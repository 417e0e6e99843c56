// Data shared by both sides of the benchmark, generated or loaded once per page or Node run: an
// MNIST subset, random sequences for the LSTM (input 8, T = 32, one regression target) and the copy
// task for the transformer (14 symbols, length 16: T = 32 tokens, vocabulary 16).
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { generateTask, type TaskData, type TaskDatasetSpec } from '../../kernels/data/tasks.ts';
import { IGNORE_LABEL } from '../../kernels/backend.ts';
import { Rng } from '../../kernels/rng.ts';

export const MNIST_N = 2048;
export const SEQ = { T: 32, I: 8, H: 128, n: 1024 };
export const COPY_TASK: TaskDatasetSpec = { kind: 'task', name: 'copy', length: 16, symbols: 14, trainSize: 1024, testSize: 128 };
export const TRANSFORMER = { D: 64, heads: 4, mlp: 256, layers: 2 };

export interface BenchData {
  mnistRaw: Mnist; // for our sessions (a subset)
  mnist: { x: Float32Array; y: Int32Array; n: number }; // pixels in [0, 1], for tfjs
  seq: { x: Float32Array; y: Float32Array; n: number; T: number; I: number; H: number };
  copy: TaskData; // for our session
  tokens: { ids: Int32Array; labels: Int32Array; weights: Float32Array; n: number; T: number; V: number } & typeof TRANSFORMER;
}

/** Loads MNIST over HTTP (the page) and builds the benchmark's data from it. */
export async function loadBenchData(mnistUrl: string): Promise<BenchData> {
  return benchDataFrom(await loadMnist(mnistUrl));
}

/** The benchmark's data from MNIST already in memory (Node reads it from disk); it uses only the first MNIST_N train and 256 test images. */
export function benchDataFrom(full: Mnist): BenchData {
  const mnistRaw = { train: take(full.train, MNIST_N), test: take(full.test, 256) };
  const x = new Float32Array(MNIST_N * 784);
  for (let i = 0; i < x.length; i++) x[i] = mnistRaw.train.images[i] / 255;
  const y = Int32Array.from(mnistRaw.train.labels);

  const rng = new Rng(12);
  const { T, I, H, n } = SEQ;
  const sx = new Float32Array(n * T * I);
  for (let i = 0; i < sx.length; i++) sx[i] = rng.uniform(-1, 1);
  const sy = new Float32Array(n);
  for (let s = 0; s < n; s++) sy[s] = sx[s * T * I + (T - 1) * I] * 0.5 + sx[s * T * I] * 0.5; // a target that depends on both ends

  const copy = generateTask(COPY_TASK, 1);
  const tn = copy.train.n, TT = 2 * COPY_TASK.length;
  const ids = Int32Array.from(copy.train.inputs);
  const tg = copy.train.targets as Uint32Array;
  const labels = new Int32Array(tn * TT), weights = new Float32Array(tn * TT);
  for (let i = 0; i < tn * TT; i++) {
    const ok = tg[i] !== IGNORE_LABEL;
    labels[i] = ok ? tg[i] : 0;
    weights[i] = ok ? 1 : 0;
  }
  return {
    mnistRaw, mnist: { x, y, n: MNIST_N }, seq: { x: sx, y: sy, n, T, I, H }, copy,
    tokens: { ids, labels, weights, n: tn, T: TT, V: (COPY_TASK.symbols ?? 8) + 2, ...TRANSFORMER },
  };
}
