// Compiles a validated spec into two fixed programs over device-resident data:
//   train: gather batch → [augment] → forward → loss (loss, its gradient, metrics) → backward → [Σg²] → optimizer
//   eval:  gather test batch → forward → loss metrics (no gradients, no dropout)
// Parameters, gradients and optimizer state each live in one flat buffer so the optimizer is a
// single dispatch; every tensor, pipeline and bind group is made here, once.
import type { Backend, OptimizerConfig, Program, Tensor } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import type { Mnist, MnistSplit } from '../data/mnist.ts';
import { buildModel, describeBuffers, describeParams, initParams, type ParamInfo } from '../nn/model.ts';
import { optimizerConfig } from '../optim/config.ts';
import { datasetInfo, resolveLayers } from '../model/shapes.ts';
import type { TaskData } from '../data/tasks.ts';
import { taskGather, taskLoss, taskTargets, uploadTaskSplit } from './task-data.ts';
import type { ModelSpec } from '../model/types.ts';

export interface SplitOnDevice {
  images: Tensor; // u32 words, 4 pixels each
  labels: Tensor; // u32 (n)
  indices: Tensor; // u32 (n): a permutation (train) or 0..n-1 (test)
  n: number;
}

export interface Compiled {
  be: Backend;
  spec: ModelSpec;
  paramInfo: ParamInfo[];
  params: Tensor[]; // views into paramsFlat
  paramsFlat: Tensor;
  gradsFlat: Tensor;
  state1: Tensor; // momentum / Adam m
  state2: Tensor; // Adam v
  opt: OptimizerConfig;
  train: Program;
  eval: Program;
  trainGraph: Graph;
  evalGraph: Graph;
  trainMetrics: Tensor; // (8) [Σ loss, Σ correct, rows, non-finite, Σ correct sequences, sequences, 0, 0]
  evalMetrics: Tensor;
  trainData: SplitOnDevice;
  testData: SplitOnDevice;
  batch: number;
  /** Every tensor made here, for dispose. */
  owned: Tensor[];
  /** Non-trained state in describeBuffers order (BatchNorm running mean/var). */
  buffers: Tensor[];
  /** The train batch fed to the model, and the gathered batch before augmentation (same tensor without). */
  x: Tensor;
  xRaw: Tensor;
}

/** Salt of the augmentation draws (the dropout salts are hashes of layer paths). */
export const AUGMENT_SALT = 0xa7c5;

export function uploadSplit(be: Backend, s: MnistSplit, name: string, owned: Tensor[]): SplitOnDevice {
  const bytes = s.n * 784;
  const words = new Uint32Array(Math.ceil(bytes / 4));
  new Uint8Array(words.buffer).set(s.images.subarray(0, bytes));
  const images = be.tensor([words.length], `${name}.images`, 'u32');
  const labels = be.tensor([s.n], `${name}.labels`, 'u32');
  const indices = be.tensor([s.n], `${name}.indices`, 'u32');
  be.write(images, words);
  be.write(labels, Uint32Array.from(s.labels.subarray(0, s.n)));
  const seq = new Uint32Array(s.n);
  for (let i = 0; i < s.n; i++) seq[i] = i;
  be.write(indices, seq);
  owned.push(images, labels, indices);
  return { images, labels, indices, n: s.n };
}

export function compile(be: Backend, spec: ModelSpec, data: Mnist | TaskData): Compiled {
  // Sequence tasks: row gathers instead of the u8 image gather, and the task's loss (task-data.ts).
  const task = spec.dataset.kind !== 'mnist' ? (data as TaskData) : null;
  const ds = datasetInfo(spec);
  const B = spec.train.batchSize;
  const owned: Tensor[] = [];
  const paramInfo = describeParams(resolveLayers(spec), ds.inputShape);
  const shapes = paramInfo.map((p) => p.shape);
  const P = be.flat(shapes, 'params');
  const G = be.flat(shapes, 'grads');
  const opt = optimizerConfig(spec.train);
  const needM = opt.kind !== 'sgd' || opt.momentum > 0;
  const needV = opt.kind !== 'sgd';
  const state1 = needM ? be.flat(shapes, 'opt.m').flat : be.tensor([1], 'opt.m');
  const state2 = needV ? be.flat(shapes, 'opt.v').flat : be.tensor([1], 'opt.v');
  owned.push(P.flat, G.flat, state1, state2);
  initParams(paramInfo, spec.seed).forEach((v, i) => be.write(P.views[i], v));
  // BatchNorm running stats: one flat buffer read by both programs, updated by the train program.
  const bufInfo = describeBuffers(resolveLayers(spec), ds.inputShape);
  const bufs = be.flat(bufInfo.length ? bufInfo.map((b) => b.shape) : [[1]], 'buffers');
  owned.push(bufs.flat);
  initParams(bufInfo, 0).forEach((v, i) => be.write(bufs.views[i], v));

  const trainData = task ? uploadTaskSplit(be, task.info, task.train, 'train', owned) : uploadSplit(be, (data as Mnist).train, 'train', owned);
  const testData = task ? uploadTaskSplit(be, task.info, task.test, 'test', owned) : uploadSplit(be, (data as Mnist).test, 'test', owned);

  // ---- train program ----
  const tg = new Graph(be, true);
  const x = tg.alloc([B, ...ds.inputShape], 'x');
  const y = task ? taskTargets(be, task.info, B, 'y') : be.tensor([B], 'y', 'u32');
  // 8 wide: MNIST fills [0..3]; sequence tasks add whole-sequence hits and sequences in [4], [5].
  const trainMetrics = be.tensor([8], 'train.metrics');
  owned.push(y, trainMetrics);
  // With augmentation the batch is gathered into x.raw and resampled into x on the GPU (train only).
  const aug = spec.train.augment;
  const xRaw = aug ? tg.alloc([B, ...ds.inputShape], 'x.raw') : x;
  const gather = task ? taskGather(be, xRaw, y, trainData) : [be.gatherBatch(xRaw, y, trainData.images, trainData.labels, trainData.indices, 784)];
  const augment = aug ? [be.augment(x, xRaw, [B, ds.inputShape[0], ds.inputShape[1], ds.inputShape[2]], aug, AUGMENT_SALT)] : [];
  const logits = buildModel(tg, spec.layers, x, { values: P.views, grads: G.views, buffers: bufs.views });
  if (task) taskLoss(tg, task.info, logits, y, trainMetrics);
  else tg.softmaxCrossEntropy(logits, y, trainMetrics);
  const bwd = tg.backward();
  const tail = [];
  let sq: Tensor | null = null;
  if (opt.clipNorm > 0) {
    sq = be.tensor([1], 'grad.sumsq');
    owned.push(sq);
    tail.push(be.sumSquares(sq, G.flat));
  }
  tail.push(be.optimizerStep(P.flat, G.flat, state1, state2, opt, sq));
  const train = be.program('train step', [...gather, ...augment, ...tg.forward, ...bwd, ...tail]);

  // ---- eval program ----
  const eg = new Graph(be, false);
  const xe = eg.alloc([B, ...ds.inputShape], 'x.eval');
  const ye = task ? taskTargets(be, task.info, B, 'y.eval') : be.tensor([B], 'y.eval', 'u32');
  const evalMetrics = be.tensor([8], 'eval.metrics');
  owned.push(ye, evalMetrics);
  const gatherE = task ? taskGather(be, xe, ye, testData) : [be.gatherBatch(xe, ye, testData.images, testData.labels, testData.indices, 784)];
  const logitsE = buildModel(eg, spec.layers, xe, { values: P.views, grads: null, buffers: bufs.views });
  if (task) taskLoss(eg, task.info, logitsE, ye, evalMetrics);
  else eg.softmaxCrossEntropy(logitsE, ye, evalMetrics);
  const evalP = be.program('eval batch', [...gatherE, ...eg.forward]);

  return {
    be, spec, paramInfo, params: P.views, paramsFlat: P.flat, gradsFlat: G.flat, state1, state2, opt,
    train, eval: evalP, trainGraph: tg, evalGraph: eg, trainMetrics, evalMetrics, trainData, testData,
    batch: B, owned, buffers: bufs.views, x, xRaw,
  };
}

export function disposeCompiled(c: Compiled): void {
  c.trainGraph.dispose();
  c.evalGraph.dispose();
  for (const t of c.owned) c.be.free(t);
  c.owned.length = 0;
}
