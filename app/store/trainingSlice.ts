// The state of the training run: lifecycle, backend, loading progress, metric history, errors.
// Written by the page side of the worker (app/training/run.ts), in throttled batches.
import type { ModelSpec, TrainEvent } from '../engine.ts';
import type { SliceCreator } from './types.ts';

/** pausing: asked to pause, steps already queued on the GPU still finishing; stepping: one step in flight. */
export type RunStatus = 'idle' | 'loading' | 'compiling' | 'running' | 'pausing' | 'stepping' | 'paused' | 'done' | 'error';
export type ReadyInfo = Omit<Extract<TrainEvent, { type: 'ready' }>, 'type'>;
export type LoadProgress = Omit<Extract<TrainEvent, { type: 'progress' }>, 'type'>;
export type DoneInfo = Omit<Extract<TrainEvent, { type: 'done' }>, 'type'>;

/** What the worker found before any session: can this browser run WebGPU, and if not, why. */
export interface Probe { webgpu: boolean; adapter: string | null; reason: string | null; software?: boolean }
/** The backend a run was started on and why (Auto's reasoning, or the user's choice). */
export interface BackendPick { backend: 'webgpu' | 'cpu'; why: string }

/** seqAcc: sequence tasks' whole-sequence accuracy (every counted token right); absent elsewhere. */
export interface TrainPoint { step: number; epoch: number; loss: number; acc: number | null; lr: number; samplesPerS: number; seqAcc?: number | null }
export interface EvalPoint { step: number; epoch: number; loss: number; acc: number | null; seqAcc?: number | null }
export interface RunError { kind: 'error' | 'diverged'; message: string }
/** A run of the current spec saved in this browser (IndexedDB), resumable after a reload. */
export interface SavedRunInfo { step: number; savedAt: number }
export interface WeightsMessage { kind: 'ok' | 'error'; text: string }

/** History kept for the charts; beyond this, every other point is dropped (older half thinned). */
export const MAX_POINTS = 2000;

export interface TrainingSlice {
  runStatus: RunStatus;
  /** The spec the live session was built from (null: no session). */
  runSpec: ModelSpec | null;
  probe: Probe | null;
  backend: ReadyInfo | null;
  pick: BackendPick | null;
  setPick(p: BackendPick | null): void;
  /** Why the live session runs on the CPU (null when it runs on WebGPU or there is none). */
  fallbackReason: string | null;
  loading: LoadProgress | null;
  trainPoints: TrainPoint[];
  evalPoints: EvalPoint[];
  latest: TrainPoint | null;
  latestEval: EvalPoint | null;
  done: DoneInfo | null;
  /** Optimizer steps the session has taken, as of its last pause or step (metrics may lag behind). */
  sessionStep: number | null;
  error: RunError | null;
  savedRun: SavedRunInfo | null;
  weightsMessage: WeightsMessage | null;
  setSavedRun(r: SavedRunInfo | null): void;
  setWeightsMessage(m: WeightsMessage | null): void;
  /** Replaces the curves (a resumed run brings back its history). */
  setHistory(train: TrainPoint[], evals: EvalPoint[]): void;
  setProbe(p: Probe): void;
  beginRun(spec: ModelSpec): void;
  setRunStatus(s: RunStatus): void;
  setReady(info: ReadyInfo): void;
  setFallbackReason(r: string | null): void;
  setLoading(p: LoadProgress | null): void;
  appendMetrics(train: TrainPoint[], evals: EvalPoint[]): void;
  finishRun(d: DoneInfo): void;
  failRun(e: RunError): void;
  /** A diverged run stays paused (resumable from its last good checkpoint); null clears the notice. */
  setDiverged(e: RunError | null): void;
  resetRun(): void;
  setRunSpec(spec: ModelSpec): void;
  setSessionStep(step: number): void;
}

function thin<T>(xs: T[]): T[] {
  if (xs.length <= MAX_POINTS) return xs;
  const half = Math.floor(xs.length / 2);
  return [...xs.slice(0, half).filter((_, i) => i % 2 === 0), ...xs.slice(half)];
}

const emptyRun = {
  runStatus: 'idle' as RunStatus, runSpec: null, backend: null, pick: null, fallbackReason: null, loading: null, trainPoints: [], evalPoints: [],
  latest: null, latestEval: null, done: null, sessionStep: null, error: null, weightsMessage: null,
};

export const createTrainingSlice: SliceCreator<TrainingSlice> = (set, get) => ({
  ...emptyRun,
  probe: null,
  savedRun: null,
  setSavedRun: (savedRun) => set({ savedRun }),
  setWeightsMessage: (weightsMessage) => set({ weightsMessage }),
  setHistory: (trainPoints, evalPoints) =>
    set({ trainPoints, evalPoints, latest: trainPoints[trainPoints.length - 1] ?? null, latestEval: evalPoints[evalPoints.length - 1] ?? null }),
  setProbe: (probe) => set({ probe }),
  setPick: (pick) => set({ pick }),
  beginRun: (spec) => {
    get().archiveRun();
    set({ ...emptyRun, runSpec: spec, runStatus: 'loading' });
  },
  setRunStatus: (runStatus) => set({ runStatus }),
  setReady: (backend) => set({ backend, loading: null }),
  setFallbackReason: (fallbackReason) => set({ fallbackReason }),
  setLoading: (loading) => set(loading ? { loading, runStatus: loading.phase } : { loading }),
  appendMetrics: (train, evals) =>
    set((s) => ({
      trainPoints: train.length ? thin([...s.trainPoints, ...train]) : s.trainPoints,
      evalPoints: evals.length ? thin([...s.evalPoints, ...evals]) : s.evalPoints,
      latest: train.length ? train[train.length - 1] : s.latest,
      latestEval: evals.length ? evals[evals.length - 1] : s.latestEval,
    })),
  finishRun: (done) => set({ done, runStatus: 'done' }),
  failRun: (error) => set({ error, runStatus: 'error', loading: null }),
  setDiverged: (error) => set({ error }),
  resetRun: () => {
    get().archiveRun();
    set({ ...emptyRun });
  },
  setRunSpec: (runSpec) => set({ runSpec }),
  setSessionStep: (sessionStep) => set({ sessionStep }),
});
