// Worker lifecycle: the page's one training worker, started once, and the id of the current run,
// which every message about a session carries (a new run or a reset moves it on, so the replies of
// older runs are dropped).
import { useApp } from '../store/index.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

let worker: Worker | null = null;
/** The page's current run; the worker's messages about any other run are stale. */
export let run = 0;

/** Moves on to a new run id (a new session, or a reset that drops the old one). */
export function nextRun(): number {
  return ++run;
}

/** Goes back to an earlier run id: Undo of a Reset whose session the worker still holds. */
export function setRun(id: number): void {
  run = id;
}

/** Starts the worker, which probes WebGPU at once; false when it was already started. */
export function startWorker(onMessage: (m: FromWorker) => void): boolean {
  if (worker) return false;
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    useApp.getState().failRun({ kind: 'error', message: `The training worker failed: ${e.message || 'could not load'}` });
  };
  return true;
}

export const hasWorker = (): boolean => worker !== null;

export function send(m: ToWorker, transfer: Transferable[] = []): void {
  worker?.postMessage(m, transfer);
}
