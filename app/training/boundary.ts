// The page's side of the live decision boundary: while a playground run trains, asks the worker for
// the grid picture (and each hidden unit's) again as soon as the last one has arrived and
// BOUNDARY_MS has passed since it was asked for, so the pictures update up to ten times a second
// without queueing up (one question in flight at a time); once the run pauses or ends, asks once
// more for the final weights. One loop (the playground view's) feeds every picture: the boundary
// and the diagram's unit pictures read the same answer through useBoundaryGrid().
import { useEffect, useSyncExternalStore } from 'react';
import type { BoundaryGrid } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectRunStatus, selectSessionStep } from '../store/selectors.ts';
import { hasSession, requestBoundary } from './looks.ts';

export const BOUNDARY_MS = 100;

export interface LiveBoundary {
  grid: BoundaryGrid | null;
  step: number;
  error: string | null;
}

const BLANK: LiveBoundary = { grid: null, step: 0, error: null };
let current: LiveBoundary = BLANK;
const listeners = new Set<() => void>();

function publish(next: LiveBoundary): void {
  current = next;
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

/** The newest grid picture of the live run (null until one arrives), without asking for one. */
export function useBoundaryGrid(): LiveBoundary {
  return useSyncExternalStore(subscribe, () => current, () => BLANK);
}

/** Keeps the live model's grid picture fresh while `active` and a session exists; mount once. */
export function useLiveBoundary(active: boolean): LiveBoundary {
  const status = useApp(selectRunStatus);
  const runSpec = useApp(selectRunSpec);
  const sessionStep = useApp(selectSessionStep);
  // A new run (or none) starts from a blank picture.
  useEffect(() => publish(BLANK), [runSpec]);
  const running = status === 'running' || status === 'pausing' || status === 'stepping';
  const ready = active && hasSession(status);
  useEffect(() => {
    if (!ready) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      const sent = performance.now();
      const r = await requestBoundary(true);
      if (stopped) return;
      if (r.grid) publish({ grid: r.grid, step: r.step, error: null });
      else if (r.error !== 'the run changed') publish({ ...current, error: r.error ?? null });
      // The next question goes BOUNDARY_MS after this one was sent, not after its answer: a slow
      // answer (queued behind a software adapter's steps) does not add the wait on top.
      if (running) timer = setTimeout(() => void ask(), Math.max(0, BOUNDARY_MS - (performance.now() - sent)));
    };
    void ask();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // sessionStep moves on a pause or a Step: one more picture of the weights as they are then.
  }, [ready, running, sessionStep]);
  return useBoundaryGrid();
}
