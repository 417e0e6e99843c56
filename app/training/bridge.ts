// The page's side of the training worker: turns button presses into worker messages and worker
// events into store updates. Metrics and loading progress are buffered and written to the store
// at most FLUSH_MS apart, so the charts redraw a few times a second however fast steps run.
import type { ModelSpec } from '../../kernels/model/types.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { useApp } from '../store/index.ts';
import { isBusy } from '../store/selectors.ts';
import type { EvalPoint, LoadProgress, TrainPoint } from '../store/trainingSlice.ts';
import type { Answer, FromWorker, Look, ToWorker } from './protocol.ts';
import { dbGet, dbPut, runKey, type SavedRun } from '../persist/db.ts';
import { downloadBlob, fileStem } from '../ui/download.ts';
import type { InsideData, ParamNorm } from '../inside/types.ts';
import type { Confusion } from '../../kernels/train/confusion.ts';
import type { StepProfile } from '../../kernels/train/profile.ts';

interface SavedHistory { train: TrainPoint[]; evals: EvalPoint[] }
const histKey = (spec: ModelSpec) => `hist:${runKey(spec)}`;

/** Keeps the curves of the live run beside its checkpoint, so a resumed run continues its curve. */
function saveHistory(): void {
  const s = store();
  if (!s.runSpec) return;
  const h: SavedHistory = { train: s.trainPoints, evals: s.evalPoints };
  void dbPut(histKey(s.runSpec), h).catch(() => {});
  void refreshSavedRun();
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

const FLUSH_MS = 250;

let worker: Worker | null = null;
let run = 0;
/** What to do once the session of the current run is ready. */
let afterReady: 'start' | 'step' | 'none' = 'none';
let pendingTrain: TrainPoint[] = [];
let pendingEval: EvalPoint[] = [];
let pendingProgress: LoadProgress | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

const store = () => useApp.getState();
const send = (m: ToWorker) => worker?.postMessage(m);

function flush() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  const s = store();
  if (pendingProgress) s.setLoading(pendingProgress);
  if (pendingTrain.length || pendingEval.length) s.appendMetrics(pendingTrain, pendingEval);
  pendingTrain = [];
  pendingEval = [];
  pendingProgress = null;
}

function schedule() {
  timer ??= setTimeout(flush, FLUSH_MS);
}

function discardPending() {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  pendingTrain = [];
  pendingEval = [];
  pendingProgress = null;
}

function onEvent(e: TrainEvent) {
  const s = store();
  switch (e.type) {
    case 'progress':
      pendingProgress = { phase: e.phase, done: e.done, total: e.total, message: e.message };
      schedule();
      return;
    case 'ready': {
      flush();
      const { type: _, ...info } = e;
      s.setReady(info);
      // 'step' stays in 'stepping' until the worker acknowledges the step.
      s.setRunStatus(afterReady === 'start' ? 'running' : afterReady === 'step' ? 'stepping' : 'pausing');
      return;
    }
    case 'metrics':
      pendingTrain.push({ step: e.step, epoch: e.epoch, loss: e.loss, acc: e.train_accuracy, lr: e.lr, samplesPerS: e.samples_per_s });
      schedule();
      return;
    case 'eval':
      pendingEval.push({ step: e.step, epoch: e.epoch, loss: e.test_loss, acc: e.test_accuracy });
      schedule();
      return;
    case 'done':
      flush();
      s.setSessionStep(e.step);
      if (e.reason !== 'diverged') setTimeout(saveHistory, 500);
      if (e.reason === 'stopped') return; // a pause; the worker's 'paused' follows
      if (e.reason === 'diverged') {
        // Paused, not ended: lower the learning rate and Train resumes from the last good checkpoint.
        s.setRunStatus('paused');
        s.setDiverged({ kind: 'diverged', message: e.message });
        return;
      }
      s.finishRun({ reason: e.reason, message: e.message, step: e.step });
      return;
    case 'error':
      flush();
      s.failRun({ kind: 'error', message: e.message });
      return;
  }
}

function onMessage(m: FromWorker) {
  const s = store();
  if (m.type === 'probe') {
    s.setProbe({ webgpu: m.webgpu, adapter: m.adapter, reason: m.reason });
    return;
  }
  if (m.type === 'inside' || m.type === 'prediction' || m.type === 'confusion' || m.type === 'text' || m.type === 'norms') {
    const done = waiting.get(m.id);
    waiting.delete(m.id);
    done?.(m.run === run ? m : null);
    return;
  }
  if (m.type === 'profile') {
    const done = profiling.get(m.id);
    profiling.delete(m.id);
    done?.(m.run === run ? m : null);
    return;
  }
  if (m.run !== run) return; // from a run that was reset or replaced
  switch (m.type) {
    case 'event':
      onEvent(m.event);
      return;
    case 'created':
      s.setFallbackReason(m.fallbackReason);
      return;
    case 'paused':
    case 'stepped':
      flush();
      s.setSessionStep(m.step);
      if (s.runStatus === 'pausing' || s.runStatus === 'stepping') s.setRunStatus('paused');
      if (m.type === 'paused') setTimeout(saveHistory, 50); // after the worker's autosave
      return;
    case 'weights': {
      downloadBlob(m.bytes as BlobPart, `${fileStem(s.runSpec?.name)}-step${m.step}.safetensors`);
      s.setWeightsMessage({ kind: 'ok', text: `Downloaded the weights at step ${m.step}.` });
      return;
    }
    case 'restored': {
      s.setSessionStep(m.step);
      const text = m.source === 'saved' ? `Resumed the saved run at step ${m.step}.`
        : m.source === 'checkpoint' ? `Went back to the last good checkpoint (step ${m.step}) and resumed.`
        : m.resumed ? `Loaded weights and optimizer state (step ${m.step}).` : 'Loaded the weights.';
      // Notes say what an older file lacked and what was kept instead (BatchNorm running stats).
      s.setWeightsMessage({ kind: 'ok', text: [text, ...(m.notes ?? [])].join(' ') });
      if (m.source === 'saved' && s.runSpec) {
        const spec = s.runSpec;
        void dbGet<SavedHistory>(histKey(spec)).then((h) => {
          if (h && store().runSpec === spec) store().setHistory(h.train.filter((p) => p.step <= m.step), h.evals.filter((p) => p.step <= m.step));
        });
      }
      return;
    }
    case 'weightsError':
      s.setWeightsMessage({ kind: 'error', text: m.message });
      return;
    case 'recovered': {
      const lost = m.lostAt - m.step;
      s.setSessionStep(m.step);
      s.setWeightsMessage({
        kind: 'ok',
        text: `The GPU device was lost at step ${m.lostAt}. Training resumed on ${m.backend} from the checkpoint at step ${m.step}: ${lost} step${lost === 1 ? '' : 's'} lost.`,
      });
      s.setHistory(s.trainPoints.filter((p) => p.step <= m.step), s.evalPoints.filter((p) => p.step <= m.step));
      return;
    }
  }
}

/** Starts the worker (which probes WebGPU at once) and keeps a live session's lr in step with the editor. */
export function initTraining(): void {
  if (worker) return;
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    store().failRun({ kind: 'error', message: `The training worker failed: ${e.message || 'could not load'}` });
  };
  void refreshSavedRun();
  useApp.subscribe((s, prev) => {
    if (s.spec !== prev.spec) void refreshSavedRun();
  });
  useApp.subscribe((s, prev) => {
    if (s.spec === prev.spec || !s.runSpec || !s.validation.ok || !(isBusy(s.runStatus) || s.runStatus === 'paused')) return;
    if (s.spec.train.lr !== s.runSpec.train.lr && sameButLr(s.spec, s.runSpec)) {
      send({ type: 'setLr', run, lr: s.spec.train.lr });
      s.setRunSpec(s.spec);
    }
  });
}

function sameButLr(a: ModelSpec, b: ModelSpec): boolean {
  const strip = (x: ModelSpec) => JSON.stringify({ ...x, name: undefined, train: { ...x.train, lr: 0 } });
  return strip(a) === strip(b);
}

function newRun(then: 'start' | 'step' | 'none', restore?: 'saved' | Uint8Array) {
  const s = store();
  discardPending();
  run += 1;
  afterReady = then;
  s.beginRun(s.spec);
  const dataUrl = new URL('mnist/', location.href).href;
  // ?autosave=MS shortens the checkpoint interval (tests of recovery); at least one second.
  const autosave = Number(new URLSearchParams(location.search).get('autosave')) || undefined;
  send({ type: 'create', run, spec: s.spec, dataUrl, backend: 'auto', then, saveKey: runKey(s.spec), restore, autosaveMs: autosave });
}

/** Rebuilds the session of the spec in the editor from its checkpoint saved in this browser. */
export function resumeSaved(): void {
  const s = store();
  if (!s.validation.ok || isBusy(s.runStatus) || !s.savedRun) return;
  newRun('none', 'saved');
}

export function downloadWeights(): void {
  const s = store();
  if (s.runStatus !== 'paused' && s.runStatus !== 'done') return;
  send({ type: 'download', run });
}

/** Loads a .safetensors file into the live session, or into a new one for the spec in the editor. */
export async function uploadWeights(file: File): Promise<void> {
  const s = store();
  if (!s.validation.ok || isBusy(s.runStatus)) return;
  if (file.size > 1024 ** 3) {
    s.setWeightsMessage({ kind: 'error', text: `${file.name} is ${(file.size / 1024 ** 3).toFixed(1)} GiB; weights files over 1 GiB are refused.` });
    return;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (canResume()) send({ type: 'upload', run, bytes });
  else newRun('none', bytes);
}

/** True when the live session was built from the spec in the editor and can go on. */
function canResume(): boolean {
  const s = store();
  return s.runSpec === s.spec && s.runStatus === 'paused';
}

export function train(): void {
  const s = store();
  if (!s.validation.ok || isBusy(s.runStatus)) return;
  if (canResume()) {
    afterReady = 'start';
    s.setDiverged(null);
    s.setRunStatus('running');
    send({ type: 'start', run });
  } else newRun('start');
}

/** Asks the session to pause; the status reads 'pausing' until the steps already queued finish. */
export function pause(): void {
  const s = store();
  if (s.runStatus !== 'loading' && s.runStatus !== 'compiling' && s.runStatus !== 'running') return;
  afterReady = 'none';
  if (s.runStatus === 'running') s.setRunStatus('pausing');
  send({ type: 'pause', run });
}

export function step(): void {
  const s = store();
  if (!s.validation.ok || isBusy(s.runStatus)) return;
  if (canResume()) {
    s.setRunStatus('stepping');
    send({ type: 'step', run });
  } else newRun('step');
}

const waiting = new Map<number, (m: Answer | null) => void>();
let nextAsk = 0;

function ask(m: Look, transfer: Transferable[] = []): Promise<Answer | null> {
  if (!worker) return Promise.resolve(null);
  return new Promise((resolve) => {
    waiting.set(m.id, resolve);
    worker!.postMessage(m, transfer);
  });
}

/** True when a session exists that can answer inspect/predict (built, not failed). */
export function hasSession(status: string): boolean {
  return status === 'running' || status === 'pausing' || status === 'stepping' || status === 'paused' || status === 'done';
}

/** First-layer weights and test sample `sample`'s activations from the live session (null: none). */
export async function requestInside(sample: number): Promise<{ data: InsideData | null; error?: string }> {
  const a = await ask({ type: 'inspect', run, id: ++nextAsk, sample });
  return a?.type === 'inside' ? { data: a.data, error: a.error } : { data: null, error: 'the run changed' };
}

/** Class probabilities of one input (a 28×28 image in [0, 1]) from the live model (null: none). */
export async function requestPrediction(input: Float32Array): Promise<{ probs: Float32Array | null; error?: string }> {
  const copy = input.slice();
  const a = await ask({ type: 'predict', run, id: ++nextAsk, input: copy }, [copy.buffer]);
  return a?.type === 'prediction' ? { probs: a.probs, error: a.error } : { probs: null, error: 'the run changed' };
}

/** Confusion matrix and misclassified digits of the live MNIST model over its test split. */
export async function requestConfusion(): Promise<{ data: Confusion | null; step: number; error?: string }> {
  const a = await ask({ type: 'confusion', run, id: ++nextAsk });
  return a?.type === 'confusion' ? { data: a.data, step: a.step, error: a.error } : { data: null, step: 0, error: 'the run changed' };
}

/** Per-parameter weight and gradient L2 norms of the live model. */
export async function requestNorms(): Promise<{ data: ParamNorm[] | null; step: number; error?: string }> {
  const a = await ask({ type: 'norms', run, id: ++nextAsk });
  return a?.type === 'norms' ? { data: a.data, step: a.step, error: a.error } : { data: null, step: 0, error: 'the run changed' };
}

/** Text sampled from the live char model, continuing `prompt`. */
export async function requestText(prompt: string, length: number, temperature: number, seed: number): Promise<{ text: string | null; error?: string }> {
  const a = await ask({ type: 'generate', run, id: ++nextAsk, prompt, length, temperature, seed });
  return a?.type === 'text' ? { text: a.text, error: a.error } : { text: null, error: 'the run changed' };
}

const profiling = new Map<number, (m: Extract<FromWorker, { type: 'profile' }> | null) => void>();

/** True when a paused session of the spec in the editor can take a profiled step (as it could a Step). */
export function canProfile(s: { runSpec: unknown; spec: unknown; runStatus: string; validation: { ok: boolean } }): boolean {
  return s.validation.ok && s.runSpec === s.spec && s.runStatus === 'paused';
}

/**
 * Runs the live session's next step profiled (a real step: the step count, curves and schedule
 * move on) and resolves with its per-kernel times. Only while paused, like Step.
 */
export async function requestProfile(): Promise<{ data: StepProfile | null; error?: string }> {
  const s = store();
  if (!worker || !canProfile(s)) return { data: null, error: 'Pause a run (or take a Step) first.' };
  s.setRunStatus('stepping');
  const id = ++nextAsk;
  const a = await new Promise<Extract<FromWorker, { type: 'profile' }> | null>((resolve) => {
    profiling.set(id, resolve);
    send({ type: 'profile', run, id });
  });
  return a ? { data: a.data, error: a.error } : { data: null, error: 'the run changed' };
}

/** Test hook (also handy in the console): make the GPU device go away mid-run. */
export function loseDevice(): void {
  send({ type: 'loseDevice', run });
}
(globalThis as { __playground?: object }).__playground = { loseDevice };

export function reset(): void {
  discardPending();
  run += 1;
  afterReady = 'none';
  send({ type: 'dispose', run });
  store().resetRun();
}
