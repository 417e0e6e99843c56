// Browser side of the headless trainer: runs a session with the config from the URL fragment and
// reports every event through the exposed __emit function.
import { createSession } from '../kernels/train/session.ts';
import type { TrainEvent } from '../kernels/train/events.ts';
import type { BackendChoice } from '../kernels/engine.ts';
import type { ModelSpec } from '../kernels/spec/types.ts';

declare const __emit: (json: string) => Promise<void>;
const g = globalThis as { __ready?: boolean };

interface Config {
  spec: ModelSpec;
  backend: BackendChoice;
  maxSteps?: number;
  trainLimit?: number;
  testLimit?: number;
  sample?: { prompt: string; n: number; temperature: number }; // character models: text after training
}

(async () => {
  g.__ready = true;
  const cfg = JSON.parse(decodeURIComponent(location.hash.slice(1))) as Config;
  const send = (e: TrainEvent | { type: 'fatal'; message: string } | { type: 'counters'; [k: string]: unknown }) => void __emit(JSON.stringify(e));
  try {
    const s = await createSession(cfg.spec, {
      backend: cfg.backend, dataUrl: new URL('mnist/', location.href).toString(), onEvent: send,
      maxSteps: cfg.maxSteps, trainLimit: cfg.trainLimit, testLimit: cfg.testLimit,
    });
    const c0 = { ...s.backend.counters };
    await s.start();
    const c1 = s.backend.counters;
    // Submissions of training steps: all of them less evaluation batches and metrics flushes.
    send({ type: 'counters', steps: s.step, submits: c1.submits - c0.submits - s.nonStepSubmits, dispatches: c1.dispatches - c0.dispatches, bytesUploaded: c1.bytesUploaded - c0.bytesUploaded });
    if (cfg.sample) {
      const { prompt, n, temperature } = cfg.sample;
      void __emit(JSON.stringify({ type: 'sample', prompt, temperature, text: await s.sampleText(prompt, n, temperature) }));
    }
    send({ type: 'fatal', message: '' });
  } catch (e) {
    send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
  }
})();
