// Predictions for a playground dataset or your CSV: each shown test row's first features beside its
// target and the model's answer (a class, wrong ones marked, or a value for a regression). A CSV's
// rows reach the model standardised; when this page holds the file they are shown as written in it
// (its column names, values, and class values).
import { csvRowsAsWritten, type CsvDataset, type Showcase } from '../engine.ts';
import { fmtPct } from '../ui/format.ts';

type Rows = Extract<Showcase, { kind: 'rows' }>;

const num = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

export function PredictionRows({ data: shown, csv }: { data: Rows; csv: CsvDataset | null }) {
  const data = csv ? csvRowsAsWritten(shown, csv) : shown;
  const more = data.inputs - data.columns.length;
  const name = (v: number) => (data.classes ? (data.classes[v] ?? `class ${v + 1}`) : num(v));
  const wrong = data.classes ? data.rows.filter((r) => r.predicted !== r.target).length : 0;
  return (
    <>
      <table className="seq-table rows-table" data-testid="prediction-feature-rows">
        <caption className="sr-only">
          Test rows: {data.columns.join(', ')}{more > 0 ? ` and ${more} more columns` : ''}, the target {data.target} and the model’s prediction{data.classes ? '; wrong ones are marked' : ''}
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
          {data.rows.map((r) => {
            const bad = data.classes !== undefined && r.predicted !== r.target;
            return (
              <tr key={r.index} data-wrong={data.classes ? bad : undefined}>
                {r.values.map((v, k) => <td key={k}>{num(v)}</td>)}
                {more > 0 ? <td aria-hidden="true">…</td> : null}
                <td>{name(r.target)}</td>
                <td>
                  {bad ? <mark title="wrong">{name(r.predicted)}</mark> : name(r.predicted)}
                  {r.confidence !== null ? <span className="hint"> ({fmtPct(r.confidence)})</span> : null}
                  {bad ? <span className="sr-only">, wrong</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.classes ? <p className="hint">{data.rows.length} test rows, {wrong} wrong (marked).</p> : null}
    </>
  );
}
