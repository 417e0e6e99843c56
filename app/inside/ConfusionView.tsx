// MNIST: the confusion matrix over the whole test split (a table: rows true digit, columns the
// prediction, cells shaded by their share of the row) and the first misclassified test digits.
import type { Confusion, Mistake } from '../engine.ts';
import { requestConfusion } from '../training/looks.ts';
import { useApp } from '../store/index.ts';
import { selectRunStatus, selectSessionStep } from '../store/selectors.ts';
import { fmtInt, fmtPct } from '../ui/format.ts';
import { useLive } from './useLive.ts';
import { useGreyCanvas } from '../ui/greyCanvas.ts';

const EVERY_MS = 5000; // a pass over 10k test images is a few hundred ms to seconds on a software GPU

export function ConfusionView() {
  const { data, error } = useLive<Confusion & { step: number }>(true, EVERY_MS, async () => {
    const r = await requestConfusion();
    return { data: r.data ? { ...r.data, step: r.step } : null, error: r.error };
  });
  if (!data) return error ? <p className="field-error">Could not evaluate the test set: {error}</p> : <p className="empty">Evaluating the test set…</p>;
  return (
    <div className="confusion-views" data-testid="confusion" data-step={data.step} data-n={data.n} data-correct={data.correct}>
      <Matrix c={data} step={data.step} />
      <Gallery mistakes={data.mistakes} wrong={data.n - data.correct} />
    </div>
  );
}

/**
 * The step the matrix was computed at, and whether the run has moved past it: while training it is
 * redone every few seconds; once paused or done, the matrix of the final step is on its way.
 */
function StepNote({ step }: { step: number }) {
  const status = useApp(selectRunStatus);
  const sessionStep = useApp(selectSessionStep);
  const settled = status === 'paused' || status === 'done';
  const note = status === 'running' ? ` (training goes on; redone every ${EVERY_MS / 1000} s)`
    : settled && sessionStep !== null && sessionStep !== step ? ` (updating to step ${fmtInt(sessionStep)}…)` : '';
  return <span data-testid="confusion-step" data-step={step}>at step {fmtInt(step)}{note}</span>;
}

function Matrix({ c, step }: { c: Confusion; step: number }) {
  const K = c.classes;
  const rowSums = Array.from({ length: K }, (_, t) => c.counts.slice(t * K, (t + 1) * K).reduce((a, b) => a + b, 0));
  return (
    <figure className="confusion">
      <figcaption>
        Confusion matrix <StepNote step={step} />: {fmtPct(c.correct / Math.max(1, c.n))} of {c.n.toLocaleString('en-US')} test images right
      </figcaption>
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Confusion matrix table">
      <table className="confusion-table">
        <caption className="sr-only">Rows: true digit. Columns: predicted digit. Cells: number of test images.</caption>
        <thead>
          <tr><th scope="col"><span className="sr-only">true digit</span><span aria-hidden="true">true ↓ pred →</span></th>
            {Array.from({ length: K }, (_, p) => <th key={p} scope="col">{p}</th>)}</tr>
        </thead>
        <tbody>
          {Array.from({ length: K }, (_, t) => (
            <tr key={t}>
              <th scope="row">{t}</th>
              {Array.from({ length: K }, (_, p) => {
                const n = c.counts[t * K + p];
                const share = rowSums[t] ? n / rowSums[t] : 0;
                // Diagonal in blue, errors in red; at most 45% opaque so the dark text keeps a 4.5:1 contrast.
                const hue = t === p ? '37, 99, 235' : '220, 38, 38';
                return (
                  <td key={p} style={{ background: n ? `rgba(${hue}, ${(0.06 + 0.39 * share).toFixed(2)})` : undefined }} data-count={n}>{n || ''}</td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}

function Gallery({ mistakes, wrong }: { mistakes: Mistake[]; wrong: number }) {
  if (!mistakes.length) return <p className="empty">No misclassified test images.</p>;
  return (
    <figure className="mistakes">
      <figcaption>First {mistakes.length} of {wrong.toLocaleString('en-US')} misclassified test images</figcaption>
      <ul className="mistake-list" aria-label="Misclassified test images">
        {mistakes.map((m) => <MistakeTile key={m.index} m={m} />)}
      </ul>
    </figure>
  );
}

function MistakeTile({ m }: { m: Mistake }) {
  const ref = useGreyCanvas(m.image, 1);
  const label = `Test image ${m.index}: a ${m.label}, predicted ${m.pred} (${fmtPct(m.p)})`;
  return (
    <li className="mistake" data-label={m.label} data-pred={m.pred}>
      <canvas ref={ref} width={28} height={28} role="img" aria-label={label} />
      <span aria-hidden="true">{m.label} → <strong>{m.pred}</strong></span>
    </li>
  );
}
