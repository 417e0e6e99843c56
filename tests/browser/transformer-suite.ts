// Browser side of tests/train-transformer-gpu.test.ts: transformer training on the real WebGPU backend.
import { register } from './register.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';
import { trainUntil } from './train-until.ts';

let mnist: Mnist | null = null;
const data = async () => (mnist ??= await loadMnist(new URL('mnist/', location.href).toString()));

register({
  /** A preset (optionally with fields overridden) until whole-sequence test accuracy ≥ target, or maxSteps. */
  async 'to accuracy'(arg) {
    const { preset, maxSteps, target, evalEvery, patch } = arg as { preset: string; maxSteps: number; target: number; evalEvery: number; patch?: Record<string, unknown> };
    const spec = { ...presetSpec(preset), ...(patch ?? {}) };
    spec.train.evalEverySteps = evalEvery;
    return trainUntil(spec, {
      maxSteps, target,
      inspect: async (s) => {
        // Attention weights on demand (sample 0 of the last batch): row sums, and where each answer
        // position of the reverse task looks hardest, per layer and head.
        const maps = await s.attentionMaps();
        const rowSumError = Math.max(...maps.flatMap((m) => Array.from({ length: m.heads * m.T }, (_, r) => {
          let sum = 0;
          for (let j = 0; j < m.T; j++) sum += m.probs[r * m.T + j];
          return Math.abs(sum - 1);
        })));
        const argmax = maps.map((m) => Array.from({ length: m.heads }, (_, h) => Array.from({ length: m.T }, (_, i) => {
          let best = 0;
          for (let j = 1; j < m.T; j++) if (m.probs[(h * m.T + i) * m.T + j] > m.probs[(h * m.T + i) * m.T + best]) best = j;
          return best;
        })));
        return {
          maps: maps.map((m) => ({ name: m.name, heads: m.heads, T: m.T, tokens: m.tokens.length })), rowSumError, argmax,
          attention: s.c.trainGraph.attentionTaps.map((t) => ({ name: t.name, heads: t.heads, causal: t.causal, lse: t.lse.shape })),
        };
      },
    });
  },

  /** A few steps of each preset: finite, falling loss, an evaluation. */
  async 'presets run'(arg) {
    const { names, steps } = arg as { names: string[]; steps: number };
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const spec = presetSpec(name);
      spec.train.evalEverySteps = steps;
      spec.train.warmupSteps = 0;
      const losses: number[] = [];
      let ev: Extract<TrainEvent, { type: 'eval' }> | null = null;
      const s = await createSession(spec, {
        backend: 'webgpu', textUrl: location.href, maxSteps: steps, metricsEvery: 4, testLimit: 128,
        // vit-mnist: a slice of MNIST keeps the upload small; steps only need a few batches.
        data: name === 'vit-mnist' ? await data().then((d) => ({ train: take(d.train, 2048), test: take(d.test, 256) })) : undefined,
        onEvent: (e) => {
          if (e.type === 'metrics') losses.push(e.loss);
          if (e.type === 'eval') ev = e;
        },
      });
      await s.start();
      out[name] = { losses, eval: ev };
      await s.dispose();
    }
    return out;
  },
});
