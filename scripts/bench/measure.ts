// Timing: a warm-up iteration (pipeline compilation, first touch) that is not counted, then `reps`
// repetitions of `iters` iterations recorded back to back and one wait for the device; the figure
// is the median time per iteration over the repetitions.
import type { Counters } from '../../kernels/backend.ts';

export interface Work {
  /** Samples per iteration (training steps); 0 for kernels. */
  batch: number;
  /** Our compute dispatches per iteration (absent for the peer). */
  dispatches?: number;
  counters?: () => Counters;
  /** Records (and submits) iteration i without waiting. */
  iter(i: number): void;
  /** Resolves when every recorded iteration has finished on the device. */
  sync(): Promise<void>;
  dispose(): void | Promise<void>;
}

export interface Timing {
  ms: number; // median per iteration
  all: number[]; // per-iteration time of each repetition
  iters: number;
  perStep?: { dispatches: number; submits: number; bytesUploaded: number };
}

export interface MeasureOpts {
  reps: number;
  /** Iterations per repetition are chosen so one repetition lasts about this long (from the warm-up). */
  targetMs: number;
  maxIters: number;
  /** When the warm-up iteration took longer than this, only 3 repetitions are made (the least a median needs). */
  slowMs?: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function measure(w: Work, o: MeasureOpts): Promise<Timing> {
  let i = 0;
  const t0 = performance.now();
  w.iter(i++);
  await w.sync();
  const warm = performance.now() - t0;
  const iters = Math.max(1, Math.min(o.maxIters, Math.round(o.targetMs / Math.max(warm, 1e-3))));
  const before = w.counters?.();
  const reps = o.slowMs !== undefined && warm > o.slowMs ? Math.min(3, o.reps) : o.reps;
  const all: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    for (let k = 0; k < iters; k++) w.iter(i++);
    await w.sync();
    all.push((performance.now() - t) / iters);
  }
  const after = w.counters?.();
  const n = reps * iters;
  const perStep = before && after ? {
    dispatches: (after.dispatches - before.dispatches) / n,
    submits: (after.submits - before.submits) / n,
    bytesUploaded: (after.bytesUploaded - before.bytesUploaded) / n,
  } : undefined;
  return { ms: median(all), all, iters, perStep };
}
