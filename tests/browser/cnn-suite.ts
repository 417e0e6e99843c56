// Browser side of tests/train-cnn-gpu.test.ts: convolutional training cases on the real WebGPU
// backend. Each case returns numbers; the node side asserts on them.
import { register, type Cases } from './register.ts';
import type { Tensor } from '../../kernels/backend.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';

let mnist: Mnist | null = null;
const data = async () => (mnist ??= await loadMnist(new URL('mnist/', location.href).toString()));

const cases: Cases = {
  /** The acceptance run: cnn-mnist-small as the preset says (one epoch), full test set. */
  async 'cnn-mnist-small accuracy'() {
    const events: TrainEvent[] = [];
    const t0 = performance.now();
    const s = await createSession(presetSpec('cnn-mnist-small'), { backend: 'webgpu', data: await data(), onEvent: (e) => events.push(e) });
    await s.start();
    const evals = events.filter((e) => e.type === 'eval');
    const last = evals[evals.length - 1] as Extract<TrainEvent, { type: 'eval' }>;
    const r = {
      adapter: s.info.adapter, steps: s.step, test_accuracy: last?.test_accuracy, seconds: (performance.now() - t0) / 1000,
      done: events.find((e) => e.type === 'done'), dispatches: s.c.train.dispatches,
    };
    await s.dispose();
    return r;
  },

  /**
   * The train program's first two kernels (gather, augment) run alone: the same seed gives the same
   * batch, another seed another, and the augmented batch differs from the gathered one.
   */
  async 'augment determinism'() {
    const d = await data();
    const sp = presetSpec('cnn-mnist-small');
    sp.train.augment = { shift: 2, rotate: 10, scale: 0.1, flip: false };
    const s = await createSession(sp, { backend: 'webgpu', data: { train: take(d.train, 512), test: take(d.test, 128) }, onEvent: () => {} });
    const be = s.backend;
    const labels = s.c.train.kernels.slice(0, 2).map((k) => k.label);
    const prog = be.program('gather+augment', s.c.train.kernels.slice(0, 2));
    const batch = async (seed: number) => {
      be.run(prog, { step: 1, batchStart: 0, lr: 0, seed, rows: s.c.batch });
      return { x: [...(await be.read(s.c.x))], raw: [...(await be.read(s.c.xRaw))] };
    };
    const a = await batch(11), b = await batch(11), c = await batch(12);
    const maxDiff = (p: number[], q: number[]) => p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0);
    const mean = (p: number[]) => p.reduce((x, y) => x + y, 0) / p.length;
    const r = {
      labels,
      sameSeed: maxDiff(a.x, b.x),
      otherSeed: maxDiff(a.x, c.x),
      vsRaw: maxDiff(a.x, a.raw),
      rawSame: maxDiff(a.raw, c.raw), // the gather itself does not depend on the seed
      meanRaw: mean(a.raw),
      meanAug: mean(a.x),
      distinctTensors: (s.c.x as Tensor).id !== (s.c.xRaw as Tensor).id,
    };
    await s.dispose();
    return r;
  },

  /**
   * A CNN with BatchNorm and augmentation trains on WebGPU; the train program moves the running
   * stats away from their (0, 1) start, and the eval program (running stats) scores well.
   */
  async 'batchnorm cnn'() {
    const d = await data();
    const sp = presetSpec('cnn-mnist-small');
    sp.layers = [
      { kind: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 'same' },
      { kind: 'batchnorm' },
      { kind: 'activation', fn: 'relu' },
      { kind: 'conv2d', filters: 16, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { kind: 'flatten' }, // (a global average pool here learns too slowly for 100 steps)
      { kind: 'dense', units: 10 },
    ];
    sp.train.augment = { shift: 1, rotate: 5, scale: 0.05, flip: false };
    const events: TrainEvent[] = [];
    const s = await createSession(sp, {
      backend: 'webgpu', data: { train: take(d.train, 6400), test: take(d.test, 1000) }, onEvent: (e) => events.push(e), maxSteps: 100,
    });
    await s.start();
    const evals = events.filter((e) => e.type === 'eval') as Extract<TrainEvent, { type: 'eval' }>[];
    const rm = [...(await s.backend.read(s.c.buffers[0]))], rv = [...(await s.backend.read(s.c.buffers[1]))];
    const r = { steps: s.step, test_accuracy: evals[evals.length - 1]?.test_accuracy, done: events.find((e) => e.type === 'done'), rm, rv };
    await s.dispose();
    return r;
  },
};

register(cases);
