// Drives a session in short stretches of about `targetMs` each, so that metrics reach the page by
// time (one snapshot at the end of every stretch) rather than every N steps, and between stretches
// evaluates a fixed test subset whenever that keeps evaluation under `evalShare` of the time: the
// test curve then runs beside the train curve from the first seconds. Built on the session's
// public API only (start(until), pause(), its compiled programs), so the step loop is untouched.
import type { Session } from './session.ts';
import { taskInfo } from '../data/tasks.ts';

export interface QuickEval {
  step: number;
  epoch: number;
  test_loss: number;
  test_accuracy: number | null;
  test_seq_accuracy?: number | null;
  /** How many test samples were evaluated (the first `rows` of the test split). */
  rows: number;
}

export interface PaceOptions {
  /** Wall time of one stretch of steps (ms); metrics arrive about this often. Default 200. */
  targetMs?: number;
  /** Test samples in the quick evaluation (the first ones of the split). Default 256: on a loaded
   * CPU a 1024-wide MLP evaluates them in about a second, so within the 10% budget a test point
   * comes every ten seconds or so. */
  evalRows?: number;
  /** Largest fraction of the time spent on quick evaluations. Default 0.1. */
  evalShare?: number;
  onEval?: (e: QuickEval) => void;
}

export class Pacer {
  private halted = false;
  private readonly targetMs: number;
  private readonly evalRows: number;
  private readonly evalShare: number;
  /** Time spent evaluating and training since the pacer began (ms). */
  evalMs = 0;
  trainMs = 0;

  constructor(private readonly s: Session, private readonly opts: PaceOptions = {}) {
    this.targetMs = opts.targetMs ?? 200;
    this.evalRows = opts.evalRows ?? 256;
    this.evalShare = opts.evalShare ?? 0.1;
  }

  /** Stops after the steps already queued (the session's pause); the promise of run() then resolves. */
  stop(): void {
    this.halted = true;
    this.s.pause();
  }

  async run(): Promise<void> {
    const s = this.s;
    let chunk = 1; // the first stretch is one step: the first loss as soon as possible
    let msPerStep = 0;
    let lastEvalMs = 0;
    let trainSinceEval = Infinity; // evaluate after the first stretch
    while (!this.halted && s.step < s.totalSteps) {
      const from = s.step;
      const t0 = performance.now();
      await s.start(from + chunk);
      const dt = performance.now() - t0;
      const did = s.step - from;
      this.trainMs += dt;
      trainSinceEval += dt;
      // Paused, stopped early, diverged, failed or finished: the session has said so itself.
      if (this.halted || did < chunk || s.hasDiverged || s.step >= s.totalSteps) break;
      const per = dt / did;
      msPerStep = msPerStep ? 0.7 * msPerStep + 0.3 * per : per;
      chunk = Math.max(1, Math.min(100_000, Math.round(this.targetMs / msPerStep)));
      if (this.opts.onEval && trainSinceEval * this.evalShare >= lastEvalMs) {
        const e0 = performance.now();
        const e = await quickEval(s, this.evalRows);
        lastEvalMs = performance.now() - e0;
        this.evalMs += lastEvalMs;
        trainSinceEval = 0;
        if (!this.halted) this.opts.onEval(e);
      }
    }
  }
}

/** Evaluates the first `rows` test samples with the session's eval program, between training stretches. */
export async function quickEval(s: Session, rows: number): Promise<QuickEval> {
  const c = s.c;
  const n = Math.max(1, Math.min(rows, c.testData.n));
  const batches = Math.ceil(n / c.batch);
  let snap: Promise<Float32Array> | null = null;
  for (let b = 0; b < batches; b++) {
    const r = Math.min(c.batch, n - b * c.batch);
    s.nonStepSubmits++;
    snap = c.be.run(c.eval, { step: s.step, batchStart: b * c.batch, lr: 0, seed: 0, rows: r }, b === batches - 1 ? { tensor: c.evalMetrics, reset: true } : undefined);
  }
  const m = await snap!;
  // metrics (6): [Σ loss, Σ correct, counted, non-finite, sequences right, sequences]
  const d = c.spec.dataset;
  const regression = d.kind === 'task' && taskInfo(d).loss === 'mse';
  const e: QuickEval = { step: s.step, epoch: s.step / s.stepsPerEpoch, test_loss: m[0] / m[2], test_accuracy: regression ? null : m[1] / m[2], rows: n };
  if (d.kind === 'task') e.test_seq_accuracy = regression ? null : m[4] / Math.max(m[5], 1);
  return e;
}
