// Predictions for a playground dataset or your CSV: each shown test row's first features beside its
// target and the model's answer (a class, wrong ones marked, or a value for a regression). A CSV's
// rows reach the model standardised; when this page has read the file they are shown as written in
// it (its column names, values, and class values). When it has not, the caption says the values are
// standardised and the columns unnamed, rather than passing x1…xn off as the file's.
import { csvRowsAsWritten, type CsvDatasetSpec, type CsvWords, type Showcase } from '../engine.ts';
import { fmtPct } from '../ui/format.ts';

type Rows = Extract<Showcase, { kind: 'rows' }>;

const num = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/**
 * `file`: the CSV the run's model reads (null for a playground dataset); `words`: that file's names
 * and stats when this page has read it.
 */
export function PredictionRows({ data: shown, file, words }: { data: Rows; file: CsvDatasetSpec | null; words: CsvWords | null }) {
  const data = words ? csvRowsAsWritten(shown, words) : shown;
  const unread = file !== null && words === null;
  const more = data.inputs - data.columns.length;
  const name = (v: number) => (data.classes ? (data.classes[v] ?? `class ${v + 1}`) : num(v));
  const wrong = data.classes ? data.rows.filter((r) => r.predicted !== r.target).length : 0;
  return (
    <>
      <table className="seq-table rows-table" data-testid="prediction-feature-rows">
        {unread ? (
          <caption className="hint" data-testid="rows-standardised">
            Standardised values, as the model reads them: this page has not read {file.name}, so its column names, values{data.classes ? ' and class values' : ''} are not known here
            ({data.columns.join(', ')}{more > 0 ? ' …' : ''} are its feature columns in order). Choose the file again to see its rows as written.
          </caption>
        ) : (
          <caption className="sr-only">
            Test rows: {data.columns.join(', ')}{more > 0 ? ` and ${more} more columns` : ''}, the target {data.target} and the model’s prediction{data.classes ? '; wrong ones are marked' : ''}
          </caption>
        )}
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
