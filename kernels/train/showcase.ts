// Live predictions on a few fixed test samples, for the page's "Predictions" region: MNIST digits
// with the model's label, or sequence rows input → target → prediction token by token. Runs on the
// session's batch-of-one probe (predict.ts), so training's own programs are never touched; each
// read queues behind the steps already submitted.
import { IGNORE_LABEL } from '../backend.ts';
import { taskInfo } from '../data/tasks.ts';
import type { Compiled } from './compile.ts';
import type { Probe } from './predict.ts';

export interface DigitShown { index: number; pixels: Float32Array; label: number; predicted: number; confidence: number }
/** One token position: null target where the position does not count (the question part of a row). */
export interface TokenShown { input: string; target: string | null; predicted: string | null }
export interface SequenceShown { index: number; input: string[]; target: string[]; predicted: string[]; wrong: boolean[]; right: boolean }

export type Showcase =
  | { kind: 'digits'; items: DigitShown[] }
  | { kind: 'sequences'; rows: SequenceShown[] }
  | { kind: 'none'; reason: string };

const targetsRead = new WeakMap<Compiled, Promise<Uint32Array>>();

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
  if (d.kind !== 'task') {
    const items: DigitShown[] = [];
    for (const index of indices) {
      const taps = await probe.inspect(index);
      const probs = await probe.predict(taps.input);
      const predicted = argmax(probs, 0, probs.length);
      items.push({ index, pixels: taps.input, label: taps.label ?? -1, predicted, confidence: probs[predicted] });
    }
    return { kind: 'digits', items };
  }
  const info = taskInfo(d);
  const o = info.output;
  if (o.kind === 'regression' || info.inputVocab === 0) return { kind: 'none', reason: 'real-valued forecasts are drawn in the curves, not as tokens' };
  let targets = targetsRead.get(c);
  if (!targets) {
    targets = c.be.read(c.testData.labels).then((t) => new Uint32Array(t.buffer, t.byteOffset, t.length));
    targetsRead.set(c, targets);
  }
  const all = await targets;
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
