// Browser side of tests/train-transformer-gpu.test.ts: transformer training on the real WebGPU backend.
import { register } from './register.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { presetSpec } from '../../kernels/spec/presets.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession } from '../../kernels/train/session.ts';

let mnist: Mnist | null = null;
const data = async () => (mnist ??= await loadMnist(new URL('mnist/', location.href).toString()));

register({
  /** A preset (optionally with fields overridden) until whole-sequence test accuracy ≥ target, or maxSteps. */
  async 'to accuracy'(arg) {
    const { preset, maxSteps, target, evalEvery, patch } = arg as { preset: string; maxSteps: number; target: number; evalEvery: number; patch?: Record<string, unknown> };
    const spec = { ...presetSpec(preset), ...(patch ?? {}) };
    spec.train.evalEverySteps = evalEvery;
    const evals: Extract<TrainEvent, { type: 'eval' }>[] = [];
    const t0 = performance.now();
    let reachedAt: { step: number; seconds: number } | null = null;
    const s = await createSession(spec, {
      backend: 'webgpu', textUrl: location.href, maxSteps, metricsEvery: 25,
      onEvent: (e) => {
        if (e.type !== 'eval') return;
        evals.push(e);
        if (!reachedAt && (e.test_seq_accuracy ?? 0) >= target) {
          reachedAt = { step: e.step, seconds: (performance.now() - t0) / 1000 };
          s.stop();
        }
      },
    });
    await s.start();
    const last = evals[evals.length - 1];
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
    const r = {
      maps: maps.map((m) => ({ name: m.name, heads: m.heads, T: m.T, tokens: m.tokens.length })), rowSumError, argmax,
      adapter: s.info.adapter, steps: s.step, seconds: (performance.now() - t0) / 1000, reachedAt,
      test_seq_accuracy: last?.test_seq_accuracy, test_accuracy: last?.test_accuracy,
      dispatchesPerStep: s.c.train.dispatches, submits: s.backend.counters.submits,
      attention: s.c.trainGraph.attentionTaps.map((t) => ({ name: t.name, heads: t.heads, causal: t.causal, lse: t.lse.shape })),
      evals: evals.map((e) => [e.step, e.test_seq_accuracy]),
    };
    await s.dispose();
    return r;
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
