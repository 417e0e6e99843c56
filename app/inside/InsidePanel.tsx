// "See inside": the live model's first-layer weights as images, the first recurrent layer's gates
// and states over one test sequence, the first attention layer's weights, the first conv layers'
// feature maps of one test image, and (MNIST models) draw-a-digit. Data is asked from the worker only while the panel is open: about once a second
// while training, once after each pause or step.
import { useEffect, useState } from 'react';
import { hasSession, requestInside } from '../training/looks.ts';
import { useApp } from '../store/index.ts';
import { selectDataset, selectRunSpec, selectRunStatus, selectSessionStep } from '../store/selectors.ts';
import { NumberField } from '../ui/fields.tsx';
import { layerName } from '../ui/layerName.ts';
import { ConfusionView } from './ConfusionView.tsx';
import { DrawDigit } from './DrawDigit.tsx';
import { FeatureMapsView } from './FeatureMaps.tsx';
import { GenerateText } from './GenerateText.tsx';
import { NormsView } from './NormsView.tsx';
import { Heatmap } from './Heatmap.tsx';
import type { InsideData, RecurrentView } from './types.ts';
import { WeightTiles } from './WeightTiles.tsx';

const POLL_MS = 1000;
const MAX_UNITS = 64; // rows of a gate heatmap
// Sigmoid gates lie in [0, 1] (sequential colours); tanh candidates and states in [−1, 1] (diverging).
const GATES: Record<RecurrentView['cell'], { name: string; signed: boolean }[]> = {
  lstm: [{ name: 'input gate i', signed: false }, { name: 'forget gate f', signed: false }, { name: 'candidate g', signed: true }, { name: 'output gate o', signed: false }],
  gru: [{ name: 'reset gate r', signed: false }, { name: 'update gate z', signed: false }, { name: 'candidate n', signed: true }],
  rnn: [],
};

function useInside(open: boolean, sample: number): { data: InsideData | null; error: string | null } {
  const status = useApp(selectRunStatus);
  const step = useApp(selectSessionStep);
  const live = hasSession(status);
  const [data, setData] = useState<InsideData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const runSpec = useApp(selectRunSpec);
  useEffect(() => setData(null), [runSpec]);
  useEffect(() => {
    if (!open || !live) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      const r = await requestInside(sample);
      if (stop) return;
      if (r.data) setData(r.data);
      setError(r.data ? null : r.error ?? null);
      // One request in flight at a time; the next a second after this one answered.
      if (status === 'running') timer = setTimeout(() => void ask(), POLL_MS);
    };
    void ask();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [open, live, status, step, sample]);
  return { data, error };
}

/** Units down, time across: the (T, G·H) gates as one (H, T) map per gate. */
function gatePanels(r: RecurrentView): { name: string; signed: boolean; data: Float32Array; rows: number }[] {
  const H = Math.min(r.H, MAX_UNITS), out = [];
  const slice = (src: Float32Array, width: number, off: number) => {
    const m = new Float32Array(H * r.T);
    for (let u = 0; u < H; u++) for (let t = 0; t < r.T; t++) m[u * r.T + t] = src[t * width + off + u];
    return m;
  };
  if (r.gates) GATES[r.cell].forEach((g, k) => out.push({ ...g, data: slice(r.gates!, 4 * r.H, k * r.H), rows: H }));
  out.push({ name: 'hidden state h', signed: true, data: slice(r.h, r.H, 0), rows: H });
  return out;
}

function Views({ data }: { data: InsideData }) {
  const r = data.recurrent, a = data.attention;
  const spec = useApp(selectRunSpec);
  return (
    <>
      {data.weights ? <WeightTiles tiles={data.weights} /> : null}
      {data.image && data.features ? <FeatureMapsView image={data.image} features={data.features} /> : null}
      {r ? (
        <div className="inside-group" role="group" aria-label={`${r.cell.toUpperCase()} activations`}>
          <h4>{r.cell.toUpperCase()} ({layerName(spec, r.name)}) over one test sequence: units down, time across{r.H > MAX_UNITS ? ` (first ${MAX_UNITS} of ${r.H} units)` : ''}</h4>
          <div className="heatmaps">
            {gatePanels(r).map((g) => (
              <Heatmap key={g.name} label={g.name} data={g.data} rows={g.rows} cols={r.T} scale={g.signed ? 'diverging' : 'sequential'}
                max={1} colLabels={data.tokens?.slice(0, r.T) ?? undefined} testId={`gates-${g.name.split(' ')[0]}`} />
            ))}
          </div>
        </div>
      ) : null}
      {a ? (
        <div className="inside-group" role="group" aria-label="Attention weights">
          <h4>Attention ({layerName(spec, a.name)}): query rows, key columns, one map per head, darkest = that head’s largest weight</h4>
          <div className="heatmaps">
            {Array.from({ length: Math.min(a.heads, 8) }, (_, h) => (
              <Heatmap key={h} label={`head ${h + 1}`} data={a.probs.subarray(h * a.T * a.T, (h + 1) * a.T * a.T)} rows={a.T} cols={a.T} scale="sequential" cell={Math.max(2, Math.min(14, Math.floor(240 / a.T)))}
                rowLabels={data.tokens ?? undefined} colLabels={data.tokens ?? undefined} testId={`attention-${h + 1}`} />
            ))}
          </div>
        </div>
      ) : null}
      {data.notes.map((n) => <p key={n} className="hint">{n}</p>)}
      {!data.weights && !r && !a && !data.features && !data.notes.length ? <p className="empty">This model’s first layer is not drawn as images (only Dense after Flatten, Conv2D or Patches on images).</p> : null}
    </>
  );
}

export function InsidePanel() {
  const [open, setOpen] = useState(false);
  const [sample, setSample] = useState(0);
  const runSpec = useApp(selectRunSpec);
  const status = useApp(selectRunStatus);
  const { data, error } = useInside(open, sample);
  const live = hasSession(status);
  const sequence = runSpec?.dataset.kind === 'task';
  const editing = useApp(selectDataset);
  const shownData = runSpec?.dataset ?? editing;
  const mnist = shownData.kind === 'mnist';
  const charModel = shownData.kind === 'task' && shownData.name === 'char';
  return (
    <section className="panel inside" aria-labelledby="inside-h">
      <div className="inside-head">
        <h2 id="inside-h">See inside</h2>
        <button type="button" aria-expanded={open} aria-controls="inside-body" onClick={() => setOpen(!open)}>
          {open ? 'Hide' : 'Show'} inside
        </button>
      </div>
      {open ? (
        <div id="inside-body" className="inside-body">
          <div className="inside-views" aria-live="off" data-testid="inside-views" data-step={data?.step ?? ''}>
            {!live ? <p className="empty">Train or step a model to see its weights and activations here.</p> : null}
            {error && live ? <p className="field-error">Could not read the model: {error}</p> : null}
            {sequence || data?.attention || data?.features ? (
              <NumberField label={sequence ? 'Test sequence' : 'Test image'} integer min={0} value={sample} onChange={(v) => setSample(Math.max(0, v))}
                hint="which test sample the activations are shown for" />
            ) : null}
            {data ? <Views data={data} /> : live ? <p className="empty">Reading the model…</p> : null}
            {live && runSpec?.dataset.kind === 'mnist' ? (
              <section className="inside-section" aria-labelledby="confusion-h">
                <h3 id="confusion-h">Test set: confusion and mistakes</h3>
                <ConfusionView />
              </section>
            ) : null}
            {live ? (
              <section className="inside-section" aria-labelledby="norms-h">
                <h3 id="norms-h">Weight and gradient norms</h3>
                <NormsView />
              </section>
            ) : null}
          </div>
          {mnist ? (
            <div className="inside-draw">
              <h3>Draw a digit</h3>
              <DrawDigit ready={live && runSpec?.dataset.kind === 'mnist'} />
            </div>
          ) : charModel ? (
            <div className="inside-draw">
              <h3>Generate text</h3>
              <GenerateText ready={live && runSpec?.dataset.kind === 'task' && runSpec.dataset.name === 'char'} />
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
