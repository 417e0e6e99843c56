// A training session: validates the spec, checks the memory estimate against the device before
// allocating anything, loads MNIST, compiles, and runs the step loop. Each step is one submission;
// metrics come back through asynchronous snapshots every few steps and are never awaited inside a
// step (only to bound how far the CPU runs ahead of the GPU).
import type { Backend, Program, ProgramProfile, StepParams, Tensor } from '../backend.ts';
import { type BackendChoice, createBackend } from '../engine.ts';
import type { Mnist } from '../data/mnist.ts';
import type { TaskData } from '../data/datasets.ts';
import { accuracies, loadSessionData, yieldToEvents } from './session-data.ts';
import { readParams, sampleText } from './sample.ts';
import { lrAt } from '../optim/schedule.ts';
import { pcg, Rng } from '../rng.ts';
import { inferShapes, resolveLayers } from '../model/shapes.ts';
import { DEFAULT_MEMORY_BUDGET, memoryProblem } from '../model/memory.ts';
import type { ModelSpec } from '../model/types.ts';
import { LIMITS, SpecError, validateSpec } from '../model/validate.ts';
import { compile, disposeCompiled, type Compiled } from './compile.ts';
import type { TrainEvent, TrainEventHandler } from './events.ts';
import { AttentionInspector, type AttentionMap } from './inspect.ts';
import { stepProfile, type StepProfile } from './profile.ts';
import { type CheckpointInfo, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

export interface SessionOptions {
  backend: BackendChoice;
  onEvent: TrainEventHandler;
  dataUrl?: string; // base URL of the MNIST idx files
  data?: Mnist | TaskData; // already loaded (tests, headless trainer); sequence tasks are generated when absent
  textUrl?: string; // base URL serving public/ (the char task's text); default: the parent of dataUrl
  trainLimit?: number; // use only the first n training samples
  testLimit?: number;
  memoryBudgetBytes?: number; // refuse models whose estimate exceeds this (default 2 GiB)
  metricsEvery?: number; // steps between metrics snapshots (default 20)
  maxSteps?: number; // stop after this many steps in total
  gpu?: GPU; // navigator.gpu, or Dawn's in Node
}

export class SessionError extends Error {}

type Submit = (p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }) => Promise<Float32Array> | null;

/**
 * About how much device work (ms) may be queued ahead of the step loop: what a pause or a
 * checkpoint waits for. Pause must take effect within 500 ms (issue 7), and a software adapter's
 * step can take 50 ms or more, so the depth is counted in time, not in steps.
 */
const QUEUE_MS = 100;
const MIN_QUEUED = 1; // steps beyond the running one: a slow step is never waited for twice
const MAX_QUEUED = 32;

export async function createSession(spec: ModelSpec, opts: SessionOptions): Promise<Session> {
  const v = validateSpec(spec);
  if (!v.ok) throw new SpecError(v.errors);
  const shapes = inferShapes(spec);
  if (shapes.errors.length) throw new SpecError(shapes.errors);
  const { backend, fallbackReason } = await createBackend(opts.backend, opts.gpu);
  const refusal = memoryProblem(spec, shapes, { memoryBudgetBytes: opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET, maxBindingBytes: backend.info.limits.maxStorageBufferBindingSize });
  if (refusal) {
    backend.destroy();
    throw new SessionError(refusal); // names the layers that dominate (spec/memory.ts)
  }
  const data = await loadSessionData(spec, opts);
  opts.onEvent({ type: 'progress', phase: 'compiling', done: 0, total: 1, message: 'Compiling kernels' });
  const c = compile(backend, spec, data);
  try {
    await backend.ready(); // pipelines compile in the background; wait for them before the first step
    await backend.idle(); // surfaces shader or allocation errors now, not as silent zeros later
  } catch (e) {
    disposeCompiled(c);
    backend.destroy();
    throw e;
  }
  opts.onEvent({ type: 'progress', phase: 'compiling', done: 1, total: 1, message: 'Compiled' });
  return new Session(c, opts, fallbackReason, shapes.totalParams);
}

export class Session {
  readonly info: { backend: 'webgpu' | 'cpu'; adapter: string; isFallbackAdapter: boolean; fallbackReason: string | null };
  step = 0; // optimizer steps done
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private pending: Promise<void>[] = [];
  private baseLr: number;
  private lastMetricsAt = 0;
  private lastMetricsStep = 0;
  private bestTestLoss = Infinity;
  private evalsSinceBest = 0;
  private stopped: TrainEvent | null = null;
  private readonly metricsEvery: number;
  private readonly evalEvery: number;
  private lastSnapStep = 0;
  /** One fence (onSubmittedWorkDone) per submitted step, oldest first. */
  private fences: { step: number; done: Promise<void> }[] = [];
  /** Running estimate of one step's device time, from when successive fences resolve. */
  private stepMs = 50;
  private lastFence: { step: number; at: number } | null = null;
  private needPermutation = false;
  /** Submissions that are not training steps (evaluation batches, metrics flushes). */
  nonStepSubmits = 0;
  private readonly snapshotOnly: Program;
  private inspector: AttentionInspector | null = null;
  private until = Infinity;

  constructor(readonly c: Compiled, private opts: SessionOptions, fallbackReason: string | null, readonly paramCount: number) {
    const be = c.be;
    this.info = { backend: be.info.kind, adapter: be.info.adapter, isFallbackAdapter: be.info.isFallbackAdapter, fallbackReason };
    this.stepsPerEpoch = Math.floor(c.trainData.n / c.batch);
    if (this.stepsPerEpoch < 1) throw new SessionError(`batch size ${c.batch} is larger than the ${c.trainData.n} training samples`);
    this.totalSteps = Math.min(c.spec.train.epochs * this.stepsPerEpoch, opts.maxSteps ?? Infinity);
    this.baseLr = c.spec.train.lr;
    this.metricsEvery = opts.metricsEvery ?? 20;
    this.evalEvery = c.spec.train.evalEverySteps || this.stepsPerEpoch;
    this.snapshotOnly = be.program('metrics snapshot', []);
    be.onLost?.((reason) => this.fail(`The GPU device was lost (${reason}). Training stopped.`, 'device-lost'));
    this.emit({
      type: 'ready', backend: be.info.kind, adapter: be.info.adapter, isFallbackAdapter: be.info.isFallbackAdapter,
      params: paramCount, dispatchesPerStep: c.train.dispatches, stepsPerEpoch: this.stepsPerEpoch,
    });
  }

  get backend(): Backend {
    return this.c.be;
  }
  /** True after a non-finite loss stopped the run (its weights are not to be trusted). */
  get hasDiverged(): boolean {
    return this.stopped?.type === 'done' && this.stopped.reason === 'diverged';
  }
  get isRunning(): boolean {
    return this.running;
  }
  get lr(): number {
    return lrAt(this.baseLr, this.c.spec.train.schedule, this.step, this.c.spec.train.warmupSteps ?? 0);
  }
  /** Changes the base learning rate; the schedule applies on top of it from the next step. */
  setLr(lr: number): void {
    if (!(lr > 0 && lr <= LIMITS.lr)) throw new SessionError(`learning rate must be in (0, ${LIMITS.lr}], got ${lr}`);
    this.baseLr = lr;
  }

  private emit(e: TrainEvent): void {
    this.opts.onEvent(e);
  }

  /**
   * A failed readback or a WebGPU error in the loop usually means the device is going away (its
   * lost signal may arrive a moment later): name that, not the symptom.
   */
  private async failedOnDevice(e: unknown, what: string): Promise<void> {
    const lost = await this.c.be.lostWithin?.(250);
    if (lost != null) return this.fail(`The GPU device was lost (${lost}). Training stopped.`, 'device-lost');
    this.fail(`${what}${errorText(e)}`);
  }

  /** Stops with an error event (once: a lost device also fails its pending readbacks). */
  private fail(message: string, code?: 'device-lost'): void {
    this.running = false;
    if (this.stopped?.type === 'error') return;
    this.stopped = code ? { type: 'error', message, code } : { type: 'error', message };
    this.emit(this.stopped);
  }

  /**
   * Records and submits one step; returns without waiting for the GPU. `submit` replaces the plain
   * run (profileStep times the same step with it).
   */
  private submitStep(forceMetrics: boolean, submit: Submit = (p, params, snap) => this.c.be.run(p, params, snap)): void {
    const c = this.c;
    const inEpoch = this.step % this.stepsPerEpoch;
    const epoch = Math.floor(this.step / this.stepsPerEpoch);
    if (inEpoch === 0 || this.needPermutation) c.be.write(c.trainData.indices, new Rng(pcg(c.spec.seed) ^ epoch).permutation(c.trainData.n));
    const params: StepParams = {
      step: this.step + 1,
      batchStart: inEpoch * c.batch,
      lr: this.lr,
      seed: pcg((c.spec.seed ^ Math.imul(this.step + 1, 0x9e3779b9)) >>> 0),
      rows: c.batch,
    };
    const last = inEpoch === this.stepsPerEpoch - 1 || this.step + 1 === this.totalSteps;
    const snap = forceMetrics || last || (this.step + 1) % this.metricsEvery === 0;
    this.needPermutation = false;
    const p = submit(c.train, params, snap ? { tensor: c.trainMetrics, reset: true } : undefined);
    this.step++;
    if (p) this.track(p, params.lr);
  }

  private track(p: Promise<Float32Array>, lr: number): void {
    const step = this.step;
    this.lastSnapStep = step;
    this.pending.push(p.then((m) => this.onMetrics(m, step, lr), (e: unknown) => this.failedOnDevice(e, 'Reading metrics back failed: ')));
  }

  /** Reports the steps since the last snapshot (on pause), with a submission that only copies metrics. */
  private flushMetrics(): void {
    if (this.step === this.lastSnapStep) return;
    this.nonStepSubmits++;
    const p = this.c.be.run(this.snapshotOnly, { step: this.step, batchStart: 0, lr: 0, seed: 0, rows: 0 }, { tensor: this.c.trainMetrics, reset: true });
    if (p) this.track(p, this.lr);
  }

  private onMetrics(m: Float32Array, step: number, lr: number): void {
    const now = performance.now();
    const steps = step - this.lastMetricsStep;
    const dt = (now - this.lastMetricsAt) / 1000;
    const sps = this.lastMetricsAt > 0 && dt > 0 ? (steps * this.c.batch) / dt : 0;
    this.lastMetricsAt = now;
    this.lastMetricsStep = step;
    const loss = m[0] / m[2];
    if (!Number.isFinite(loss) || m[3] > 0) {
      if (!this.stopped) void this.diverged(step);
      return;
    }
    this.emit({
      type: 'metrics', step, epoch: step / this.stepsPerEpoch, loss, train_accuracy: accuracies(this.c.spec, m).acc,
      ...(this.c.spec.dataset.kind === 'task' ? { train_seq_accuracy: accuracies(this.c.spec, m).seq } : {}), lr, samples_per_s: sps,
      dispatches_per_step: this.c.train.dispatches, submits_per_step: 1,
    });
  }

  /** Names the first layer whose output is non-finite (one extra pass over the last batch). */
  private async diverged(step: number): Promise<void> {
    this.running = false;
    this.stopped = { type: 'done', reason: 'diverged', step, message: '' };
    let where = '';
    for (const o of this.c.trainGraph.outputs) {
      const v = await this.c.be.read(o.t);
      if (v.some((x) => !Number.isFinite(x))) {
        where = ` The first non-finite values appeared in ${o.name}.`;
        break;
      }
    }
    this.stopped = {
      type: 'done', reason: 'diverged', step,
      message: `The loss became non-finite (NaN or infinity) by step ${step}; training stopped.${where} Lower the learning rate or enable gradient clipping, then train again.`,
    };
    this.emit(this.stopped);
  }

  private async drain(maxPending: number): Promise<void> {
    while (this.pending.length > maxPending) await this.pending.shift();
  }

  /**
   * Keeps about QUEUE_MS of steps queued on the device (MIN_QUEUED to MAX_QUEUED steps at the
   * measured step time), so a pause or a checkpoint waits for little work. A fence is
   * onSubmittedWorkDone, not a readback.
   */
  private async throttle(): Promise<void> {
    const step = this.step;
    this.fences.push({ step, done: this.c.be.idle().then(() => this.fenced(step)) });
    const depth = Math.max(MIN_QUEUED, Math.min(MAX_QUEUED, Math.floor(QUEUE_MS / this.stepMs)));
    while (this.fences.length && step - this.fences[0].step >= depth) await this.fences.shift()!.done;
  }

  private fenced(step: number): void {
    const at = performance.now();
    const last = this.lastFence;
    // Fences resolve in order; the loop forgets the last one across pauses and evaluations.
    if (last && step > last.step) this.stepMs = 0.8 * this.stepMs + 0.2 * ((at - last.at) / (step - last.step));
    this.lastFence = { step, at };
  }

  /**
   * Trains until the epochs are done, `pause()` or `stop()`; with `until`, stops quietly (no 'done'
   * event) once that many steps are done (the headless trainer profiles the step after).
   */
  start(until = Infinity): Promise<void> {
    if (this.running) return this.loop!;
    this.until = until;
    if (this.stopped?.type === 'done' && this.stopped.reason === 'diverged') this.stopped = null;
    this.running = true;
    this.lastMetricsAt = performance.now();
    this.lastMetricsStep = this.step;
    this.loop = this.run().catch((e: unknown) => this.failedOnDevice(e, ''));
    return this.loop;
  }

  private async run(): Promise<void> {
    let lastYield = performance.now();
    this.lastFence = null;
    while (this.running && this.step < Math.min(this.totalSteps, this.until)) {
      this.submitStep(false);
      await this.drain(2);
      await this.throttle();
      if (this.stopped) break;
      if (this.step % this.evalEvery === 0 || this.step === this.totalSteps) {
        await this.drain(0);
        if (this.stopped) break;
        if (await this.evaluateAndCheckStop()) break;
        this.lastFence = null;
      }
      if (performance.now() - lastYield > 12) {
        await yieldToEvents();
        lastYield = performance.now();
      }
    }
    if (!this.stopped) this.flushMetrics();
    await this.drain(0);
    const wasRunning = this.running;
    this.running = false;
    if (this.stopped) return;
    if (this.step >= this.totalSteps) this.emit({ type: 'done', reason: 'finished', step: this.step, message: `Finished ${this.step} steps.` });
    else if (!wasRunning) this.emit({ type: 'done', reason: 'stopped', step: this.step, message: `Paused at step ${this.step}.` });
  }

  private async evaluateAndCheckStop(): Promise<boolean> {
    const r = await this.evaluate();
    const patience = this.c.spec.train.earlyStopPatience ?? 0;
    if (r.test_loss < this.bestTestLoss - 1e-6) {
      this.bestTestLoss = r.test_loss;
      this.evalsSinceBest = 0;
    } else if (patience > 0 && ++this.evalsSinceBest >= patience) {
      this.running = false;
      this.stopped = { type: 'done', reason: 'early-stop', step: this.step, message: `Stopped early: test loss did not improve for ${patience} evaluations.` };
      this.emit(this.stopped);
      return true;
    }
    return false;
  }

  pause(): void {
    this.running = false;
  }

  /** One training step, then its metrics. */
  async stepOnce(): Promise<void> {
    if (this.running || this.step >= this.totalSteps) return;
    this.lastMetricsAt = performance.now();
    this.lastMetricsStep = this.step;
    this.submitStep(true);
    await this.drain(0);
  }

  /**
   * The next training step, profiled: the same step as `stepOnce` (step counter, learning rate
   * schedule, batch order, metrics event) run through `Backend.profile`, which times each kernel
   * (GPU timestamps, or the CPU clock). Kernels are attributed to layers and ops (profile.ts);
   * counts are this step's dispatches, submissions and bytes uploaded. Only while paused.
   */
  async profileStep(): Promise<StepProfile> {
    if (this.running) throw new SessionError('pause training before profiling a step');
    if (this.step >= this.totalSteps) throw new SessionError(`the run has finished its ${this.totalSteps} steps: nothing left to profile`);
    const be = this.c.be;
    // Earlier work finishes first, so the wall time is this step's alone.
    await this.drain(0);
    await be.idle();
    const before = { ...be.counters };
    this.lastMetricsAt = performance.now();
    this.lastMetricsStep = this.step;
    let profiled: Promise<ProgramProfile> | null = null;
    const t0 = performance.now();
    this.submitStep(true, (p, params, snap) => {
      const r = be.profile(p, params, snap);
      profiled = r;
      return r.then((x) => x.snapshot ?? new Float32Array(this.c.trainMetrics.size));
    });
    const r = await profiled!;
    const wallMs = performance.now() - t0;
    await this.drain(0);
    const after = be.counters;
    return stepProfile(this.c, r, {
      step: this.step, wallMs, backend: be.info.kind, adapter: be.info.adapter,
      dispatches: after.dispatches - before.dispatches, submits: after.submits - before.submits,
      bytesUploaded: after.bytesUploaded - before.bytesUploaded,
    });
  }

  /** Runs the whole test split through the eval program; one submission per test batch. */
  async evaluate(): Promise<{ test_loss: number; test_accuracy: number; test_seq_accuracy?: number | null }> {
    const c = this.c;
    const batches = Math.ceil(c.testData.n / c.batch);
    let snap: Promise<Float32Array> | null = null;
    for (let b = 0; b < batches; b++) {
      const rows = Math.min(c.batch, c.testData.n - b * c.batch);
      this.nonStepSubmits++;
      snap = c.be.run(c.eval, { step: this.step, batchStart: b * c.batch, lr: 0, seed: 0, rows },
        b === batches - 1 ? { tensor: c.evalMetrics, reset: true } : undefined);
      if (b % 8 === 7) await yieldToEvents();
    }
    const m = await snap!;
    // test_accuracy stays a number for callers (0 for regression; the event carries null).
    const acc = accuracies(this.c.spec, m);
    const r = { test_loss: m[0] / m[2], test_accuracy: acc.acc ?? 0, ...(acc.seq !== undefined ? { test_seq_accuracy: acc.seq } : {}) };
    this.emit({ type: 'eval', step: this.step, epoch: this.step / this.stepsPerEpoch, ...r, test_accuracy: acc.acc });
    return r;
  }

  /**
   * Continues `prompt` with n characters from a char-task model, sampled at `temperature` on the
   * CPU after reading the weights back once (awaited here, never inside a training step).
   */
  async sampleText(prompt: string, n: number, temperature: number, seed = 1): Promise<string> {
    const d = this.c.spec.dataset;
    if (d.kind !== 'task' || d.name !== 'char') throw new SessionError('text sampling needs a model of the char task');
    return sampleText(resolveLayers(this.c.spec), await readParams(this.c.be, this.c.params), prompt, n, temperature, seed, d.length);
  }

  stop(): void {
    this.running = false;
  }

  /** Weights (and optimizer state) as a safetensors file with the spec and step in its metadata. */
  checkpoint(withOptimizer = true): Promise<Uint8Array> {
    // No draining: the reads queue behind every step submitted so far, so the state read back is
    // exactly the state after `this.step` steps, even while training goes on.
    return saveCheckpoint(this.c, this.step, withOptimizer);
  }

  /**
   * Loads a checkpoint while paused. With optimizer state the run resumes at the saved step (its
   * batch order and Adam bias correction continue); weights alone restart the step count.
   */
  restore(bytes: Uint8Array): CheckpointInfo {
    if (this.running) throw new SessionError('pause training before loading weights');
    const info = loadCheckpoint(this.c, bytes);
    // Sums since the last snapshot belong to the abandoned trajectory (NaN, after a divergence).
    this.c.be.write(this.c.trainMetrics, new Float32Array(this.c.trainMetrics.size));
    this.step = info.hasOptimizer ? Math.min(info.step, this.totalSteps) : 0;
    this.lastSnapStep = this.step;
    this.needPermutation = true;
    if (this.stopped?.type !== 'error') this.stopped = null;
    return info;
  }

  /** Attention weights of sample 0 of the latest training batch, per attention layer (empty without any). */
  async attentionMaps(): Promise<AttentionMap[]> {
    this.inspector ??= new AttentionInspector(this.c);
    if (!this.inspector.available) return [];
    this.nonStepSubmits++;
    return this.inspector.read();
  }

  async dispose(): Promise<void> {
    this.running = false;
    await this.loop;
    this.inspector?.dispose();
    disposeCompiled(this.c);
    this.c.be.destroy();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
