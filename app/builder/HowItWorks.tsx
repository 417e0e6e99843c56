// "How it works": the selected layer's formula with its real sizes (rendered by KaTeX, chosen for
// its synchronous, dependency-free rendering and MathML output for screen readers), a drawn
// sliding window for convolution and pooling, plain sentences, and a link to the live inside view.
// TrainingHow: the same for the loss, the optimizer's update rule, the schedule and clipping.
import { useEffect, useId, useMemo, useState } from 'react';
import { datasetInfo, layerHow, trainHow, type HowCard } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectShapes, selectSpec } from '../store/selectors.ts';

// KaTeX (about 270 kB with its CSS) is its own chunk, fetched when this module loads, so the first
// paint does not wait for it; until it arrives a formula shows as its TeX source.
type Katex = typeof import('katex').default;
let katex: Katex | null = null;
const katexReady: Promise<Katex> = Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(([m]) => (katex = m.default));

function useKatex(): Katex | null {
  const [k, setK] = useState(katex);
  useEffect(() => {
    if (k) return;
    let live = true;
    void katexReady.then((m) => live && setK(() => m));
    return () => void (live = false);
  }, [k]);
  return k;
}

function Tex({ tex }: { tex: string }) {
  const k = useKatex();
  const html = useMemo(() => k?.renderToString(tex, { displayMode: true, output: 'htmlAndMathml', throwOnError: false }), [k, tex]);
  if (html === undefined) return <div className="how-tex" aria-busy="true"><code>{tex}</code></div>;
  return <div className="how-tex" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** The first two positions of a k × k window on the (padded) input, grey cells being the padding. */
function SlidingWindow({ w }: { w: NonNullable<HowCard['window']> }) {
  const n = Math.min(w.inSide + 2 * w.pad, 10), c = 12;
  const k = Math.min(w.k, n), s = w.stride;
  const cells = [];
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const pad = x < w.pad || y < w.pad || x >= w.inSide + w.pad || y >= w.inSide + w.pad;
      cells.push(<rect key={`${y}.${x}`} x={x * c} y={y * c} width={c} height={c} className={pad ? 'how-pad' : 'how-cell'} />);
    }
  const label = `A ${w.k} × ${w.k} window sliding over the ${w.inSide} × ${w.inSide} input with stride ${w.stride}${w.pad ? ` and padding ${w.pad}` : ''}, giving ${w.outSide} × ${w.outSide} outputs${n < w.inSide + 2 * w.pad ? ' (the top-left corner shown)' : ''}.`;
  return (
    <figure className="how-window">
      <svg aria-hidden="true" width={n * c + 2} height={n * c + 2} viewBox={`-1 -1 ${n * c + 2} ${n * c + 2}`}>
        {cells}
        <rect x={0} y={0} width={k * c} height={k * c} className="how-win" />
        {s + k <= n ? <rect x={s * c} y={0} width={k * c} height={k * c} className="how-win next" /> : null}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function CardBody({ card }: { card: HowCard }) {
  return (
    <>
      {/* One scrollable, focusable box per card: a wide formula scrolls instead of widening the panel. */}
      <div className="how-math" tabIndex={0} role="group" aria-label="Formulas">
        {card.tex.map((t, k) => <Tex key={k} tex={t} />)}
      </div>
      {card.window ? <SlidingWindow w={card.window} /> : null}
      {card.text.map((t, k) => <p key={k}>{t}</p>)}
    </>
  );
}

/** The inspector's card for top-level layer i. */
export function HowItWorks({ i }: { i: number }) {
  const spec = useApp(selectSpec);
  const shapes = useApp(selectShapes);
  const card = useMemo(() => layerHow(spec, i, shapes), [spec, i, shapes]);
  const id = useId();
  return (
    <section className="how" aria-labelledby={id} data-testid="how-it-works">
      <h4 id={id}>How it works</h4>
      {card ? <CardBody card={card} /> : <p className="empty">Fix this layer’s problems to see its formula with its sizes.</p>}
      {card?.inside ? <p><a href="#inside-h">See this layer live in “See inside”</a></p> : null}
    </section>
  );
}

/** The training settings' card: loss, optimizer update, learning-rate schedule, gradient clipping. */
export function TrainingHow() {
  const spec = useApp(selectSpec);
  const shapes = useApp(selectShapes);
  const outputs = shapes?.layers.at(-1)?.outShape.at(-1) ?? datasetInfo(spec).classes;
  const cards = useMemo(() => trainHow(spec, outputs), [spec, outputs]);
  return (
    <details className="how how-train">
      <summary>How it works: loss and optimizer</summary>
      {cards.map(({ title, card }) => (
        <div key={title} className="how-part">
          <p className="how-title">{title}</p>
          <CardBody card={card} />
        </div>
      ))}
    </details>
  );
}
