// Predictions for a playground dataset or your CSV: each shown test row's first features beside its
// target and the model's answer (a class, wrong ones marked, or a value for a regression).
import type { Showcase } from '../engine.ts';
import { fmtPct } from '../ui/format.ts';

type Rows = Extract<Showcase, { kind: 'rows' }>;

const num = (v: number) => Number(v.toPrecision(3)).toString();

export function PredictionRows({ data }: { data: Rows }) {
  const more = data.inputs - data.columns.length;
  const wrong = data.rows.filter((r) => r.wrong).length;
  return (
    <>
      <table className="seq-table" data-testid="prediction-feature-rows">
        <caption className="sr-only">
          Test rows: {data.columns.join(', ')}{more > 0 ? ` and ${more} more columns` : ''}, the target {data.target} and the model’s prediction{data.regression ? '' : '; wrong ones are marked'}
        </caption>
        <thead>
          <tr>
            {data.columns.map((c) => <th key={c} scope="col">{c}</th>)}
            {more > 0 ? <th scope="col">…</th> : null}
            <th scope="col">{data.target}</th>
            <th scope="col">Prediction</th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((r) => (
            <tr key={r.index} data-wrong={r.wrong ?? undefined}>
              {r.values.map((v, k) => <td key={k}>{num(v)}</td>)}
              {more > 0 ? <td aria-hidden="true">…</td> : null}
              <td>{r.target}</td>
              <td>
                {r.wrong ? <mark title="wrong">{r.predicted}</mark> : r.predicted}
                {r.confidence !== null ? <span className="hint"> ({fmtPct(r.confidence)})</span> : null}
                {r.wrong ? <span className="sr-only">, wrong</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.regression ? null : <p className="hint">{data.rows.length} test rows, {wrong} wrong (marked).</p>}
    </>
  );
}
