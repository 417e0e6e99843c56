// Browser side of tests/train-gpu.test.ts: training cases on the real WebGPU backend. Each case
// returns numbers; the node side asserts on them.
import { register, type Cases } from './register.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { ModelSpec } from '../../kernels/model/types.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';

let mnist: Mnist | null = null;
const data = async () => (mnist ??= await loadMnist(new URL('mnist/', location.href).toString()));

const cases: Cases = {
  /** The CI acceptance run: mlp-mnist-small, one epoch, full test set. */
  async 'mlp-mnist-small accuracy'() {
    const events: TrainEvent[] = [];
    const t0 = performance.now();
    const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'webgpu', data: await data(), onEvent: (e) => events.push(e) });
    await s.start();
    const evals = events.filter((e) => e.type === 'eval');
    const last = evals[evals.length - 1] as Extract<TrainEvent, { type: 'eval' }>;
    const r = { adapter: s.info.adapter, steps: s.step, test_accuracy: last?.test_accuracy, seconds: (performance.now() - t0) / 1000, done: events.find((e) => e.type === 'done') };
    await s.dispose();
    return r;
  },

  /** One step = one submission, no awaited readback, fixed dispatch count; pool bytes stay flat. */
  async 'step counters and pool bytes'() {
    const d = await data();
    const sp = presetSpec('mlp-mnist-small');
    sp.train.epochs = 2; // 100 steps per epoch on 6400 samples; maxSteps caps the run at 110
    const s = await createSession(sp, {
      backend: 'webgpu', data: { train: take(d.train, 6400), test: take(d.test, 256) }, onEvent: () => {}, maxSteps: 110, metricsEvery: 10,
    });
    const be = s.backend;
    await s.stepOnce(); // warm-up: the first step may create staging buffers
    await s.stepOnce();
    const before = { ...be.counters, bytes: be.bytesInUse() };
    const steps0 = s.step;
    await s.start();
    const after = { ...be.counters, bytes: be.bytesInUse() };
    const r = {
      steps: s.step - steps0,
      submits: after.submits - before.submits,
      dispatches: after.dispatches - before.dispatches,
      reads: after.reads - before.reads,
      programDispatches: s.c.train.dispatches,
      evalDispatches: s.c.eval.dispatches,
      evalSubmits: Math.ceil(256 / 64) * 2, // one evaluation at step 100 (epoch end), one at the last step
      bytesBefore: before.bytes,
      bytesAfter: after.bytes,
    };
    await s.dispose();
    return { ...r, bytesAfterDispose: be.bytesInUse() };
  },

  /** Same seed, same backend → same curve; another seed → another curve. */
  async determinism() {
    const d = await data();
    const small = { train: take(d.train, 2048), test: take(d.test, 256) };
    const spec = (seed: number): ModelSpec => {
      const sp = presetSpec('mlp-mnist-small');
      sp.seed = seed;
      sp.layers.splice(2, 0, { kind: 'dropout', rate: 0.3 });
      return sp;
    };
    const curve = async (seed: number) => {
      const losses: number[] = [];
      const s = await createSession(spec(seed), { backend: 'webgpu', data: small, onEvent: (e) => e.type === 'metrics' && losses.push(e.loss), maxSteps: 30, metricsEvery: 5 });
      await s.start();
      await s.dispose();
      return losses;
    };
    return { a: await curve(7), b: await curve(7), c: await curve(8) };
  },

  /** Too big for the device: refused before allocating, naming estimate and limit. */
  async 'memory refusal'() {
    const sp = presetSpec('mlp-mnist');
    sp.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 8192, activation: 'relu' }, { kind: 'dense', units: 8192, activation: 'relu' }, { kind: 'dense', units: 8192, activation: 'relu' }, { kind: 'dense', units: 10 }];
    sp.train.batchSize = 4096;
    try {
      await createSession(sp, { backend: 'webgpu', data: await data(), onEvent: () => {}, memoryBudgetBytes: 512 * 1024 ** 2 });
      return { refused: false, message: '' };
    } catch (e) {
      return { refused: true, message: (e as Error).message };
    }
  },

  /** A diverging run stops with a message instead of drawing NaN. */
  async divergence() {
    const d = await data();
    const sp = presetSpec('mlp-mnist-small');
    sp.train.optimizer = { kind: 'sgd' };
    sp.train.lr = 10;
    sp.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 64, activation: 'none' }, { kind: 'dense', units: 64, activation: 'none' }, { kind: 'dense', units: 10 }];
    const events: TrainEvent[] = [];
    const s = await createSession(sp, { backend: 'webgpu', data: { train: take(d.train, 4096), test: take(d.test, 256) }, onEvent: (e) => events.push(e), maxSteps: 60, metricsEvery: 5 });
    await s.start();
    await new Promise((r) => setTimeout(r, 500));
    const done = events.find((e) => e.type === 'done');
    const nanMetrics = events.filter((e) => e.type === 'metrics' && !Number.isFinite(e.loss)).length;
    const r = { done, nanMetrics, steps: s.step };
    await s.dispose();
    return r;
  },
};

cases['device lost mid-run'] = async () => {
  const d = await data();
  const events: TrainEvent[] = [];
  const s = await createSession(presetSpec('mlp-mnist-small'), {
    backend: 'webgpu', data: { train: take(d.train, 6400), test: take(d.test, 256) }, onEvent: (e) => events.push(e), metricsEvery: 5,
  });
  const run = s.start();
  while (s.step < 12) await new Promise((r) => setTimeout(r, 20));
  (s.backend as unknown as { device: GPUDevice }).device.destroy();
  await run;
  const errors = events.filter((e) => e.type === 'error') as Extract<TrainEvent, { type: 'error' }>[];
  return { errors: errors.map((e) => e.message), running: s.isRunning, step: s.step, finished: events.some((e) => e.type === 'done' && e.reason === 'finished') };
};

register(cases);
