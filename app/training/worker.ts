// The training worker: owns at most one session and forwards its TrainEvents to the page.
// Messages are handled one at a time in arrival order; a create or dispose that is overtaken by
// a newer run id drops the older session as soon as it resolves.
import type { TrainEvent } from '../../kernels/train/events.ts';
import type { FromWorker, Look, ToWorker, Tune } from './protocol.ts';
import { createSession, type Session } from '../../kernels/train/session.ts';
import { dbGet, dbPut, type SavedRun } from '../persist/db.ts';
import { decodeSafetensors } from '../../kernels/io/safetensors.ts';
import { confusion, dropProbe, inspect, norms, predict, showcase } from './inside.ts';
import { boundary, dropGrid } from './gridLook.ts';
import { Pacer } from '../../kernels/train/pace.ts';
import { loadMnist, type Mnist } from '../../kernels/data/mnist.ts';
import type { TaskData } from '../../kernels/data/datasets.ts';
import { setThreads } from '../../kernels/wasm/index.ts';
import { cpuThreads, threadsText } from './backendChoice.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => {
  if (held) releaseMetrics(); // everything reaches the page in the order it happened
  scope.postMessage(m);
};

/**
 * Metrics events reach the page at most every METRICS_MS, the newest one winning: a playground
 * model's epoch is 25 steps, and the session's per-epoch snapshot came over 2,000 times a second
 * on the CPU backend, which kept the page's main thread busy for seconds at a time (the decision
 * boundary then refreshed about once a second). samples/s is re-measured over the whole interval.
 */
const METRICS_MS = 50;
let held: { run: number; event: Extract<TrainEvent, { type: 'metrics' }>; batch: number } | null = null;
let heldTimer: ReturnType<typeof setTimeout> | undefined;
let lastMetrics: { run: number; step: number; at: number } | null = null;

function releaseMetrics(): void {
  clearTimeout(heldTimer);
  heldTimer = undefined;
  const h = held;
  held = null;
  if (!h) return;
  const at = performance.now(), prev = lastMetrics;
  // Over a pause (a gap of a second or more) the session's own figure stands.
  const event = prev && prev.run === h.run && h.event.step > prev.step && at > prev.at && at - prev.at < 1000 ? { ...h.event, samples_per_s: ((h.event.step - prev.step) * h.batch * 1000) / (at - prev.at) } : h.event;
  lastMetrics = { run: h.run, step: h.event.step, at };
  scope.postMessage({ type: 'event', run: h.run, event } satisfies FromWorker);
}

function forward(run: number, event: TrainEvent, batch: number): void {
  if (event.type !== 'metrics') return post({ type: 'event', run, event });
  if (held && held.run !== run) releaseMetrics();
  held = { run, event, batch };
  if (!lastMetrics || lastMetrics.run !== run || performance.now() - lastMetrics.at >= METRICS_MS) releaseMetrics();
  else heldTimer ??= setTimeout(releaseMetrics, METRICS_MS);
}
// The CPU backend's WASM kernels run on a pool of this many threads (started by a CPU session).
setThreads(cpuThreads());
/** Why a session runs on the CPU, and on how many threads (the pool may have fallen back to one). */
const cpuReason = (s: Session) => `${s.info.fallbackReason ?? 'WebGPU is unavailable'} · ${threadsText((s.backend as { threads?: number }).threads ?? 1)}`;

let session: Session | null = null;
let sessionRun = -1;
/** The running loop of `session.start()`; awaited on pause so a following step never overlaps it. */
let loop: Promise<void> | null = null;
/** The newest run id the page asked for; sessions of older runs are disposed. */
let latestRun = -1;
let chain: Promise<void> = Promise.resolve();
/** Where the live session's checkpoints are saved (IndexedDB), so a reload loses nothing. */
let saveKey = '';
let lastSave = 0;
let autosaveMs = 20_000;
/** The newest checkpoint of the live run, kept in memory too, to rebuild after a lost device. */
let lastCheckpoint: Uint8Array | null = null;
/** The create message of the live run (its spec and options), for rebuilding it. */
let created: Extract<ToWorker, { type: 'create' }> | null = null;

/** Saves weights and optimizer state; training goes on meanwhile (the reads are queued, not awaited per step). */
async function autosave(s: Session): Promise<void> {
  if (s !== session || !saveKey || s.step === 0) return;
  lastSave = performance.now();
  try {
    const bytes = await s.checkpoint();
    if (s.hasDiverged) return; // never keep weights from a run that went non-finite
    if (s === session) lastCheckpoint = bytes;
    const saved: SavedRun = { bytes, step: s.step, savedAt: Date.now() };
    await dbPut(saveKey, saved);
  } catch {
    // Saving is best effort: a full or blocked IndexedDB must not stop training.
  }
}

/**
 * A lost device: build the same model on a new device (or the CPU, if no GPU is left), load the
 * newest checkpoint and go on. The steps since that checkpoint are lost, and the page says how many.
 */
async function recover(run: number): Promise<void> {
  const old = session;
  if (!old || !created || run !== sessionRun) return;
  const lostAt = old.step;
  const m = created;
  // The newest of the in-memory checkpoint and the one saved in IndexedDB.
  const saved = await dbGet<SavedRun>(saveKey).catch(() => undefined);
  const memStep = lastCheckpoint ? checkpointStep(lastCheckpoint) : -1;
  const bytes = saved && saved.step > memStep && checkpointStep(saved.bytes) > memStep ? saved.bytes : lastCheckpoint;
  session = null;
  dropProbe();
  dropGrid();
  await old.dispose().catch(() => {});
  const s = await createSession(m.spec, { backend: m.backend, dataUrl: m.dataUrl, data: m.data, metricsEvery: 1 << 30, onEvent: (event) => post({ type: 'event', run, event }) });
  if (run !== latestRun) {
    await s.dispose();
    return;
  }
  session = s;
  if (bytes) s.restore(bytes);
  post({ type: 'recovered', run, lostAt, step: s.step, backend: s.info.backend === 'webgpu' ? `WebGPU · ${s.info.adapter}` : 'CPU fallback' });
  if (wantRunning) start(s, run);
  else post({ type: 'paused', run, step: s.step });
}

function checkpointStep(bytes: Uint8Array): number {
  try {
    return Number(decodeSafetensors(bytes).metadata.step) || 0;
  } catch {
    return -1;
  }
}

async function restore(s: Session, run: number, from: 'saved' | Uint8Array): Promise<void> {
  try {
    const bytes = from === 'saved' ? (await dbGet<SavedRun>(saveKey))?.bytes : from;
    if (!bytes) throw new Error('No saved run was found for this model.');
    const info = s.restore(bytes);
    post({ type: 'restored', run, step: s.step, resumed: info.hasOptimizer, source: from === 'saved' ? 'saved' : 'file', notes: info.notes });
  } catch (e) {
    post({ type: 'weightsError', run, message: e instanceof Error ? e.message : String(e) });
  }
}

function adapterName(a: GPUAdapter): string {
  const i = a.info;
  return [i?.vendor, i?.architecture, i?.device].filter(Boolean).join(' ') || 'unknown adapter';
}

/** Can this worker get a WebGPU adapter, and if not, the reason in words. */
async function probe(): Promise<Extract<FromWorker, { type: 'probe' }>> {
  const gpu = (scope.navigator as WorkerNavigator & { gpu?: GPU }).gpu;
  if (!gpu) return { type: 'probe', webgpu: false, adapter: null, reason: 'this browser has no WebGPU (navigator.gpu is missing)', software: false };
  try {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) return { type: 'probe', webgpu: false, adapter: null, reason: 'WebGPU found no usable GPU adapter', software: false };
    // SwiftShader (and any fallback adapter) runs WGSL on the CPU, slower than the CPU backend.
    const i = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const software = Boolean(i?.isFallbackAdapter || (a as { isFallbackAdapter?: boolean }).isFallbackAdapter || /swiftshader/i.test(adapterName(a)));
    return { type: 'probe', webgpu: true, adapter: adapterName(a), reason: null, software };
  } catch (e) {
    return { type: 'probe', webgpu: false, adapter: null, reason: `requesting a WebGPU adapter failed: ${String(e)}`, software: false };
  }
}

async function drop(): Promise<void> {
  const s = session;
  if (s) halt(s);
  session = null;
  sessionRun = -1;
  loop = null;
  dropProbe();
  dropGrid();
  await s?.dispose();
}

/**
 * MNIST, fetched once as soon as the page names its URL ('prefetch') and kept for every run, so
 * that Train goes straight to compiling. A failed load is forgotten, and the next run tries again.
 */
let mnist: { url: string; data: Promise<Mnist> } | null = null;
function mnistFrom(url: string): Promise<Mnist> {
  if (mnist?.url !== url) {
    const data = loadMnist(url);
    mnist = { url, data };
    data.catch(() => {
      if (mnist?.data === data) mnist = null;
    });
  }
  return mnist.data;
}

/** Whether the page wants the run going (a recovered run only restarts if it was). */
let wantRunning = false;

/** The pacer of the running loop: metrics by time, and the quick test on a fixed subset. */
let pacer: Pacer | null = null;

function start(s: Session, run: number) {
  wantRunning = true;
  const p = new Pacer(s, { onEval: (e) => post({ type: 'event', run, event: { type: 'eval', step: e.step, epoch: e.epoch, test_loss: e.test_loss, test_accuracy: e.test_accuracy, test_seq_accuracy: e.test_seq_accuracy } }) });
  pacer = p;
  loop = p.run().catch((e) => fail(run, e));
}

function halt(s: Session) {
  pacer?.stop();
  pacer = null;
  s.pause();
}

function fail(run: number, e: unknown) {
  const message = e instanceof Error ? e.message : String(e);
  post({ type: 'event', run, event: { type: 'error', message } });
}

/** A hyperparameter change from the page; the session applies it from its next step on. */
function tune(s: Session, m: Tune): void {
  switch (m.type) {
    case 'setLr':
      s.setLr(m.lr);
      return;
  }
}

async function handle(m: Exclude<ToWorker, { type: 'prefetch' }>): Promise<void> {
  if (m.type === 'create') {
    await drop();
    const onEvent = (event: TrainEvent) => {
      if (event.type === 'error' && event.code === 'device-lost' && m.run === sessionRun) {
        chain = chain.then(() => recover(m.run)).catch((err) => fail(m.run, err));
        return;
      }
      forward(m.run, event, m.spec.train.batchSize);
      if (event.type === 'metrics' && session && !lastCheckpoint) {
        const s = session;
        void s.checkpoint().then((bytes) => {
          if (s === session && !lastCheckpoint && !s.hasDiverged) lastCheckpoint = bytes;
        }, () => {});
      }
      if (event.type === 'metrics' && session && performance.now() - lastSave > autosaveMs) void autosave(session);
      if (event.type === 'done' && event.reason !== 'diverged' && session) void autosave(session);
    };
    let data: Mnist | TaskData | undefined = m.data;
    if (m.spec.dataset.kind === 'mnist') {
      onEvent({ type: 'progress', phase: 'loading', done: 0, total: 1, message: 'Loading MNIST' });
      data = await mnistFrom(m.dataUrl);
    }
    // Metrics come by time from the pacer (a snapshot per stretch), not every N steps.
    const s = await createSession(m.spec, { backend: m.backend, dataUrl: m.dataUrl, data, onEvent, metricsEvery: 1 << 30 });
    if (m.run !== latestRun) {
      await s.dispose();
      return;
    }
    session = s;
    sessionRun = m.run;
    saveKey = m.saveKey;
    created = m;
    lastCheckpoint = null;
    autosaveMs = Math.max(1000, m.autosaveMs ?? 20_000);
    lastSave = performance.now();
    post({ type: 'created', run: m.run, fallbackReason: s.info.backend === 'cpu' ? cpuReason(s) : null });
    if (m.restore) await restore(s, m.run, m.restore);
    // The last good state until the first autosave; when training starts at once it is taken after
    // the first stretch, so that reading every weight back does not delay the first loss.
    if (m.then !== 'start') lastCheckpoint = await s.checkpoint();
    if (m.then === 'none') post({ type: 'paused', run: m.run, step: s.step });
    if (m.then === 'start') start(s, m.run);
    else if (m.then === 'step') {
      await s.stepOnce();
      post({ type: 'stepped', run: m.run, step: s.step });
    }
    return;
  }
  if (m.type === 'dispose') return drop();
  if (!session || m.run !== sessionRun) {
    // A message for a session that is gone; a profile request still gets its answer.
    if (m.type === 'profile') post({ type: 'profile', run: m.run, id: m.id, data: null, error: 'no live session' });
    return;
  }
  switch (m.type) {
    case 'start':
      if (session.hasDiverged && lastCheckpoint) {
        // Back to the last checkpoint whose loss was finite, then on with the new learning rate.
        session.restore(lastCheckpoint);
        post({ type: 'restored', run: m.run, step: session.step, resumed: true, source: 'checkpoint' });
      }
      start(session, m.run);
      return;
    case 'pause':
      wantRunning = false;
      halt(session);
      await loop;
      post({ type: 'paused', run: m.run, step: session.step });
      await autosave(session);
      return;
    case 'download': {
      await loop;
      const bytes = await session.checkpoint();
      post({ type: 'weights', run: m.run, bytes, step: session.step });
      return;
    }
    case 'upload':
      if (session.isRunning) {
        post({ type: 'weightsError', run: m.run, message: 'Pause training before loading weights.' });
        return;
      }
      await restore(session, m.run, m.bytes);
      return;
    case 'step':
      await loop;
      await session.stepOnce();
      post({ type: 'stepped', run: m.run, step: session.step });
      return;
    case 'profile': {
      await loop;
      // Looks already running finish first and new ones wait: their kernels are not this step's.
      let release = () => {};
      const before = [...looksInFlight];
      profiling = new Promise<void>((r) => (release = r));
      await Promise.all(before);
      try {
        post({ type: 'profile', run: m.run, id: m.id, data: await session.profileStep() });
      } catch (e) {
        post({ type: 'profile', run: m.run, id: m.id, data: null, error: e instanceof Error ? e.message : String(e) });
      }
      profiling = null;
      release();
      post({ type: 'stepped', run: m.run, step: session.step });
      return;
    }
    case 'loseDevice': {
      const dev = (session.backend as unknown as { device?: GPUDevice }).device;
      dev?.destroy();
      return;
    }
    case 'setLr':
      return tune(session, m);
    case 'evaluate':
      await session.evaluate();
      return;
  }
}

/**
 * Inspect, predict and the other looks run beside the message chain, at once: their reads queue
 * behind the steps already submitted and the loop goes on (a chained message would wait for a pause).
 */
async function look(m: Look): Promise<void> {
  const s = session;
  const live = s && m.run === sessionRun ? s : null;
  const step = live?.step ?? 0;
  try {
    if (!live) throw new Error('no live session');
    switch (m.type) {
      case 'inspect': return post({ type: 'inside', run: m.run, id: m.id, data: await inspect(live, m.sample) });
      case 'predict': return post({ type: 'prediction', run: m.run, id: m.id, probs: await predict(live, m.input) });
      case 'confusion': return post({ type: 'confusion', run: m.run, id: m.id, data: await confusion(live), step });
      case 'norms': return post({ type: 'norms', run: m.run, id: m.id, data: await norms(live), step });
      case 'boundary': return post({ type: 'boundary', run: m.run, id: m.id, grid: await boundary(live, m.units), step });
      case 'showcase': return post({ type: 'showcase', run: m.run, id: m.id, data: await showcase(live, m.count), step });
      case 'generate': {
        const n = Math.max(1, Math.min(Math.floor(m.length), 1000));
        const text = await live.sampleText(m.prompt, n, m.temperature, m.seed);
        return post({ type: 'text', run: m.run, id: m.id, text });
      }
    }
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const base = { run: m.run, id: m.id, error };
    switch (m.type) {
      case 'inspect': return post({ type: 'inside', ...base, data: null });
      case 'predict': return post({ type: 'prediction', ...base, probs: null });
      case 'confusion': return post({ type: 'confusion', ...base, data: null, step });
      case 'norms': return post({ type: 'norms', ...base, data: null, step });
      case 'boundary': return post({ type: 'boundary', ...base, grid: null, step });
      case 'showcase': return post({ type: 'showcase', ...base, data: null, step });
      case 'generate': return post({ type: 'text', ...base, text: null });
    }
  }
}

/** Looks under way, and the profiled step that new looks wait for. */
const looksInFlight = new Set<Promise<void>>();
let profiling: Promise<void> | null = null;

const LOOKS: ReadonlySet<string> = new Set(['inspect', 'predict', 'confusion', 'generate', 'norms', 'boundary', 'showcase']);

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'prefetch') {
    void mnistFrom(m.dataUrl).catch(() => {}); // a failure shows when a run needs the data
    return;
  }
  if (LOOKS.has(m.type)) {
    const p = (profiling ?? Promise.resolve()).then(() => look(m as Look));
    looksInFlight.add(p);
    void p.finally(() => looksInFlight.delete(p));
    return;
  }
  if (m.type === 'create' || m.type === 'dispose') latestRun = Math.max(latestRun, m.run);
  chain = chain.then(() => handle(m)).catch((err) => fail(m.run, err));
};

void probe().then(post);
