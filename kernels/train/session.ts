// A training session: validates the spec, checks the memory estimate against the device before
// allocating anything, loads MNIST, compiles, and runs the step loop. Each step is one submission;
// metrics come back through asynchronous snapshots every few steps and are never awaited inside a
// step (only to bound how far the CPU runs ahead of the GPU).
import type { Backend, Program, StepParams } from '../backend.ts';
import { type BackendChoice, createBackend } from '../engine.ts';
import { GpuBackend } from '../gpu/backend.ts';
import { loadMnist, take, type Mnist } from '../data/mnist.ts';
import { lrAt } from '../optim/schedule.ts';
import { pcg, Rng } from '../rng.ts';
import { formatBytes, inferShapes } from '../spec/shapes.ts';
import type { ModelSpec } from '../spec/types.ts';
import { SpecError, validateSpec } from '../spec/validate.ts';
import { compile, disposeCompiled, type Compiled } from './compile.ts';
import type { TrainEvent, TrainEventHandler } from './events.ts';
import { type CheckpointInfo, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

export interface SessionOptions {
  backend: BackendChoice;
  onEvent: TrainEventHandler;
  dataUrl?: string; // base URL of the MNIST idx files
  data?: Mnist; // already loaded (tests, headless trainer)
  trainLimit?: number; // use only the first n training samples
  testLimit?: number;
  memoryBudgetBytes?: number; // refuse models whose estimate exceeds this (default 2 GiB)
  metricsEvery?: number; // steps between metrics snapshots (default 20)
  maxSteps?: number; // stop after this many steps in total
  gpu?: GPU; // navigator.gpu, or Dawn's in Node
}

export class SessionError extends Error {}

const yieldToEvents = (): Promise<void> =>
  typeof MessageChannel !== 'undefined'
    ? new Promise((r) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          ch.port1.close(); // an open port keeps Node's event loop alive
          r();
        };
        ch.port2.postMessage(0);
      })
    : new Promise((r) => setTimeout(r, 0));

export async function createSession(spec: ModelSpec, opts: SessionOptions): Promise<Session> {
  const v = validateSpec(spec);
  if (!v.ok) throw new SpecError(v.errors);
  const shapes = inferShapes(spec);
  if (shapes.errors.length) throw new SpecError(shapes.errors);
  const { backend, fallbackReason } = await createBackend(opts.backend, opts.gpu);
  const budget = opts.memoryBudgetBytes ?? 2 * 1024 ** 3;
  const bindLimit = backend.info.limits.maxStorageBufferBindingSize;
  if (shapes.memoryBytes > budget || shapes.largestTensorBytes > bindLimit) {
    backend.destroy();
    const what = shapes.memoryBytes > budget
      ? `needs about ${formatBytes(shapes.memoryBytes)} to train, over the memory budget of ${formatBytes(budget)}`
      : `has a tensor of ${formatBytes(shapes.largestTensorBytes)}, over this device's ${formatBytes(bindLimit)} limit per buffer`;
    throw new SessionError(`This model ${what} (${shapes.totalParams.toLocaleString('en-US')} parameters, batch ${spec.train.batchSize}). Make it smaller or lower the batch size.`);
  }
  let data = opts.data;
  if (!data) {
    if (!opts.dataUrl) throw new SessionError('no MNIST data: pass dataUrl or data');
    data = await loadMnist(opts.dataUrl, (done, total, message) => opts.onEvent({ type: 'progress', phase: 'loading', done, total, message }));
  }
  if (opts.trainLimit) data = { ...data, train: take(data.train, opts.trainLimit) };
  if (opts.testLimit) data = { ...data, test: take(data.test, opts.testLimit) };
  opts.onEvent({ type: 'progress', phase: 'compiling', done: 0, total: 1, message: 'Compiling kernels' });
  const c = compile(backend, spec, data);
  try {
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
  private needPermutation = false;
  /** Submissions that are not training steps (evaluation batches, metrics flushes). */
  nonStepSubmits = 0;
  private readonly snapshotOnly: Program;

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
    if (be instanceof GpuBackend) be.onLost((reason) => this.fail(`The GPU device was lost (${reason}). Training stopped.`));
    this.emit({
      type: 'ready', backend: be.info.kind, adapter: be.info.adapter, isFallbackAdapter: be.info.isFallbackAdapter,
      params: paramCount, dispatchesPerStep: c.train.dispatches, stepsPerEpoch: this.stepsPerEpoch,
    });
  }

  get backend(): Backend {
    return this.c.be;
  }
  get isRunning(): boolean {
    return this.running;
  }
  get lr(): number {
    return lrAt(this.baseLr, this.c.spec.train.schedule, this.step, this.c.spec.train.warmupSteps ?? 0);
  }
  /** Changes the base learning rate; the schedule applies on top of it from the next step. */
  setLr(lr: number): void {
    if (!(lr > 0 && lr <= 10)) throw new SessionError(`learning rate must be in (0, 10], got ${lr}`);
    this.baseLr = lr;
  }

  private emit(e: TrainEvent): void {
    this.opts.onEvent(e);
  }

  /** A failed readback usually means the device is going away: name that, not the symptom. */
  private async readbackFailed(e: unknown): Promise<void> {
    const be = this.c.be;
    if (be instanceof GpuBackend) {
      const lost = await Promise.race([be.device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 250))]);
      if (lost) return this.fail(`The GPU device was lost (${be.lost ?? 'unknown reason'}). Training stopped.`);
    }
    this.fail(`Reading metrics back failed: ${errorText(e)}`);
  }

  /** Stops with an error event (once: a lost device also fails its pending readbacks). */
  private fail(message: string): void {
    this.running = false;
    if (this.stopped?.type === 'error') return;
    this.stopped = { type: 'error', message };
    this.emit(this.stopped);
  }

  /** Records and submits one step; returns without waiting for the GPU. */
  private submitStep(forceMetrics: boolean): void {
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
    const p = c.be.run(c.train, params, snap ? { tensor: c.trainMetrics, reset: true } : undefined);
    this.step++;
    if (p) this.track(p, params.lr);
  }

  private track(p: Promise<Float32Array>, lr: number): void {
    const step = this.step;
    this.lastSnapStep = step;
    this.pending.push(p.then((m) => this.onMetrics(m, step, lr), (e: unknown) => this.readbackFailed(e)));
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
      type: 'metrics', step, epoch: step / this.stepsPerEpoch, loss, train_accuracy: m[1] / m[2], lr, samples_per_s: sps,
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

  /** Trains until the epochs are done, `pause()` or `stop()`. */
  start(): Promise<void> {
    if (this.running) return this.loop!;
    if (this.stopped?.type === 'done' && this.stopped.reason === 'diverged') this.stopped = null;
    this.running = true;
    this.lastMetricsAt = performance.now();
    this.lastMetricsStep = this.step;
    this.loop = this.run().catch((e: unknown) => this.fail(errorText(e)));
    return this.loop;
  }

  private async run(): Promise<void> {
    let lastYield = performance.now();
    while (this.running && this.step < this.totalSteps) {
      this.submitStep(false);
      await this.drain(2);
      if (this.stopped) break;
      if (this.step % this.evalEvery === 0 || this.step === this.totalSteps) {
        await this.drain(0);
        if (this.stopped) break;
        if (await this.evaluateAndCheckStop()) break;
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

  /** Runs the whole test split through the eval program; one submission per test batch. */
  async evaluate(): Promise<{ test_loss: number; test_accuracy: number }> {
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
    const r = { test_loss: m[0] / m[2], test_accuracy: m[1] / m[2] };
    this.emit({ type: 'eval', step: this.step, epoch: this.step / this.stepsPerEpoch, ...r });
    return r;
  }

  stop(): void {
    this.running = false;
  }

  /** Weights (and optimizer state) as a safetensors file with the spec and step in its metadata. */
  async checkpoint(withOptimizer = true): Promise<Uint8Array> {
    await this.drain(0);
    return saveCheckpoint(this.c, this.step, withOptimizer);
  }

  /**
   * Loads a checkpoint while paused. With optimizer state the run resumes at the saved step (its
   * batch order and Adam bias correction continue); weights alone restart the step count.
   */
  restore(bytes: Uint8Array): CheckpointInfo {
    if (this.running) throw new SessionError('pause training before loading weights');
    const info = loadCheckpoint(this.c, bytes);
    this.step = info.hasOptimizer ? Math.min(info.step, this.totalSteps) : 0;
    this.lastSnapStep = this.step;
    this.needPermutation = true;
    if (this.stopped?.type !== 'error') this.stopped = null;
    return info;
  }

  async dispose(): Promise<void> {
    this.running = false;
    await this.loop;
    disposeCompiled(this.c);
    this.c.be.destroy();
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
