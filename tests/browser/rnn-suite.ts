// Browser side of tests/train-rnn-gpu.test.ts: recurrent training on the real WebGPU backend.
import { register, type Cases } from './register.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';
import { trainUntil } from './train-until.ts';

const cases: Cases = {
  /** lstm-reverse (on `length` symbols) until the test split's whole-sequence accuracy reaches 99% (or maxSteps). */
  async 'lstm-reverse to 99%'(arg) {
    const { maxSteps, length } = arg as { maxSteps: number; length: number };
    const spec = presetSpec('lstm-reverse');
    if (spec.dataset.kind === 'task') spec.dataset.length = length;
    spec.train.evalEverySteps = 50; // 500 test sequences, 8 forward batches: cheap, and finds the step sooner
    return trainUntil(spec, {
      maxSteps, target: 0.99,
      inspect: (s) => ({ taps: s.c.trainGraph.taps.map((t) => ({ name: t.name, gates: t.buffers.gates.shape })) }),
    });
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
