// Predictions for a playground dataset or your CSV: each shown test row's first features beside its
// target and the model's answer (a class, wrong ones marked, or a value for a regression). A CSV's
// rows reach the model standardised; when this page holds the file they are shown as written in it
// (its column names, values, and class values).
import type { CsvDataset, Showcase } from '../engine.ts';
import { fmtPct } from '../ui/format.ts';

type Rows = Extract<Showcase, { kind: 'rows' }>;

const num = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** The showcase in the file's own words: names, unstandardised values, class values. */
function asWritten(data: Rows, csv: CsvDataset): Rows {
  const { mean, std, targetMean = 0, targetStd = 1 } = csv.stats;
  const unRow = (vs: number[]) => vs.map((v, k) => v * std[k] + mean[k]);
  const unTarget = (v: number) => (data.classes ? v : v * targetStd + targetMean);
  return {
    ...data,
    columns: csv.featureNames.slice(0, data.columns.length),
    classes: data.classes && csv.classValues ? csv.classValues.map((v) => `${csv.spec.target} ${num(v)}`) : data.classes,
    rows: data.rows.map((r) => ({ ...r, values: unRow(r.values), target: unTarget(r.target), predicted: unTarget(r.predicted) })),
  };
}

export function PredictionRows({ data: shown, csv }: { data: Rows; csv: CsvDataset | null }) {
  const data = csv ? asWritten(shown, csv) : shown;
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
