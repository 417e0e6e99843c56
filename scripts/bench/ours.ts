// This engine's side of the benchmark: one-kernel programs for matmul and conv2d, and the compiled
// training step of the four reference models (sessions from specs; the LSTM, whose input width 8
// no task expresses, compiled here from the engine's own Graph/buildModel over resident random data).
import { convGeom, type Backend, type Kernel, type Program, type StepParams, type Tensor } from '../../kernels/backend.ts';
import { Graph } from '../../kernels/autodiff/graph.ts';
import { createBackend } from '../../kernels/engine.ts';
import { buildModel, describeParams, initParams } from '../../kernels/nn/model.ts';
import { optimizerConfig } from '../../kernels/optim/config.ts';
import { Rng } from '../../kernels/rng.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { LayerSpec, ModelSpec, TrainSpec } from '../../kernels/model/types.ts';
import { createSession } from '../../kernels/train/session.ts';
import { compile, disposeCompiled } from '../../kernels/train/compile.ts';
import type { GpuBackend } from '../../kernels/gpu/backend.ts';
import { taskGather } from '../../kernels/train/task-data.ts';
import type { Mnist } from '../../kernels/data/mnist.ts';
import type { TaskData } from '../../kernels/data/tasks.ts';
import { COPY_TASK, TRANSFORMER, type BenchData } from './data.ts';
import type { Work } from './measure.ts';

export type OurBackend = 'webgpu' | 'cpu';
/** The GPU backend's kernel forms (GpuBackend.paths): 'auto' picks per adapter, as a page gets. */
export type Paths = 'auto' | 'hardware' | 'fallback';
/**
 * The GPU backend's kernel forms for an A/B: `paths` (bench:node --paths) and, with convPool false
 * (--no-convpool), conv2d + max pool recorded as the plain pair instead of the fused kernel.
 */
export interface Forms { paths?: Paths; convPool?: boolean }
/** bench:node's --batch, --paths and --no-convpool: a training step at another batch size; the GPU backend's kernel forms. */
export interface OurOpts extends Forms { batch?: number }

const isDefault = (f: Forms): boolean => (!f.paths || f.paths === 'auto') && f.convPool !== false;

/** Sets the GPU backend's kernel forms before anything is compiled (kernels read `hw` when made). */
function setForms(be: Backend, f: Forms): void {
  if (isDefault(f)) return;
  if (be.info.kind !== 'webgpu') throw new Error(`${f.paths && f.paths !== 'auto' ? `paths ${f.paths}` : 'no-convpool'}: only the WebGPU backend has kernel forms to choose (this is ${be.info.kind})`);
  const gpu = be as unknown as GpuBackend;
  if (f.paths) gpu.paths = f.paths;
  if (f.convPool === false) gpu.fuseConvPool = false;
}

/** A backend with its kernel forms set (setForms); destroyed again when they cannot be. */
async function backendWith(choice: OurBackend, f: Forms): Promise<Backend> {
  const { backend: be } = await createBackend(choice);
  try {
    setForms(be, f);
  } catch (e) {
    be.destroy();
    throw e;
  }
  return be;
}

function randomTensor(be: Backend, shape: number[], name: string, rng: Rng, owned: Tensor[]): Tensor {
  const t = be.tensor(shape, name);
  const v = new Float32Array(t.size);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
  be.write(t, v);
  owned.push(t);
  return t;
}

/** Threads the backend computes with: the CPU backend's `threads` where it has one (1 before it had threads); null on WebGPU. */
export function backendThreads(be: Backend): number | null {
  if (be.info.kind !== 'cpu') return null;
  const t = (be as unknown as { threads?: unknown }).threads;
  return typeof t === 'number' && t >= 1 ? t : 1;
}

/**
 * The training loss of the steps since the last call, from the program's metrics tensor (its running
 * [Σ loss, Σ correct, rows, non-finite count]; see compile.ts), which it then zeroes: NaN when a step
 * was not finite. A readback and an upload: never inside a timed window.
 */
function metricsLoss(be: Backend, metrics: Tensor): () => Promise<number> {
  const zero = new Float32Array(metrics.size);
  be.write(metrics, zero); // a pooled buffer may hold an earlier run's sums
  return async () => {
    const m = await be.read(metrics);
    be.write(metrics, zero);
    return m[3] > 0 || !(m[2] > 0) ? NaN : m[0] / m[2];
  };
}

/** A fixed program replayed `iter` times; `sync` waits for the device; `metrics`: a training step's, for `loss`. */
function programWork(be: Backend, p: Program, owned: Tensor[], params: (i: number) => StepParams, batch = 0, destroy = true, metrics?: Tensor): Work {
  return {
    threads: backendThreads(be),
    ...(metrics ? { loss: metricsLoss(be, metrics) } : {}),
    batch,
    dispatches: p.dispatches,
    counters: () => ({ ...be.counters }),
    iter: (i) => void be.run(p, params(i)),
    profile: () => be.profile(p, params(0)),
    sync: () => be.idle(),
    dispose: () => {
      for (const t of owned) be.free(t);
      if (destroy) be.destroy();
    },
  };
}

const fixedParams = (): StepParams => ({ step: 1, batchStart: 0, lr: 1e-3, seed: 1, rows: 1 });

/** out (n, n) = a · b in a one-kernel program. */
export async function ourMatmul(n: number, paths?: Paths): Promise<Work> {
  const be = await backendWith('webgpu', { paths });
  const rng = new Rng(n), owned: Tensor[] = [];
  const a = randomTensor(be, [n, n], 'a', rng, owned), b = randomTensor(be, [n, n], 'b', rng, owned);
  const out = be.tensor([n, n], 'out');
  owned.push(out);
  const p = be.program(`matmul ${n}`, [be.matmul(out, a, b)]);
  await be.ready();
  return programWork(be, p, owned, fixedParams);
}

export interface ConvCase { name: string; N: number; H: number; W: number; C: number; K: number; F: number }
export const CONV_CASES: ConvCase[] = [
  { name: 'lenet', N: 64, H: 28, W: 28, C: 1, K: 5, F: 8 },
  { name: 'resnet', N: 32, H: 32, W: 32, C: 16, K: 3, F: 16 },
];
/** MACs of one pass (forward, or each of the two backward GEMMs), for GFLOP/s. */
export const convFlops = (c: ConvCase): number => 2 * c.N * c.H * c.W * c.K * c.K * c.C * c.F;

/** Forward: conv2d; backward: conv2dBackwardInput + conv2dBackwardWeight in one program. */
export async function ourConv(c: ConvCase, pass: 'forward' | 'backward'): Promise<Work> {
  const { backend: be } = await createBackend('webgpu');
  const g = convGeom([c.N, c.H, c.W, c.C], [c.K, c.K], c.F, 1, 'same');
  const rng = new Rng(7), owned: Tensor[] = [];
  const x = randomTensor(be, [c.N, c.H, c.W, c.C], 'x', rng, owned);
  const w = randomTensor(be, [c.K, c.K, c.C, c.F], 'w', rng, owned);
  const y = randomTensor(be, [c.N, g.OH, g.OW, c.F], 'y', rng, owned); // out, or dy
  const dx = randomTensor(be, [c.N, c.H, c.W, c.C], 'dx', rng, owned);
  const dw = randomTensor(be, [c.K, c.K, c.C, c.F], 'dw', rng, owned);
  const kernels: Kernel[] = pass === 'forward'
    ? [be.conv2d(y, x, w, g)]
    : [be.conv2dBackwardInput(dx, y, w, g), be.conv2dBackwardWeight(dw, x, y, g)];
  const p = be.program(`conv ${c.name} ${pass}`, kernels);
  await be.ready();
  return programWork(be, p, owned, fixedParams);
}

const adam = (batchSize: number): TrainSpec => ({ optimizer: { kind: 'adam' }, lr: 1e-3, schedule: { kind: 'constant' }, batchSize, epochs: 1 });

export const CNN_SPEC: ModelSpec = {
  version: 1, name: 'cnn-mnist (issue 12)', dataset: { kind: 'mnist' },
  layers: [
    { kind: 'conv2d', filters: 8, kernel: 5, padding: 'same', activation: 'relu' },
    { kind: 'maxpool2d', size: 2 },
    { kind: 'conv2d', filters: 16, kernel: 5, padding: 'same', activation: 'relu' },
    { kind: 'maxpool2d', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
  ],
  loss: 'softmax_cross_entropy', train: adam(64), seed: 1,
};

export const TRANSFORMER_SPEC: ModelSpec = {
  version: 1, name: 'transformer (issue 12)', dataset: COPY_TASK,
  layers: [
    { kind: 'embedding', dim: TRANSFORMER.D },
    { kind: 'posenc', type: 'learned' },
    { kind: 'transformer', heads: TRANSFORMER.heads, layers: TRANSFORMER.layers, mlp: TRANSFORMER.mlp, causal: true },
    { kind: 'layernorm' },
    { kind: 'dense', units: (COPY_TASK.symbols ?? 8) + 2 },
  ],
  loss: 'softmax_cross_entropy', train: adam(32), seed: 1,
};

/**
 * The LSTM's regression (MSE ≈ 0.17 at a fresh initialisation) drifts for its first few Adam steps
 * at lr 1e-3: on batches 0-2 ours read 0.167 → 0.177 after 6 steps on SwiftShader (a refused line)
 * and 0.167 → 0.137, 0.134, 0.128 after 12, 16, 24 steps on the CPU backend (same weights). Both
 * sides' second loss window therefore waits for 16 steps.
 */
export const LSTM_LEARN_STEPS = 16;

export const LSTM_LAYERS: LayerSpec[] = [{ kind: 'lstm', hidden: 128 }, { kind: 'dense', units: 1 }];

export type ModelName = 'mlp-mnist' | 'cnn-mnist' | 'lstm' | 'transformer';
export const MODELS: ModelName[] = ['mlp-mnist', 'cnn-mnist', 'lstm', 'transformer'];
export const LSTM_BATCH = 32;

/** A model's reference batch (its spec's train.batchSize; the LSTM's B): mlp 128, cnn 64, lstm 32, transformer 32. */
export function referenceBatch(name: ModelName): number {
  if (name === 'lstm') return LSTM_BATCH;
  return (name === 'mlp-mnist' ? presetSpec('mlp-mnist') : name === 'cnn-mnist' ? CNN_SPEC : TRANSFORMER_SPEC).train.batchSize;
}

const batchesOf = (B: number, n: number): number => Math.max(1, Math.floor(n / B));
const stepParams = (B: number, n: number, lr = 1e-3) => (i: number): StepParams =>
  ({ step: i + 1, batchStart: (i % batchesOf(B, n)) * B, lr, seed: i + 1, rows: B });

/** The training step of a reference model, replayed through the session's compiled program. */
export async function ourModel(name: ModelName, backend: OurBackend, d: BenchData, o: OurOpts = {}): Promise<Work> {
  const B = o.batch ?? referenceBatch(name);
  const rows = name === 'lstm' ? d.seq.n : name === 'transformer' ? d.copy.train.n : d.mnistRaw.train.n;
  if (!Number.isInteger(B) || B < 1 || B > rows) throw new Error(`train ${name}: batch ${B} must be a whole number from 1 to the ${rows} training rows the benchmark has for it`);
  if (name === 'lstm') return ourLstm(backend, d, B, o);
  const spec = name === 'mlp-mnist' ? presetSpec('mlp-mnist') : structuredClone(name === 'cnn-mnist' ? CNN_SPEC : TRANSFORMER_SPEC);
  spec.train = { ...spec.train, batchSize: B };
  return sessionWork(spec, backend, name === 'transformer' ? d.copy : d.mnistRaw, 1e-3, o);
}

/**
 * A spec's training step, compiled by a session and replayed at learning rate `lr` (the reference
 * models: 1e-3). With other kernel forms than a page's (`forms`) it is compiled here instead, on a GPU backend
 * whose kernel forms are set first (a session makes its own backend and compiles at once); the
 * same compile, ready and idle as the session's, so an A/B compares the kernels alone.
 */
export async function sessionWork(spec: ModelSpec, backend: OurBackend, data: Mnist | TaskData, lr = 1e-3, forms: Forms = {}): Promise<Work> {
  if (!isDefault(forms)) return compiledWork(spec, backend, data, lr, forms);
  const s = await createSession(spec, { backend, data, onEvent: () => {}, memoryBudgetBytes: 4 * 1024 ** 3 });
  const w = programWork(s.backend, s.c.train, [], stepParams(s.c.batch, s.c.trainData.n, lr), s.c.batch, false, s.c.trainMetrics);
  return { ...w, batches: batchesOf(s.c.batch, s.c.trainData.n), dispose: () => s.dispose() };
}

async function compiledWork(spec: ModelSpec, backend: OurBackend, data: Mnist | TaskData, lr: number, forms: Forms): Promise<Work> {
  const be = await backendWith(backend, forms);
  const c = compile(be, spec, data);
  try {
    await be.ready();
    await be.idle();
  } catch (e) {
    disposeCompiled(c);
    be.destroy();
    throw e;
  }
  const w = programWork(be, c.train, [], stepParams(c.batch, c.trainData.n, lr), c.batch, false, c.trainMetrics);
  return { ...w, batches: batchesOf(c.batch, c.trainData.n), dispose: () => { disposeCompiled(c); be.destroy(); } };
}

/**
 * LSTM (input 8, hidden 128, T = 32) → dense 1 on the last state, MSE, Adam, batch B (32): compiled as
 * compile.ts does (flat params/grads/Adam state, resident data gathered by index on the device,
 * one program), over an input width the task datasets cannot express.
 */
async function ourLstm(backend: OurBackend, d: BenchData, B: number, forms: Forms): Promise<Work> {
  const be = await backendWith(backend, forms);
  const { T, I, n } = d.seq;
  const infos = describeParams(LSTM_LAYERS, [T, I]);
  const shapes = infos.map((p) => p.shape);
  const P = be.flat(shapes, 'params'), G = be.flat(shapes, 'grads');
  const m = be.flat(shapes, 'opt.m').flat, v = be.flat(shapes, 'opt.v').flat;
  initParams(infos, 1).forEach((x, i) => be.write(P.views[i], x));
  const images = be.tensor([n, T * I], 'train.inputs'), labels = be.tensor([n, 1], 'train.targets'), indices = be.tensor([n], 'train.indices', 'u32');
  be.write(images, d.seq.x);
  be.write(labels, d.seq.y);
  be.write(indices, Uint32Array.from({ length: n }, (_, i) => i));
  const g = new Graph(be, true);
  const x = g.alloc([B, T, I], 'x');
  const y = be.tensor([B, 1], 'y');
  const metrics = be.tensor([8], 'train.metrics');
  const gather = taskGather(be, x, y, { images, labels, indices });
  const out = buildModel(g, LSTM_LAYERS, x, { values: P.views, grads: G.views, buffers: [] });
  g.mse(out, y, metrics);
  const bwd = g.backward();
  const opt = optimizerConfig(adam(B));
  const p = be.program('lstm train step', [...gather, ...g.forward, ...bwd, be.optimizerStep(P.flat, G.flat, m, v, opt, null)]);
  await be.ready();
  await be.idle();
  const owned = [P.flat, G.flat, m, v, images, labels, indices, y, metrics];
  const w = programWork(be, p, owned, stepParams(B, n), B, false, metrics);
  return { ...w, batches: batchesOf(B, n), learnSteps: LSTM_LEARN_STEPS, dispose: () => { g.dispose(); w.dispose(); be.destroy(); } };
}
