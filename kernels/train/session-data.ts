// What a session runs on and reads back, apart from the step loop: its data (MNIST, or the rows of a
// generated task, a playground dataset, a CSV or your own images, cut to the requested sizes), the accuracies in a metrics snapshot, and a yield to the event loop.
import { loadMnist, take, type Mnist } from '../data/mnist.ts';
import { rowsInfo, type TaskData } from '../data/datasets.ts';
import { imagesNeedFiles } from '../data/images.ts';
import type { ModelSpec } from '../model/types.ts';
import { SessionError, type SessionOptions } from './session.ts';
import { loadTask, takeTask } from './task-data.ts';

// What the progress line says while the rows are made: a CSV is read, not generated.
function loadingWords(d: Exclude<ModelSpec['dataset'], { kind: 'mnist' }>): string {
  if (d.kind === 'csv') return `Reading ${d.name}`;
  if (d.kind === 'images') return `Preparing ${d.name}`;
  if (d.kind === 'playground') return `Generating ${d.points} points of the ${d.name} dataset`;
  return `Generating the ${d.name} task`;
}

/** The training and test data of a session: opts.data, or loaded (MNIST) or generated (a task). */
export async function loadSessionData(spec: ModelSpec, opts: SessionOptions): Promise<Mnist | TaskData> {
  if (spec.dataset.kind !== 'mnist') {
    opts.onEvent({ type: 'progress', phase: 'loading', done: 0, total: 1, message: loadingWords(spec.dataset) });
    // Your images (like a CSV's rows) come only as opts.data, split by imagesTaskData in the page.
    if (spec.dataset.kind === 'images' && !opts.data) throw new SessionError(imagesNeedFiles(spec.dataset));
    const textBase = opts.textUrl ?? (opts.dataUrl ? new URL('../', opts.dataUrl).toString() : undefined);
    let t = (opts.data as TaskData | undefined) ?? await loadTask(spec.dataset, spec.seed, textBase);
    if (opts.trainLimit) t = { ...t, train: takeTask(t.train, t.info, opts.trainLimit) };
    if (opts.testLimit) t = { ...t, test: takeTask(t.test, t.info, opts.testLimit) };
    return t;
  } else {
    let m = opts.data as Mnist | undefined;
    if (!m) {
      if (!opts.dataUrl) throw new SessionError('no MNIST data: pass dataUrl or data');
      m = await loadMnist(opts.dataUrl, (done, total, message) => opts.onEvent({ type: 'progress', phase: 'loading', done, total, message }));
    }
    if (opts.trainLimit) m = { ...m, train: take(m.train, opts.trainLimit) };
    if (opts.testLimit) m = { ...m, test: take(m.test, opts.testLimit) };
    return m;
  }
}

/**
 * Accuracies from a metrics snapshot: token (or class) accuracy m[1]/m[2]; for sequence tasks also
 * whole-sequence accuracy m[4]/m[5]; null for regression.
 */
export function accuracies(spec: ModelSpec, m: Float32Array): { acc: number | null; seq?: number | null } {
  const d = spec.dataset;
  if (d.kind === 'mnist') return { acc: m[1] / m[2] };
  const regression = rowsInfo(d).loss === 'mse';
  return { acc: regression ? null : m[1] / m[2], seq: d.kind !== 'task' ? undefined : regression ? null : m[4] / Math.max(m[5], 1) };
}

/** Lets events (pause, messages) in between steps: a macrotask, without a 4 ms timer clamp where MessageChannel exists. */
export const yieldToEvents = (): Promise<void> =>
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
