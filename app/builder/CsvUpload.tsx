// Your own data from a CSV file, read in this browser only: pick a file, the column to predict and
// classification or regression; see the first rows and the class balance; then use it. A bad file
// is refused with the row (header = row 1) and column named, or the limit, in an alert, and the
// dataset in use stays as it was: nothing is handed on until the file is valid and chosen.
import { useId, useMemo, useState } from 'react';
import { CSV_LIMITS, csvDataset, csvMismatch, csvNeedsFile, readCsv, type CsvDataset, type CsvDatasetSpec, type CsvTable, type CsvTask } from '../engine.ts';

export interface CsvUploadProps {
  onUse: (d: CsvDataset) => void;
  /** A model opened from a link names the file it was trained on: only that file is accepted. */
  expect?: CsvDatasetSpec | null;
  trainRatio?: number;
}

/** Classification when the column holds few distinct whole numbers, else regression. */
function guessTask(t: CsvTable, col: number): CsvTask {
  const v = new Set(t.rows.map((r) => r[col]));
  return v.size <= CSV_LIMITS.classes && [...v].every(Number.isInteger) ? 'classification' : 'regression';
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function CsvUpload(p: CsvUploadProps) {
  const [file, setFile] = useState<{ name: string; table: CsvTable } | null>(null);
  const [target, setTarget] = useState('');
  const [task, setTask] = useState<CsvTask>('classification');
  const [readError, setReadError] = useState<string | null>(null);
  const [used, setUsed] = useState<string | null>(null);
  const ids = { file: useId(), target: useId(), task: useId() };

  const onFile = async (f: File | undefined) => {
    if (!f) return;
    setUsed(null);
    try {
      if (f.size > CSV_LIMITS.bytes) throw new Error(`the file is ${(f.size / 1024 / 1024).toFixed(1)} MiB, over the limit of ${CSV_LIMITS.bytes / 1024 / 1024} MiB`);
      const table = readCsv(await f.text());
      const col = table.header.length - 1;
      setFile({ name: f.name, table });
      setTarget(p.expect?.target && table.header.includes(p.expect.target) ? p.expect.target : table.header[col]);
      setTask(p.expect?.task ?? guessTask(table, col));
      setReadError(null);
    } catch (e) {
      setReadError(`${f.name}: ${message(e)}`); // the file read before, if any, stays as it was
    }
  };

  // The dataset for the chosen target and task, or why it cannot be built.
  const built = useMemo((): { ok: CsvDataset } | { error: string } | null => {
    if (!file || !target) return null;
    try {
      const d = csvDataset(file.table, { name: file.name, target, task, trainRatio: p.trainRatio });
      const why = p.expect ? csvMismatch(p.expect, d) : null;
      return why ? { error: why } : { ok: d };
    } catch (e) {
      return { error: message(e) };
    }
  }, [file, target, task, p.expect, p.trainRatio]);

  const error = readError ?? (built && 'error' in built ? built.error : null);
  const d = built && 'ok' in built ? built.ok : null;
  return (
    <section className="csv-upload" aria-label="Your own data (CSV)">
      {p.expect ? <p className="note">{csvNeedsFile(p.expect)}</p> : null}
      <label htmlFor={ids.file}>CSV file (numeric columns, a header row; it stays in this browser)</label>
      <input id={ids.file} type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e.currentTarget.files?.[0])} />
      {error ? (
        <p className="field-error" role="alert">
          {error}. The dataset in use is unchanged.
        </p>
      ) : null}
      {file ? (
        <>
          <div className="csv-choices">
            <label htmlFor={ids.target}>Column to predict</label>
            <select id={ids.target} value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
              {file.table.header.map((h) => <option key={h} value={h}>{h}</option>)}
            </select>
            <label htmlFor={ids.task}>Task</label>
            <select id={ids.task} value={task} onChange={(e) => setTask(e.currentTarget.value as CsvTask)}>
              <option value="classification">Classification (the column holds class labels)</option>
              <option value="regression">Regression (the column holds a value)</option>
            </select>
          </div>
          <table className="csv-preview">
            <caption>
              {file.name}: first {Math.min(CSV_LIMITS.previewRows, file.table.rows.length)} of {file.table.rows.length} rows
            </caption>
            <thead>
              <tr>{file.table.header.map((h) => <th key={h} scope="col">{h === target ? `${h} (target)` : h}</th>)}</tr>
            </thead>
            <tbody>
              {file.table.rows.slice(0, CSV_LIMITS.previewRows).map((r, i) => (
                <tr key={i}>{Array.from(r, (v, j) => <td key={j}>{v}</td>)}</tr>
              ))}
            </tbody>
          </table>
          {d?.balance ? (
            <ul className="csv-balance" aria-label="Class balance">
              {d.balance.map((b) => (
                <li key={b.value}>
                  class {b.value}: {b.count} rows ({Math.round((100 * b.count) / d.spec.rows)}%)
                </li>
              ))}
            </ul>
          ) : null}
          {d ? (
            <p>
              {d.spec.inputs} feature columns, standardised; {d.spec.rows} rows
              {d.spec.classes ? `, ${d.spec.classes} classes` : ''}.{' '}
              <button type="button" onClick={() => { p.onUse(d); setUsed(file.name); }}>
                Use this data
              </button>
            </p>
          ) : null}
          {used ? <p role="status">Using {used}.</p> : null}
        </>
      ) : null}
    </section>
  );
}
