// Live predictions on a few fixed test samples, for the page's "Predictions" region: MNIST digits
// with the model's label, sequence rows input → target → prediction token by token, or a sine
// forecast (the input window, the true continuation, the model's), your images with their class
// names, or a playground or CSV row's features beside its target and prediction. Runs on the
// session's batch-of-one probe (predict.ts), so training's own programs are never touched; each
// read queues behind the steps already submitted.
import { IGNORE_LABEL } from '../backend.ts';
import { taskInfo } from '../data/tasks.ts';
import { FEATURE_LABELS } from '../data/playground.ts';
import { rowsInfo } from '../data/datasets.ts';
import type { ModelSpec } from '../model/types.ts';
import type { Compiled } from './compile.ts';
import type { Probe } from './predict.ts';

export interface DigitShown { index: number; pixels: Float32Array; label: number; predicted: number; confidence: number }
/** One token position: null target where the position does not count (the question part of a row). */
export interface TokenShown { input: string; target: string | null; predicted: string | null }
export interface SequenceShown { index: number; input: string[]; target: string[]; predicted: string[]; wrong: boolean[]; right: boolean }

/**
 * One sine test row: its input window, the true continuation and the model's forecast, `steps`
 * values each. The first `horizon` are the test targets and the model's direct answer; later ones
 * the model makes from its own forecasts (a rollout), and the truth continues the same wave.
 */
export interface ForecastShown { index: number; input: number[]; truth: number[]; predicted: number[] }

/** A feature row: its first values, the target and the prediction (class ids, or values for a regression). */
export interface RowShown { index: number; values: number[]; target: number; predicted: number; confidence: number | null }

export type Showcase =
  /** MNIST digits or your images: `side` × `side` grey pixels; `classes` names class k (absent: the digit k). */
  | { kind: 'digits'; items: DigitShown[]; side: number; classes?: string[] }
  /**
   * columns: the first feature columns shown (of `inputs`), as the model reads them (a CSV's are
   * standardised; the page holding the file shows them as written); target: the target column's
   * name; classes: class k's name (a classification).
   */
  | { kind: 'rows'; rows: RowShown[]; columns: string[]; inputs: number; target: string; classes?: string[] }
  | { kind: 'sequences'; rows: SequenceShown[] }
  /** mae: mean |error| of the direct forecasts (the first `horizon` of each row); rolloutMae over all `steps`. */
  | { kind: 'forecast'; rows: ForecastShown[]; horizon: number; steps: number; mae: number; rolloutMae: number }
  | { kind: 'none'; reason: string };

/** Values drawn past the input window: at least this many, in whole horizons. */
export const FORECAST_STEPS = 12;

const targetsRead = new WeakMap<Compiled, Promise<Float32Array>>();
const testTargets = (c: Compiled): Promise<Float32Array> => {
  let t = targetsRead.get(c);
  if (!t) {
    t = c.be.read(c.testData.labels) as Promise<Float32Array>;
    targetsRead.set(c, t);
  }
  return t;
};

/**
 * Continues a pure sinusoid s (t = 0, 1, …) to length n by its exact recurrence
 * s[t+1] = k·s[t] − s[t−1], k = 2cos ω, with k fitted to the known values by least squares.
 */
export function continueSine(s: readonly number[], n: number): number[] {
  let num = 0, den = 0;
  for (let t = 1; t + 1 < s.length; t++) {
    num += (s[t + 1] + s[t - 1]) * s[t];
    den += s[t] * s[t];
  }
  const k = den > 0 ? num / den : 0;
  const out = [...s];
  while (out.length < n) out.push(k * out[out.length - 1] - out[out.length - 2]);
  return out.slice(0, n);
}

/** The sine task's rows: window, truth and forecast (direct, then fed its own forecasts). */
async function forecast(c: Compiled, probe: Probe, indices: number[], L: number, D: number): Promise<Showcase> {
  const all = await testTargets(c);
  const steps = Math.ceil(Math.max(D, FORECAST_STEPS) / D) * D;
  const rows: ForecastShown[] = [];
  let direct = 0, rolled = 0;
  for (const index of indices) {
    const taps = await probe.inspect(index);
    const input = Array.from(taps.input);
    const known = [...input, ...Array.from(all.subarray(index * D, (index + 1) * D))];
    const truth = continueSine(known, L + steps).slice(L);
    const predicted: number[] = [];
    let window = Float32Array.from(input);
    while (predicted.length < steps) {
      const y = Array.from(await probe.predict(window)); // (D)
      predicted.push(...y);
      window = Float32Array.from([...window, ...y].slice(-L));
    }
    for (let k = 0; k < steps; k++) {
      const e = Math.abs(predicted[k] - truth[k]);
      if (k < D) direct += e;
      rolled += e;
    }
    rows.push({ index, input, truth, predicted });
  }
  const n = Math.max(1, rows.length);
  return { kind: 'forecast', rows, horizon: D, steps, mae: direct / (n * D), rolloutMae: rolled / (n * steps) };
}

const SHOWN_COLUMNS = 4;

/** Playground points and CSV rows: features, target and prediction (class or value). */
async function featureRows(c: Compiled, probe: Probe, indices: number[], d: Extract<ModelSpec['dataset'], { kind: 'playground' | 'csv' }>): Promise<Showcase> {
  const playground = d.kind === 'playground';
  const names = playground ? d.features.map((f) => FEATURE_LABELS[f]) : Array.from({ length: d.inputs }, (_, k) => `x${k + 1}`);
  const info = rowsInfo(d);
  const regression = info.output.kind === 'regression';
  const classes = info.output.kind === 'class' ? Array.from({ length: info.output.V }, (_, k) => info.symbols[k] ?? `class ${k + 1}`) : undefined;
  const raw = await testTargets(c); // (n) values, or class ids stored as u32
  const ids = new Uint32Array(raw.buffer, raw.byteOffset, raw.length);
  const rows: RowShown[] = [];
  for (const index of indices) {
    const taps = await probe.inspect(index);
    const out = await probe.predict(taps.input);
    const values = Array.from(taps.input.subarray(0, SHOWN_COLUMNS));
    if (regression) rows.push({ index, values, target: raw[index], predicted: out[0], confidence: null });
    else {
      const p = argmax(out, 0, out.length);
      rows.push({ index, values, target: ids[index], predicted: p, confidence: out[p] });
    }
  }
  return { kind: 'rows', rows, columns: names.slice(0, SHOWN_COLUMNS), inputs: names.length, target: playground ? (regression ? 'y' : 'colour') : d.target, classes };
}

function argmax(p: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (p[from + k] > p[from + best]) best = k;
  return best;
}

/** The model's answers for test samples 0..n−1 (spread over the split by `stride`). */
export async function showcase(c: Compiled, probe: Probe, n: number, stride = 1): Promise<Showcase> {
  const d = c.spec.dataset;
  const count = Math.max(0, Math.min(n, Math.floor(c.testData.n / Math.max(1, stride))));
  const indices = Array.from({ length: count }, (_, i) => i * stride);
  if (d.kind === 'playground' || d.kind === 'csv') return featureRows(c, probe, indices, d);
  if (d.kind !== 'task') {
    const items: DigitShown[] = [];
    // Your images' labels are a task's u32 class ids (the probe's taps carry MNIST's only).
    const ids = d.kind === 'images' ? await testTargets(c).then((t) => new Uint32Array(t.buffer, t.byteOffset, t.length)) : null;
    for (const index of indices) {
      const taps = await probe.inspect(index);
      const probs = await probe.predict(taps.input);
      const predicted = argmax(probs, 0, probs.length);
      items.push({ index, pixels: taps.input, label: taps.label ?? ids?.[index] ?? -1, predicted, confidence: probs[predicted] });
    }
    if (d.kind === 'images') return { kind: 'digits', items, side: d.size, classes: d.classes };
    return { kind: 'digits', items, side: 28 };
  }
  const info = taskInfo(d);
  const o = info.output;
  if (d.name === 'sine' && o.kind === 'regression') return forecast(c, probe, indices, d.length, o.D);
  if (o.kind === 'regression' || info.inputVocab === 0) return { kind: 'none', reason: 'real-valued outputs are drawn in the curves, not as tokens' };
  const raw = await testTargets(c);
  const all = new Uint32Array(raw.buffer, raw.byteOffset, raw.length);
  const T = o.kind === 'tokens' ? o.T : 1;
  const V = o.V;
  const sym = (v: number) => info.symbols[v] ?? String(v);
  const rows: SequenceShown[] = [];
  for (const index of indices) {
    const taps = await probe.inspect(index);
    const probs = await probe.predict(taps.input);
    const input = Array.from(taps.input, (v) => sym(v));
    const target: string[] = [], predicted: string[] = [], wrong: boolean[] = [];
    for (let t = 0; t < T; t++) {
      const y = all[index * T + t];
      if (y === IGNORE_LABEL) continue;
      const p = argmax(probs, t * V, V);
      target.push(sym(y));
      predicted.push(sym(p));
      wrong.push(p !== y);
    }
    rows.push({ index, input, target, predicted, wrong, right: !wrong.some(Boolean) });
  }
  return { kind: 'sequences', rows };
}
