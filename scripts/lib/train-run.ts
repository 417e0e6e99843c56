// One headless training run, as the trainer's page runs it (scripts/train-entry.ts) and as
// `npm run train -- --backend cpu` runs it in Node (scripts/train.ts): every event goes to `emit`
// as one JSON string, then a 'fatal' message ('' when all went well).
import { createSession } from '../../kernels/train/session.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import type { BackendChoice } from '../../kernels/engine.ts';
import type { ModelSpec } from '../../kernels/model/types.ts';
import { formatProfile } from '../../kernels/train/profile.ts';

export interface Config {
  spec: ModelSpec;
  backend: BackendChoice;
  maxSteps?: number;
  trainLimit?: number;
  testLimit?: number;
  sample?: { prompt: string; n: number; temperature: number }; // character models: text after training
  profile?: boolean; // profile the last step (Session.profileStep) and report it as a 'profile' message
  weights?: boolean; // start from the --weights checkpoint
}

/** dataUrl: where the MNIST files are served; weights: base64 of --weights (checked before the run started). */
export async function runTraining(cfg: Config, dataUrl: string, emit: (json: string) => unknown, weights: () => Promise<string>): Promise<void> {
  const __emit = emit, __weights = weights;
  const send = (e: TrainEvent | { type: 'fatal'; message: string } | { type: 'counters'; [k: string]: unknown }) => void __emit(JSON.stringify(e));
  let stoppedEarly = false; // a 'done' (early stop, divergence) or error before the profiled step
  try {
    const s = await createSession(cfg.spec, {
      backend: cfg.backend, dataUrl,
      onEvent: (e) => {
        if (e.type === 'done' || e.type === 'error') stoppedEarly = true;
        send(e);
      },
      maxSteps: cfg.maxSteps, trainLimit: cfg.trainLimit, testLimit: cfg.testLimit,
    });
    if (cfg.weights) s.restore(Uint8Array.from(atob(await __weights()), (ch) => ch.charCodeAt(0))); // checked again, whole, before anything is written
    const c0 = { ...s.backend.counters };
    if (cfg.profile) {
      // Every step but the last as usual, then the last one profiled (it stays a normal step), then
      // the evaluation the loop makes after its last step, and the loop's 'done'.
      await s.start(s.totalSteps - 1);
      if (s.step === s.totalSteps - 1 && !stoppedEarly) {
        const p = await s.profileStep();
        await s.evaluate();
        void __emit(JSON.stringify({ type: 'profile', profile: p, text: formatProfile(p) }));
      }
    }
    if (!(cfg.profile && stoppedEarly)) await s.start(); // an early stop is final: no resuming it
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
}
