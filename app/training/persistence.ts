// The page's side of persistence: the live run's curves are saved beside the checkpoint that the
// worker autosaves (IndexedDB), so a resumed run continues its curve, and the editor's spec is
// looked up for a saved run it can resume.
import type { ModelSpec } from '../engine.ts';
import { dbGet, dbPut, runKey, type SavedRun } from '../persist/db.ts';
import { useApp } from '../store/index.ts';
import type { EvalPoint, TrainPoint } from '../store/trainingSlice.ts';

interface SavedHistory { train: TrainPoint[]; evals: EvalPoint[] }
const histKey = (spec: ModelSpec) => `hist:${runKey(spec)}`;

const store = () => useApp.getState();

/** Keeps the curves of the live run beside its checkpoint, so a resumed run continues its curve. */
export function saveHistory(): void {
  const s = store();
  if (!s.runSpec) return;
  const h: SavedHistory = { train: s.trainPoints, evals: s.evalPoints };
  void dbPut(histKey(s.runSpec), h).catch(() => {});
  void refreshSavedRun();
}

/** Puts back the saved curves of a run resumed at `step` (unless another run began meanwhile). */
export function loadHistory(spec: ModelSpec, step: number): void {
  void dbGet<SavedHistory>(histKey(spec)).then((h) => {
    if (h && store().runSpec === spec) store().setHistory(h.train.filter((p) => p.step <= step), h.evals.filter((p) => p.step <= step));
  });
}

/** Looks up a saved run of the spec in the editor. */
export async function refreshSavedRun(): Promise<void> {
  const spec = store().spec;
  try {
    const r = await dbGet<SavedRun>(runKey(spec));
    if (store().spec === spec) store().setSavedRun(r ? { step: r.step, savedAt: r.savedAt } : null);
  } catch {
    store().setSavedRun(null);
  }
}

/** Looks up a saved run now and whenever the spec in the editor changes. */
export function watchSavedRun(): void {
  void refreshSavedRun();
  useApp.subscribe((s, prev) => {
    if (s.spec !== prev.spec) void refreshSavedRun();
  });
}
