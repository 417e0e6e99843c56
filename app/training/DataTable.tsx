// The charts' numbers as a table: step, train and test loss, accuracies (and whole-sequence
// accuracy for sequence tasks). Visually hidden until "Data" is pressed, so screen readers always
// have it; at most about MAX_ROWS rows (every test point, train points thinned between them).
import { memo, useDeferredValue, useId, useState } from 'react';
import type { EvalPoint, TrainPoint } from '../store/trainingSlice.ts';
import { fmtNum, fmtPct } from '../ui/format.ts';

const MAX_ROWS = 60;

interface Row { step: number; train: TrainPoint | null; test: EvalPoint | null }

function rowsOf(train: TrainPoint[], test: EvalPoint[]): Row[] {
  const byStep = new Map<number, Row>();
  const every = Math.max(1, Math.ceil(train.length / Math.max(1, MAX_ROWS - test.length)));
  train.forEach((p, i) => {
    if (i % every === 0 || i === train.length - 1) byStep.set(p.step, { step: p.step, train: p, test: null });
  });
  let k = 0;
  for (const t of test) {
    // The train point at or just before the test point, for side-by-side losses.
    while (k + 1 < train.length && train[k + 1].step <= t.step) k++;
    const near = train[k] && train[k].step <= t.step ? train[k] : null;
    const r = byStep.get(t.step);
    byStep.set(t.step, { step: t.step, train: r?.train ?? near, test: t });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : fmtPct(v));

export const DataTable = memo(function DataTable(p: { train: TrainPoint[]; test: EvalPoint[]; title: string }) {
  const [shown, setShown] = useState(false);
  const id = useId();
  // Rebuilt at low priority: a click (Pause) is never kept waiting behind the table.
  const train = useDeferredValue(p.train);
  const test = useDeferredValue(p.test);
  const rows = rowsOf(train, test);
  const hasAcc = rows.some((r) => r.train?.acc != null || r.test?.acc != null);
  const hasSeq = rows.some((r) => r.train?.seqAcc != null || r.test?.seqAcc != null);
  return (
    <div className="data-table">
      <button type="button" className="chip" aria-expanded={shown} aria-controls={id} onClick={() => setShown(!shown)}>Data</button>
      <div id={id} className={shown ? 'table-scroll' : 'sr-only'}>
        <table data-testid="chart-data" data-test-points={test.length}>
          <caption>{p.title}: {rows.length} rows, {test.length} test points</caption>
          <thead>
            <tr>
              <th scope="col">Step</th><th scope="col">Train loss</th><th scope="col">Test loss</th>
              {hasAcc ? <><th scope="col">Train accuracy</th><th scope="col">Test accuracy</th></> : null}
              {hasSeq ? <><th scope="col">Train sequences right</th><th scope="col">Test sequences right</th></> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.step} data-test={r.test ? '' : undefined}>
                <th scope="row">{r.step.toLocaleString('en-US')}</th>
                <td>{r.train ? fmtNum(r.train.loss) : '–'}</td>
                <td>{r.test ? fmtNum(r.test.loss) : '–'}</td>
                {hasAcc ? <><td>{pct(r.train?.acc)}</td><td>{pct(r.test?.acc)}</td></> : null}
                {hasSeq ? <><td>{pct(r.train?.seqAcc)}</td><td>{pct(r.test?.seqAcc)}</td></> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
});
