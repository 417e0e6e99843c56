// Shared by the recurrent and transformer suites: train a spec on WebGPU until the test split's
// whole-sequence accuracy reaches a target (or maxSteps), and report when it got there.
import type { ModelSpec } from '../../kernels/model/types.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createSession, type Session } from '../../kernels/train/session.ts';

export interface UntilOptions {
  maxSteps: number;
  target: number;
  /** Case-specific readings, taken from the trained session before it is disposed. */
  inspect?: (s: Session) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

export async function trainUntil(spec: ModelSpec, o: UntilOptions): Promise<Record<string, unknown>> {
  const evals: Extract<TrainEvent, { type: 'eval' }>[] = [];
  const t0 = performance.now();
  let reachedAt: { step: number; seconds: number } | null = null;
  const s = await createSession(spec, {
    backend: 'webgpu', textUrl: location.href, maxSteps: o.maxSteps, metricsEvery: 25,
    onEvent: (e) => {
      if (e.type !== 'eval') return;
      evals.push(e);
      if (!reachedAt && (e.test_seq_accuracy ?? 0) >= o.target) {
        reachedAt = { step: e.step, seconds: (performance.now() - t0) / 1000 };
        s.stop();
      }
    },
  });
  try {
    await s.start();
    const last = evals[evals.length - 1];
    return {
      adapter: s.info.adapter, steps: s.step, seconds: (performance.now() - t0) / 1000, reachedAt,
      test_seq_accuracy: last?.test_seq_accuracy, test_accuracy: last?.test_accuracy,
      dispatchesPerStep: s.c.train.dispatches, submits: s.backend.counters.submits,
      evals: evals.map((e) => [e.step, e.test_seq_accuracy]),
      ...(o.inspect ? await o.inspect(s) : {}),
    };
  } finally {
    await s.dispose();
  }
}
