// "Predictions": the live model's answers on fixed test samples, refreshed while training. MNIST: a
// strip of digits with the predicted label, wrong ones marked; sequence tasks: rows of input →
// target → prediction with wrong tokens highlighted; sine: the forecast drawn over the truth;
// character models: text sampled from the model; your images with their class names; playground
// and CSV rows with their features, target and prediction. Asked from the worker about every 1.5 s.
import type { DigitShown, ModelSpec, SequenceShown, Showcase } from '../engine.ts';
import { csvWordsFor } from '../store/ownData.ts';
import { requestShowcase } from '../training/looks.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectRunStatus } from '../store/selectors.ts';
import { useGreyCanvas } from '../ui/greyCanvas.ts';
import { fmtPct } from '../ui/format.ts';
import { useLive } from './useLive.ts';
import { ForecastChart } from './ForecastChart.tsx';
import { PredictionRows } from './PredictionRows.tsx';
import { requestSample, SampledText, type Sampled } from './SampledText.tsx';

type Shown = Showcase | { kind: 'sample'; s: Sampled };

const POLL_MS = 1500;

/** A test image: an MNIST digit, or one of your images (`classes` names its class ids). */
function Digit({ d, side, classes }: { d: DigitShown; side: number; classes?: string[] }) {
  const ref = useGreyCanvas(d.pixels, 1, side, side);
  const wrong = d.predicted !== d.label;
  const name = (k: number) => (classes ? (classes[k] ?? `class ${k + 1}`) : String(k));
  const label = `Test ${classes ? 'image' : 'digit'} ${d.index + 1}: a ${name(d.label)}, predicted ${name(d.predicted)} (${fmtPct(d.confidence)})${wrong ? ', wrong' : ''}`;
  return (
    <li className={wrong ? 'wrong' : 'right'} data-wrong={wrong}>
      <canvas ref={ref} width={side} height={side} role="img" aria-label={label} />
      <span aria-hidden="true" className={classes ? 'class-name' : undefined}>{name(d.predicted)}{wrong ? ' ✗' : ''}</span>
    </li>
  );
}

function Tokens({ tokens, wrong }: { tokens: string[]; wrong?: boolean[] }) {
  return (
    <span className="tokens">
      {tokens.map((t, i) => wrong?.[i] ? <mark key={i} title="wrong">{t}</mark> : <span key={i}>{t}</span>)}
    </span>
  );
}

function SequenceRows({ rows }: { rows: SequenceShown[] }) {
  return (
    <table className="seq-table" data-testid="prediction-rows">
      <caption className="sr-only">Test sequences: input, target and the model’s prediction; wrong tokens are marked</caption>
      <thead><tr><th scope="col">Input</th><th scope="col">Target</th><th scope="col">Prediction</th><th scope="col"><span className="sr-only">Right?</span></th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.index} data-right={r.right}>
            <td><Tokens tokens={r.input} /></td>
            <td><Tokens tokens={r.target} /></td>
            <td><Tokens tokens={r.predicted} wrong={r.wrong} /></td>
            <td>{r.right ? '✓' : <span>✗<span className="sr-only"> {r.wrong.filter(Boolean).length} wrong</span></span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function View({ data, spec }: { data: Shown; spec: ModelSpec | null }) {
  if (data.kind === 'digits') {
    const wrong = data.items.filter((d) => d.predicted !== d.label).length;
    return (
      <>
        <ol className="digit-strip" data-testid="prediction-digits">{data.items.map((d) => <Digit key={d.index} d={d} side={data.side} classes={data.classes} />)}</ol>
        <p className="hint">{data.items.length} test {data.classes ? 'images' : 'digits'}, {wrong} wrong (marked ✗).</p>
      </>
    );
  }
  if (data.kind === 'sequences') return <SequenceRows rows={data.rows} />;
  if (data.kind === 'rows') {
    const d = spec?.dataset;
    return <PredictionRows data={data} file={d?.kind === 'csv' ? d : null} words={d?.kind === 'csv' ? csvWordsFor(d) : null} />;
  }
  if (data.kind === 'forecast') return <ForecastChart f={data} />;
  if (data.kind === 'sample') return <SampledText s={data.s} />;
  return <p className="empty">{data.reason}</p>;
}

export function Predictions() {
  const runSpec = useApp(selectRunSpec);
  const d = runSpec?.dataset;
  // Sine: each row is a window and a 12-step forecast (12 reads), so three rows.
  const count = d?.kind === 'mnist' || d?.kind === 'images' ? 10 : d?.kind === 'task' && d.name === 'sine' ? 3 : 4;
  // Not while a single (possibly profiled) step runs: the probe's kernels would be timed with it.
  const stepping = useApp(selectRunStatus) === 'stepping';
  const char = d?.kind === 'task' && d.name === 'char';
  const ask = async (): Promise<{ data: Shown | null; error?: string }> => {
    if (!char) return requestShowcase(count);
    const r = await requestSample();
    return { data: r.data && { kind: 'sample', s: r.data }, error: r.error };
  };
  const { data, error, live } = useLive(!stepping, POLL_MS, ask);
  return (
    <section className="predictions" role="region" aria-labelledby="predictions-h" data-testid="predictions">
      <h3 id="predictions-h">Predictions</h3>
      {!live ? <p className="empty">Train a model to see its answers on test samples here.</p> : null}
      {live && error ? <p className="field-error">Could not read predictions: {error}</p> : null}
      {live && data ? <View data={data} spec={runSpec} /> : live && !error ? <p className="empty">Reading predictions…</p> : null}
    </section>
  );
}
