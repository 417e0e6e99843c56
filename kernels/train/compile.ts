// Compiles a validated spec into two fixed programs over device-resident data:
//   train: gather batch → forward → softmax-CE (loss, dlogits, metrics) → backward → [Σg²] → optimizer
//   eval:  gather test batch → forward → softmax-CE metrics (no gradients, no dropout)
// Parameters, gradients and optimizer state each live in one flat buffer so the optimizer is a
// single dispatch; every tensor, pipeline and bind group is made here, once.
import type { Backend, OptimizerConfig, Program, Tensor } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import type { Mnist, MnistSplit } from '../data/mnist.ts';
import { buildModel, describeParams, initParams, type ParamInfo } from '../nn/model.ts';
import { optimizerConfig } from '../optim/config.ts';
import { datasetInfo } from '../spec/shapes.ts';
import type { ModelSpec } from '../spec/types.ts';

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
  trainMetrics: Tensor; // (4) [Σ loss, Σ correct, rows, non-finite]
  evalMetrics: Tensor;
  trainData: SplitOnDevice;
  testData: SplitOnDevice;
  batch: number;
  /** Every tensor made here, for dispose. */
  owned: Tensor[];
}

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

export function compile(be: Backend, spec: ModelSpec, data: Mnist): Compiled {
  const ds = datasetInfo(spec);
  const B = spec.train.batchSize;
  const owned: Tensor[] = [];
  const paramInfo = describeParams(spec.layers, ds.inputShape);
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

  const trainData = uploadSplit(be, data.train, 'train', owned);
  const testData = uploadSplit(be, data.test, 'test', owned);

  // ---- train program ----
  const tg = new Graph(be, true);
  const x = tg.alloc([B, ...ds.inputShape], 'x');
  const y = be.tensor([B], 'y', 'u32');
  const trainMetrics = be.tensor([4], 'train.metrics');
  owned.push(y, trainMetrics);
  const gather = be.gatherBatch(x, y, trainData.images, trainData.labels, trainData.indices, 784);
  const logits = buildModel(tg, spec.layers, x, { values: P.views, grads: G.views });
  tg.softmaxCrossEntropy(logits, y, trainMetrics);
  const bwd = tg.backward();
  const tail = [];
  let sq: Tensor | null = null;
  if (opt.clipNorm > 0) {
    sq = be.tensor([1], 'grad.sumsq');
    owned.push(sq);
    tail.push(be.sumSquares(sq, G.flat));
  }
  tail.push(be.optimizerStep(P.flat, G.flat, state1, state2, opt, sq));
  const train = be.program('train step', [gather, ...tg.forward, ...bwd, ...tail]);

  // ---- eval program ----
  const eg = new Graph(be, false);
  const xe = eg.alloc([B, ...ds.inputShape], 'x.eval');
  const ye = be.tensor([B], 'y.eval', 'u32');
  const evalMetrics = be.tensor([4], 'eval.metrics');
  owned.push(ye, evalMetrics);
  const gatherE = be.gatherBatch(xe, ye, testData.images, testData.labels, testData.indices, 784);
  const logitsE = buildModel(eg, spec.layers, xe, { values: P.views, grads: null });
  eg.softmaxCrossEntropy(logitsE, ye, evalMetrics);
  const evalP = be.program('eval batch', [gatherE, ...eg.forward]);

  return {
    be, spec, paramInfo, params: P.views, paramsFlat: P.flat, gradsFlat: G.flat, state1, state2, opt,
    train, eval: evalP, trainGraph: tg, evalGraph: eg, trainMetrics, evalMetrics, trainData, testData,
    batch: B, owned,
  };
}

export function disposeCompiled(c: Compiled): void {
  c.trainGraph.dispose();
  c.evalGraph.dispose();
  for (const t of c.owned) c.be.free(t);
  c.owned.length = 0;
}
