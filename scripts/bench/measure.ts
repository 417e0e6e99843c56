// Timing: a warm-up iteration (pipeline compilation, first touch) that is not counted (with
// `calibrate`, also a probe that sizes the repetitions), then `reps` repetitions of `iters`
// iterations recorded back to back and one wait for the device; the figure is the median time per
// iteration over the repetitions. Training work also has its loss read back, never inside the
// timed window: loss_start is the mean loss of the first k steps (the warm-up and k − 1 more, on
// batches 0 … k−1 from a fresh initialisation), loss_end the mean loss of the same k batches visited
// again after the last repetition (same batches: the fall is the training's, not batch-to-batch
// noise). loss.ts refuses a side whose loss is not finite or did not fall.
import type { Counters, ProgramProfile } from '../../kernels/backend.ts';
import { lossRefusal, mean, refusalText } from './loss.ts';

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
  /** Our side only: one iteration with every kernel timed (Backend.profile). */
  profile?(): Promise<ProgramProfile>;
  /**
   * Training work: the mean loss of the steps since the last call (ours: the device's running sums,
   * NaN when any of them was not finite; a peer: its latest step's loss). A readback, so measure
   * calls it only outside the timed window.
   */
  loss?(): Promise<number>;
  /** Training work: how many batches iter cycles through (iteration i trains batch i mod batches). */
  batches?: number;
  /**
   * Training work: the steps a fresh initialisation needs before its loss on the first batches
   * reliably falls; the second loss window waits (untimed) until this many steps have run.
   */
  learnSteps?: number;
  /** Threads computing this work on a CPU (ours: the CPU backend's; tfjs-wasm: its pool); null or absent on a GPU. */
  threads?: number | null;
}

export interface Timing {
  ms: number; // median per iteration
  all: number[]; // per-iteration time of each repetition
  iters: number;
  perStep?: { dispatches: number; submits: number; bytesUploaded: number };
  /** Training work: the mean loss of the first k steps, and of the same k batches after the timed steps (both untimed). */
  lossStart?: number;
  lossEnd?: number;
}

export interface MeasureOpts {
  reps: number;
  /** Iterations per repetition are chosen so one repetition lasts about this long (from the warm-up). */
  targetMs: number;
  maxIters: number;
  /** When the warm-up iteration took longer than this, only 3 repetitions are made (the least a median needs). */
  slowMs?: number;
  /**
   * Sizes repetitions from a second, uncounted probe (1, 2, 4, … iterations until it lasts
   * targetMs / 8) instead of from the warm-up alone, whose pipeline compilation on a fast GPU
   * would make repetitions of a handful of sub-millisecond steps (then mostly the wait itself).
   */
  calibrate?: boolean;
  /** Training work: k, the steps whose mean loss is loss_start and, after the timed window, loss_end (default 3). */
  lossSteps?: number;
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
  const k = Math.max(1, o.lossSteps ?? 3);
  const head: number[] = [];
  if (w.loss) {
    head.push(await w.loss());
    for (let j = 1; j < k; j++) {
      w.iter(i++);
      await w.sync();
      head.push(await w.loss());
    }
  }
  let per = warm;
  if (o.calibrate && warm < o.targetMs / 4) {
    for (let k = 1; ; k *= 2) {
      const t = performance.now();
      for (let j = 0; j < k; j++) w.iter(i++);
      await w.sync();
      const dt = performance.now() - t;
      per = dt / k;
      if (dt >= o.targetMs / 8 || 2 * k > o.maxIters) break;
    }
  }
  const iters = Math.max(1, Math.min(o.maxIters, Math.round(o.targetMs / Math.max(per, 1e-3))));
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
  let lossStart: number | undefined, lossEnd: number | undefined;
  if (w.loss) {
    // Ours: the mean over every step since the head, so a timed step that went non-finite shows here.
    let timed = await w.loss();
    if (i < (w.learnSteps ?? 0)) {
      while (i < w.learnSteps!) w.iter(i++);
      await w.sync();
      const more = await w.loss();
      if (!Number.isFinite(more)) timed = more;
    }
    const S = Math.max(1, w.batches ?? 1);
    const first = Math.ceil(i / S) * S; // batch 0 again
    const tail: number[] = [];
    for (let j = 0; j < k; j++) {
      w.iter(first + j);
      await w.sync();
      tail.push(await w.loss());
    }
    lossStart = mean(head);
    lossEnd = Number.isFinite(timed) ? mean(tail) : timed;
  }
  return { ms: median(all), all, iters, perStep, lossStart, lossEnd };
}

/** One side of an item: a value (GFLOP/s, samples/s), its median ms, or why there is none. */
export interface Side { value: number | null; ms: number | null; timing?: Timing; error?: string }

/**
 * A training side whose loss is not finite or did not fall loses its figure: value null, the
 * reason as its error and in `refused`. Other sides pass through.
 */
export function checkLoss(side: Side, who: 'ours' | 'peer', refused: string[]): Side {
  if (side.value === null) return side;
  const why = lossRefusal(side.timing?.lossStart, side.timing?.lossEnd);
  if (!why) return side;
  refused.push(refusalText(who, why));
  return { ...side, value: null, error: `refused: ${why}` };
}

/**
 * The fields every benchmark line carries: both sides' figures, the ratio, our per-step counts,
 * errors; for training items (unit samples/s) both sides' losses, each side checked by checkLoss.
 */
export function comparison(name: string, unit: string, oursIn: Side, peerIn: Side): Record<string, unknown> {
  const train = unit === 'samples/s';
  const refused: string[] = [];
  const ours = train ? checkLoss(oursIn, 'ours', refused) : oursIn;
  const peer = train ? checkLoss(peerIn, 'peer', refused) : peerIn;
  const ratio = ours.value !== null && peer.value !== null && peer.value > 0 ? ours.value / peer.value : null;
  return {
    name, unit, ours: ours.value, peer: peer.value, ratio, ours_ms: ours.ms, peer_ms: peer.ms,
    ours_iters: ours.timing?.iters, peer_iters: peer.timing?.iters, reps: ours.timing?.all.length ?? peer.timing?.all.length,
    ...(ours.timing?.perStep ? {
      dispatches: ours.timing.perStep.dispatches, submits: ours.timing.perStep.submits, bytes_uploaded: ours.timing.perStep.bytesUploaded,
    } : {}),
    ...(train ? {
      loss_start: oursIn.timing?.lossStart ?? null, loss_end: oursIn.timing?.lossEnd ?? null,
      peer_loss_start: peerIn.timing?.lossStart ?? null, peer_loss_end: peerIn.timing?.lossEnd ?? null,
    } : {}),
    ...(refused.length ? { refused } : {}),
    ...(ours.error ? { ours_error: ours.error } : {}),
    ...(peer.error ? { peer_error: peer.error } : {}),
  };
}

export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

export const SIDE_TIMEOUT_MS = 15 * 60_000;

/** Makes the work, measures it and disposes of it; a failure or a timeout is recorded, not thrown. */
export async function runSide(make: () => Work | Promise<Work>, o: MeasureOpts, value: (t: Timing, w: Work) => number, timeoutMs = SIDE_TIMEOUT_MS): Promise<Side> {
  let w: Work | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs / 60_000} min`)), timeoutMs)));
    const t = await Promise.race([(async () => {
      w = await make();
      return measure(w, o);
    })(), timeout]);
    return { value: value(t, w!), ms: t.ms, timing: t };
  } catch (e) {
    return { value: null, ms: null, error: errText(e) };
  } finally {
    clearTimeout(timer);
    try {
      await (w as Work | null)?.dispose();
    } catch { /* already reported */ }
  }
}
