// Earlier runs of this browser session (not persisted): each keeps its name, a hyperparameter
// summary and its curves, so the charts can overlay them on the live run.
import type { ModelSpec } from '../../kernels/model/types.ts';
import type { EvalPoint, TrainPoint } from './trainingSlice.ts';
import type { SliceCreator } from './types.ts';

export interface PastRun {
  id: number;
  name: string;
  /** Optimizer, learning rate, batch size, epochs, seed in one line. */
  summary: string;
  /** Steps reached and the last metrics, e.g. "42 steps · loss 0.31 · test 91.2%". */
  result: string;
  train: TrainPoint[];
  evals: EvalPoint[];
  visible: boolean;
}

/** Oldest runs are dropped past this; each is at most MAX_POINTS per series already. */
export const MAX_RUNS = 10;

export interface RunsSlice {
  runs: PastRun[];
  /** Keeps the live run's curves (if it has any) as a past run; called before a run is replaced. */
  archiveRun(): void;
  toggleRun(id: number): void;
  deleteRun(id: number): void;
}

export function runSummary(spec: ModelSpec): string {
  const t = spec.train;
  return `${t.optimizer.kind} lr ${t.lr}, batch ${t.batchSize}, ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, seed ${spec.seed}`;
}

function runResult(train: TrainPoint[], evals: EvalPoint[]): string {
  const last = train[train.length - 1], lastEval = evals[evals.length - 1];
  const parts = [`${Math.max(last?.step ?? 0, lastEval?.step ?? 0)} steps`];
  if (last) parts.push(`loss ${last.loss.toPrecision(3)}`);
  if (lastEval?.acc != null) parts.push(`test ${(lastEval.acc * 100).toFixed(1)}%`);
  else if (last?.acc != null) parts.push(`train ${(last.acc * 100).toFixed(1)}%`);
  return parts.join(' · ');
}

let nextId = 1;

export const createRunsSlice: SliceCreator<RunsSlice> = (set, get) => ({
  runs: [],
  archiveRun: () => {
    const s = get();
    if (!s.runSpec || (!s.trainPoints.length && !s.evalPoints.length)) return;
    const id = nextId++;
    const run: PastRun = {
      id, name: `Run ${id}: ${s.runSpec.name ?? 'model'}`, summary: runSummary(s.runSpec), result: runResult(s.trainPoints, s.evalPoints),
      train: s.trainPoints, evals: s.evalPoints, visible: true,
    };
    set({ runs: [...s.runs, run].slice(-MAX_RUNS) });
  },
  toggleRun: (id) => set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, visible: !r.visible } : r)) })),
  deleteRun: (id) => set((s) => ({ runs: s.runs.filter((r) => r.id !== id) })),
});
