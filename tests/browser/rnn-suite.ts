// Browser side of tests/train-rnn-gpu.test.ts: recurrent training on the real WebGPU backend.
import { register, type Cases } from './register.ts';
import { presetSpec } from '../../kernels/spec/presets.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';

const cases: Cases = {
  /** lstm-reverse (on `length` symbols) until the test split's whole-sequence accuracy reaches 99% (or maxSteps). */
  async 'lstm-reverse to 99%'(arg) {
    const { maxSteps, length } = arg as { maxSteps: number; length: number };
    const spec = presetSpec('lstm-reverse');
    if (spec.dataset.kind === 'task') spec.dataset.length = length;
    spec.train.evalEverySteps = 50; // 500 test sequences, 8 forward batches: cheap, and finds the step sooner
    const evals: Extract<TrainEvent, { type: 'eval' }>[] = [];
    const t0 = performance.now();
    let reachedAt: { step: number; seconds: number } | null = null;
    const s = await createSession(spec, {
      backend: 'webgpu', textUrl: location.href, maxSteps, metricsEvery: 25,
      onEvent: (e) => {
        if (e.type !== 'eval') return;
        evals.push(e);
        if (!reachedAt && (e.test_seq_accuracy ?? 0) >= 0.99) {
          reachedAt = { step: e.step, seconds: (performance.now() - t0) / 1000 };
          s.stop();
        }
      },
    });
    await s.start();
    const last = evals[evals.length - 1];
    const r = {
      adapter: s.info.adapter, steps: s.step, seconds: (performance.now() - t0) / 1000, reachedAt,
      test_seq_accuracy: last?.test_seq_accuracy, test_accuracy: last?.test_accuracy,
      dispatchesPerStep: s.c.train.dispatches, taps: s.c.trainGraph.taps.map((t) => ({ name: t.name, gates: t.buffers.gates.shape })),
      evals: evals.map((e) => [e.step, e.test_seq_accuracy]),
    };
    await s.dispose();
    return r;
  },

  /** A few steps of each other preset: finite, decreasing loss, metrics of the right kind. */
  async 'presets run'(arg) {
    const { names, steps } = arg as { names: string[]; steps: number };
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const spec = presetSpec(name);
      spec.train.evalEverySteps = steps;
      const losses: number[] = [];
      let ev: Extract<TrainEvent, { type: 'eval' }> | null = null;
      let metric: Extract<TrainEvent, { type: 'metrics' }> | null = null;
      const s = await createSession(spec, {
        backend: 'webgpu', textUrl: location.href, maxSteps: steps, metricsEvery: 5, testLimit: 128,
        onEvent: (e) => {
          if (e.type === 'metrics') { losses.push(e.loss); metric = e; }
          if (e.type === 'eval') ev = e;
        },
      });
      await s.start();
      out[name] = { losses, eval: ev, metric };
      await s.dispose();
    }
    return out;
  },
};

register(cases);
