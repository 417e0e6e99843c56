// Questions to the live session that are answered beside the training loop, each by one reply
// carrying the question's id: see inside, draw-a-digit, the confusion matrix, norms, generated
// text, and a profiled step.
import type { BoundaryGrid, Confusion, Showcase, StepProfile } from '../engine.ts';
import type { InsideData, ParamNorm } from '../inside/types.ts';
import { useApp } from '../store/index.ts';
import { hasWorker, run, send } from './link.ts';
import type { Answer, FromWorker, Look } from './protocol.ts';

type ProfileAnswer = Extract<FromWorker, { type: 'profile' }>;

const store = () => useApp.getState();

const waiting = new Map<number, (m: Answer | null) => void>();
const profiling = new Map<number, (m: ProfileAnswer | null) => void>();
let nextAsk = 0;

/** Hands a reply to the question waiting for it (null when it belongs to a run that is gone). */
export function settle(m: Answer | ProfileAnswer): void {
  if (m.type === 'profile') {
    const done = profiling.get(m.id);
    profiling.delete(m.id);
    done?.(m.run === run ? m : null);
    return;
  }
  const done = waiting.get(m.id);
  waiting.delete(m.id);
  done?.(m.run === run ? m : null);
}

function ask(m: Look, transfer: Transferable[] = []): Promise<Answer | null> {
  if (!hasWorker()) return Promise.resolve(null);
  return new Promise((resolve) => {
    waiting.set(m.id, resolve);
    send(m, transfer);
  });
}

/** True when a session exists that can answer inspect/predict (built, not failed). */
export function hasSession(status: string): boolean {
  return status === 'running' || status === 'pausing' || status === 'stepping' || status === 'paused' || status === 'done';
}

/** First-layer weights and test sample `sample`'s activations from the live session (null: none). */
export async function requestInside(sample: number): Promise<{ data: InsideData | null; error?: string }> {
  const a = await ask({ type: 'inspect', run, id: ++nextAsk, sample });
  return a?.type === 'inside' ? { data: a.data, error: a.error } : { data: null, error: 'the run changed' };
}

/** Class probabilities of one input (a 28×28 image in [0, 1]) from the live model (null: none). */
export async function requestPrediction(input: Float32Array): Promise<{ probs: Float32Array | null; error?: string }> {
  const copy = input.slice();
  const a = await ask({ type: 'predict', run, id: ++nextAsk, input: copy }, [copy.buffer]);
  return a?.type === 'prediction' ? { probs: a.probs, error: a.error } : { probs: null, error: 'the run changed' };
}

/** Confusion matrix and misclassified digits of the live MNIST model over its test split. */
export async function requestConfusion(): Promise<{ data: Confusion | null; step: number; error?: string }> {
  const a = await ask({ type: 'confusion', run, id: ++nextAsk });
  return a?.type === 'confusion' ? { data: a.data, step: a.step, error: a.error } : { data: null, step: 0, error: 'the run changed' };
}

/** Per-parameter weight and gradient L2 norms of the live model. */
export async function requestNorms(): Promise<{ data: ParamNorm[] | null; step: number; error?: string }> {
  const a = await ask({ type: 'norms', run, id: ++nextAsk });
  return a?.type === 'norms' ? { data: a.data, step: a.step, error: a.error } : { data: null, step: 0, error: 'the run changed' };
}

/** The live model's answers on the first `count` test samples (the Predictions region). */
export async function requestShowcase(count: number): Promise<{ data: Showcase | null; step: number; error?: string }> {
  const a = await ask({ type: 'showcase', run, id: ++nextAsk, count });
  return a?.type === 'showcase' ? { data: a.data, step: a.step, error: a.error } : { data: null, step: 0, error: 'the run changed' };
}

/** Text sampled from the live char model, continuing `prompt`. */
export async function requestText(prompt: string, length: number, temperature: number, seed: number): Promise<{ text: string | null; error?: string }> {
  const a = await ask({ type: 'generate', run, id: ++nextAsk, prompt, length, temperature, seed });
  return a?.type === 'text' ? { text: a.text, error: a.error } : { text: null, error: 'the run changed' };
}

/** The live playground model's output over a grid (and each hidden unit's with `units`). */
export async function requestBoundary(units: boolean): Promise<{ grid: BoundaryGrid | null; step: number; error?: string }> {
  const a = await ask({ type: 'boundary', run, id: ++nextAsk, units });
  return a?.type === 'boundary' ? { grid: a.grid, step: a.step, error: a.error } : { grid: null, step: 0, error: 'the run changed' };
}

/** True when a paused session of the spec in the editor can take a profiled step (as it could a Step). */
export function canProfile(s: { runSpec: unknown; spec: unknown; runStatus: string; validation: { ok: boolean } }): boolean {
  return s.validation.ok && s.runSpec === s.spec && s.runStatus === 'paused';
}

/**
 * Runs the live session's next step profiled (a real step: the step count, curves and schedule
 * move on) and resolves with its per-kernel times. Only while paused, like Step.
 */
export async function requestProfile(): Promise<{ data: StepProfile | null; error?: string }> {
  const s = store();
  if (!hasWorker() || !canProfile(s)) return { data: null, error: 'Pause a run (or take a Step) first.' };
  s.setRunStatus('stepping');
  const id = ++nextAsk;
  const a = await new Promise<ProfileAnswer | null>((resolve) => {
    profiling.set(id, resolve);
    send({ type: 'profile', run, id });
  });
  return a ? { data: a.data, error: a.error } : { data: null, error: 'the run changed' };
}
