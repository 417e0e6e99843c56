// Reset acts at once and can be undone for a while: the session's weights and optimizer state stay
// in the worker (paused), its curves and status in a snapshot, until the undo window closes or a new
// run replaces it. Undo puts the run back exactly as it was: same session, same step, same curves.
import { useSyncExternalStore } from 'react';
import { useApp, type AppState } from '../store/index.ts';
import type { TrainPoint, EvalPoint } from '../store/trainingSlice.ts';
import type { FromWorker } from './protocol.ts';

/** How long Undo is offered after a reset. */
export const UNDO_MS = 20_000;

const KEYS = [
  'runStatus', 'runSpec', 'backend', 'pick', 'fallbackReason', 'loading', 'trainPoints', 'evalPoints', 'latest', 'latestEval', 'done',
  'sessionStep', 'error', 'weightsMessage', 'runs',
] as const satisfies readonly (keyof AppState)[];
type Snapshot = Pick<AppState, (typeof KEYS)[number]>;

interface Held {
  /** The run id of the kept session, and the id the page moved on to at the reset. */
  run: number;
  after: number;
  snap: Snapshot;
  timer: ReturnType<typeof setTimeout>;
}

let held: Held | null = null;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((f) => f());

/** True while a reset can be undone (the page shows "Training reset · Undo"). */
export function useUndoable(): boolean {
  return useSyncExternalStore((f) => (listeners.add(f), () => void listeners.delete(f)), () => held !== null);
}

/**
 * Keeps the session of run `run` for an undo (the page has already moved on to run `after`);
 * `dispose` frees it when the window closes, unless a newer run replaced it meanwhile.
 */
export function hold(run: number, after: number, dispose: () => void): void {
  drop();
  const s = useApp.getState();
  const snap = Object.fromEntries(KEYS.map((k) => [k, s[k]])) as Snapshot;
  held = { run, after, snap, timer: setTimeout(() => { if (held?.run === run) { drop(); dispose(); } }, UNDO_MS) };
  changed();
}

/** Forgets the kept session (a new run replaced it: the worker disposes the old one on create). */
export function drop(): void {
  if (!held) return;
  clearTimeout(held.timer);
  held = null;
  changed();
}

/** Messages of the kept session that arrive after the reset (its pause, its last metrics) go into the snapshot. */
export function absorb(m: FromWorker): boolean {
  if (!held || !('run' in m) || m.run !== held.run) return false;
  const snap = held.snap;
  if (m.type === 'paused' || m.type === 'stepped') {
    snap.sessionStep = m.step;
    if (snap.runStatus === 'running' || snap.runStatus === 'pausing' || snap.runStatus === 'stepping') snap.runStatus = 'paused';
  } else if (m.type === 'event' && m.event.type === 'metrics') {
    const e = m.event;
    const p: TrainPoint = { step: e.step, epoch: e.epoch, loss: e.loss, acc: e.train_accuracy, lr: e.lr, samplesPerS: e.samples_per_s, seqAcc: e.train_seq_accuracy };
    snap.trainPoints = [...snap.trainPoints, p];
    snap.latest = p;
  } else if (m.type === 'event' && m.event.type === 'done' && m.event.reason !== 'stopped') {
    // It finished (or diverged) before the pause arrived: undo shows it as it ended.
    const e = m.event;
    snap.sessionStep = e.step;
    if (e.reason === 'diverged') {
      snap.runStatus = 'paused';
      snap.error = { kind: 'diverged', message: e.message };
    } else {
      snap.runStatus = 'done';
      snap.done = { reason: e.reason, message: e.message, step: e.step };
    }
  } else if (m.type === 'event' && m.event.type === 'eval') {
    const e = m.event;
    const p: EvalPoint = { step: e.step, epoch: e.epoch, loss: e.test_loss, acc: e.test_accuracy, seqAcc: e.test_seq_accuracy };
    snap.evalPoints = [...snap.evalPoints, p];
    snap.latestEval = p;
  }
  return true;
}

/**
 * Puts the kept run back: returns its run id for the page to adopt, or null when there is none or a
 * newer run (id ≠ the one the reset moved to) has replaced it.
 */
export function undo(current: number): number | null {
  const h = held;
  if (!h || current !== h.after) return null;
  drop();
  // A session reset while it ran was asked to pause; until its 'paused' arrives it reads as pausing.
  const status = h.snap.runStatus === 'running' || h.snap.runStatus === 'stepping' ? 'pausing' : h.snap.runStatus;
  useApp.setState({ ...h.snap, runStatus: status });
  return h.run;
}
