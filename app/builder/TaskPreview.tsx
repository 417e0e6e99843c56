// Sequence-task preview: the task's settings and its first test examples, input → target, drawn
// from the spec's seed exactly as training will (kernels/data/tasks.ts taskExamples generates only
// these few, so it runs on every edit). The char task fetches its 8 KB text once.
import { useEffect, useMemo, useState } from 'react';
import { ownData } from '../store/ownData.ts';
import { IGNORE_LABEL, CHAR_TEXT_FILE, sampleSizes, taskExamples, type TaskDatasetSpec, type TaskInfo, type TaskSplit } from '../engine.ts';

export const PREVIEW_EXAMPLES = 5;

let textPromise: Promise<string> | null = null;
function charText(): Promise<string> {
  if (!textPromise) {
    const p = fetch(new URL(CHAR_TEXT_FILE, location.href)).then((r) => {
      if (!r.ok) throw new Error(`could not load ${CHAR_TEXT_FILE}: HTTP ${r.status}`);
      return r.text();
    });
    p.catch(() => textPromise === p && (textPromise = null)); // asked anew next time
    textPromise = p;
  }
  return textPromise;
}

function useCharText(need: boolean): { text: string | undefined; error: string | null } {
  const [s, setS] = useState<{ text: string | undefined; error: string | null }>({ text: undefined, error: null });
  useEffect(() => {
    if (!need || s.text !== undefined) return;
    let live = true;
    charText().then((text) => live && setS({ text, error: null }), (e: unknown) => live && setS({ text: undefined, error: e instanceof Error ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [need, s.text]);
  return s;
}

const fmt = (v: number) => v.toFixed(2);
const show = (info: TaskInfo, ids: number[]) =>
  info.name === 'char' ? ids.map((i) => (info.symbols[i] === '\n' ? '⏎' : info.symbols[i] ?? '?')).join('') : ids.map((i) => info.symbols[i] ?? '?').join(' ');

interface Row { input: string; target: string; values?: { x: number[]; y: number[] } }

/** One example's input and target as display text; masked target positions are left out. */
function describe(info: TaskInfo, s: TaskSplit, i: number): Row {
  const { inLen, outLen } = sampleSizes(info);
  const x = Array.from(s.inputs.subarray(i * inLen, (i + 1) * inLen));
  const y = Array.from(s.targets.subarray(i * outLen, (i + 1) * outLen));
  const o = info.output;
  if (o.kind === 'regression') return { input: x.map(fmt).join(' '), target: y.map(fmt).join(' '), values: { x, y } };
  if (o.kind === 'class') {
    const v = y[0];
    const label = info.name === 'parity' ? `${v} (${v ? 'odd' : 'even'} number of ones)` : v ? 'balanced' : 'not balanced';
    return { input: show(info, x), target: label };
  }
  return { input: show(info, x), target: show(info, y.filter((v) => v !== IGNORE_LABEL)) };
}

function Settings({ d, info, seed }: { d: TaskDatasetSpec; info: TaskInfo; seed: number }) {
  const o = info.output;
  const n = (v: number) => v.toLocaleString('en-US');
  return (
    <dl className="task-settings">
      <dt>Task</dt><dd>{info.description}</dd>
      <dt>Length</dt><dd>{d.length} · input {info.inputShape.join('×')}</dd>
      <dt>Vocabulary</dt>
      <dd>{info.inputVocab ? `${info.inputVocab} tokens: ${info.symbols.map((c) => (c === '\n' ? '⏎' : c === ' ' ? '␣' : c)).join(' ')}` : 'real values'}</dd>
      <dt>Output</dt>
      <dd>{o.kind === 'tokens' ? `a token per position (${o.T} × ${o.V} classes)` : o.kind === 'class' ? `one class of ${o.V}` : `${o.D} value${o.D > 1 ? 's' : ''} (mean squared error)`}</dd>
      <dt>Examples</dt><dd>{n(info.trainSize)} training, {n(info.testSize)} test · seed {seed}</dd>
    </dl>
  );
}

/** Inputs as a line, the targets that follow as dots (the next values of the wave). */
function Sparkline({ x, y, label }: { x: number[]; y: number[]; label: string }) {
  const W = 180, H = 40, all = [...x, ...y];
  const lo = Math.min(...all), hi = Math.max(...all), span = hi - lo || 1;
  const px = (t: number) => 4 + (t / Math.max(1, all.length - 1)) * (W - 8);
  const py = (v: number) => H - 4 - ((v - lo) / span) * (H - 8);
  return (
    <svg className="sparkline" width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      <polyline points={x.map((v, t) => `${px(t).toFixed(1)},${py(v).toFixed(1)}`).join(' ')} fill="none" stroke="var(--accent)" strokeWidth={1.5} />
      {y.map((v, k) => <circle key={k} cx={px(x.length + k)} cy={py(v)} r={3} fill="#c2410c" />)}
    </svg>
  );
}

export function TaskPreview({ d, seed }: { d: TaskDatasetSpec; seed: number }) {
  const own = d.text && ownData('text')?.hash === d.text.hash ? ownData('text')?.text : undefined; // your own text, held in this page
  const { text: builtIn, error } = useCharText(d.name === 'char' && !d.text);
  const text = d.text ? own : builtIn;
  const r = useMemo(() => {
    if (d.name === 'char' && text === undefined && !d.text) return null;
    try {
      const { info, examples } = taskExamples(d, seed, PREVIEW_EXAMPLES, text);
      return { info, rows: Array.from({ length: examples.n }, (_, i) => describe(info, examples, i)), error: null };
    } catch (e) {
      return { info: null, rows: [], error: e instanceof Error ? e.message : String(e) };
    }
  }, [d, seed, text]);
  if (error) return <p className="field-error" role="alert">Could not load the text of the char task: {error}</p>;
  if (!r) return <p className="empty" role="status">Loading the text…</p>;
  if (!r.info) return <p className="field-error">Could not generate examples: {r.error}</p>;
  const regression = r.info.output.kind === 'regression';
  return (
    <div className="task-preview">
      <Settings d={d} info={r.info} seed={seed} />
      <ol className="task-examples" aria-label={`First ${r.rows.length} test examples`} data-testid="task-examples" data-task={d.name}>
        {r.rows.map((row, i) => (
          <li key={i} className="task-example">
            <span className="ex-label">input</span> <code className="seq-in">{row.input}</code>
            <span className="ex-label">{regression ? 'next' : 'target'}</span> <code className="seq-out">{row.target}</code>
            {row.values ? <Sparkline x={row.values.x} y={row.values.y} label={`Test example ${i}: ${row.values.x.length} values of a sine wave (line) and the ${row.values.y.length} to forecast (dots)`} /> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
