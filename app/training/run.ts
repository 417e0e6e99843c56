// The page's side of a training run: turns button presses into worker messages and worker events
// into store updates. Metrics and loading progress are buffered and written to the store at most
// FLUSH_MS apart, so the charts redraw a few times a second however fast steps run.
import type { TrainEvent } from '../engine.ts';
import { runKey } from '../persist/db.ts';
import { useApp } from '../store/index.ts';
import { isBusy } from '../store/selectors.ts';
import type { EvalPoint, LoadProgress, TrainPoint } from '../store/trainingSlice.ts';
import { downloadBlob, fileStem } from '../ui/download.ts';
import { pickBackend, recordSpeed } from './backendChoice.ts';
import { nextRun, run, send, setRun, startWorker } from './link.ts';
import { absorb, drop, hold, undo } from './resetUndo.ts';
import { settle } from './looks.ts';
import { ownDataFor } from '../store/ownData.ts';
import { loadHistory, saveHistory, watchSavedRun } from './persistence.ts';
import type { FromWorker } from './protocol.ts';

const FLUSH_MS = 250;

/** What to do once the session of the current run is ready. */
let afterReady: 'start' | 'step' | 'none' = 'none';
let pendingTrain: TrainPoint[] = [];
let pendingEval: EvalPoint[] = [];
let pendingProgress: LoadProgress | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;

const store = () => useApp.getState();

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
      pendingTrain.push({ step: e.step, epoch: e.epoch, loss: e.loss, acc: e.train_accuracy, lr: e.lr, samplesPerS: e.samples_per_s, seqAcc: e.train_seq_accuracy });
      if (!s.latest) flush(); // the run's first loss is shown at once, not a flush interval later
      else schedule();
      return;
    case 'eval':
      pendingEval.push({ step: e.step, epoch: e.epoch, loss: e.test_loss, acc: e.test_accuracy, seqAcc: e.test_seq_accuracy });
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
      noteSpeed();
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
    s.setProbe({ webgpu: m.webgpu, adapter: m.adapter, reason: m.reason, software: m.software });
    return;
  }
  if (m.type === 'inside' || m.type === 'prediction' || m.type === 'confusion' || m.type === 'text' || m.type === 'norms' || m.type === 'boundary' || m.type === 'showcase' || m.type === 'profile') {
    settle(m);
    return;
  }
  if (absorb(m)) return; // the session kept for an undo of Reset
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
      if (m.type === 'paused') noteSpeed();
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
        loadHistory(s.runSpec, m.step);
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

const mnistUrl = () => new URL('mnist/', location.href).href;

/** Starts the worker (which probes WebGPU at once) and the lookups of saved runs. */
export function initTraining(): void {
  if (!startWorker(onMessage)) return;
  send({ type: 'prefetch', dataUrl: mnistUrl() });
  watchSavedRun();
}

/** Remembers how fast this model trained on its backend, for Auto's next choice and its reason. */
function noteSpeed() {
  const s = store();
  const points = s.trainPoints.slice(-5).filter((p) => p.samplesPerS > 0);
  if (!s.backend || !s.runSpec || !points.length) return;
  recordSpeed(s.runSpec.name ?? 'model', s.backend.backend, points.reduce((a, p) => a + p.samplesPerS, 0) / points.length);
}

/** Auto needs the worker's WebGPU probe (is the adapter software?); it answers within moments of the page opening. */
function whenProbed(go: () => void) {
  if (store().probe || store().backendPref !== 'auto') return go();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    stop();
    clearTimeout(timer);
    go();
  };
  const stop = useApp.subscribe((st) => {
    if (st.probe) finish();
  });
  const timer = setTimeout(finish, 3000);
}

function newRun(then: 'start' | 'step' | 'none', restore?: 'saved' | Uint8Array) {
  const s = store();
  noteSpeed();
  discardPending();
  drop(); // the new session replaces one kept for an undo (the worker disposes it on create)
  nextRun();
  afterReady = then;
  s.beginRun(s.spec);
  const dataUrl = mnistUrl();
  // ?autosave=MS shortens the checkpoint interval (tests of recovery); at least one second.
  const autosave = Number(new URLSearchParams(location.search).get('autosave')) || undefined;
  // A CSV's rows go with the run (they never travel in the spec or a link).
  const id = run, spec = s.spec;
  whenProbed(() => {
    if (id !== run) return; // reset or replaced meanwhile
    const pick = pickBackend(store().backendPref, store().probe, spec.name ?? 'model');
    store().setPick(pick);
    send({ type: 'create', run: id, spec, dataUrl, backend: pick.backend, then, saveKey: runKey(spec), restore, autosaveMs: autosave, data: ownDataFor(spec) });
  });
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

/** Test hook (also handy in the console): make the GPU device go away mid-run. */
export function loseDevice(): void {
  send({ type: 'loseDevice', run });
}
(globalThis as { __playground?: object }).__playground = { loseDevice };

/**
 * Clears the run at once. A session that has trained (running, paused or done) is kept, paused, for
 * UNDO_MS so that undoReset can bring it back as it was; one still loading or compiling is dropped.
 */
export function reset(): void {
  const s = store();
  flush(); // metrics still buffered belong to the curves an undo brings back
  const trained = s.runStatus === 'running' || s.runStatus === 'pausing' || s.runStatus === 'stepping' || s.runStatus === 'paused' || s.runStatus === 'done';
  const old = run;
  if (trained && s.runStatus === 'running') send({ type: 'pause', run: old });
  nextRun();
  afterReady = 'none';
  const after = run;
  if (trained) hold(old, after, () => { if (run === after) send({ type: 'dispose', run: after }); });
  else send({ type: 'dispose', run });
  store().resetRun();
}

/** Brings back the run a reset cleared (its session, step and curves), while Undo is offered. */
export function undoReset(): void {
  if (isBusy(store().runStatus)) return;
  const back = undo(run);
  if (back !== null) setRun(back);
}
