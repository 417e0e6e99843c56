// Your own data: a CSV file of numeric columns, parsed in the browser and never sent anywhere.
// papaparse does the RFC 4180 parsing (quoted fields with commas and newlines, CRLF, BOM); this
// file validates everything before anything is returned, so a bad file changes nothing: an empty
// file, a missing header, a ragged row, a non-numeric or empty cell, too many bytes, rows, columns
// or classes each get a message naming the row (1-based as a spreadsheet shows it: the header is
// row 1) and the column, or the limit.
//
// The spec that a share link carries names the file and its hash, row count and shapes, never
// the data (`CsvDatasetSpec`); the rows arrive separately (`csvTaskData`), and a link opened
// without them asks for the file (`csvNeedsFile`).
import Papa from 'papaparse';
import { Rng } from '../rng.ts';
import type { TaskData, TaskInfo, TaskSplit } from './tasks.ts';
import { splitSizes } from './playground.ts';

export const CSV_LIMITS = { bytes: 10 * 1024 * 1024, rows: 50000, columns: 65, classes: 20, previewRows: 5, nameLength: 120 } as const;

export type CsvTask = 'classification' | 'regression';

export interface CsvDatasetSpec {
  kind: 'csv';
  name: string; // the file's name, shown when the file is asked for
  hash: string; // fnv1a64 of the text (16 hex digits): the same file is recognised when it returns
  rows: number; // data rows (the header excluded)
  inputs: number; // feature columns: the model's input width
  target: string; // the target column's header
  task: CsvTask;
  classes?: number; // classification: distinct target values
  trainRatio: number; // 0.1–0.9
}

/** A parsed file: the header and every data row as numbers, row-checked. */
export interface CsvTable {
  header: string[];
  rows: Float64Array[]; // one per data row, header.length values
  rowNumbers: number[]; // each data row's row number in the file (blank lines skipped)
  hash: string;
  bytes: number;
}

export interface CsvDataset {
  spec: CsvDatasetSpec;
  featureNames: string[];
  /** Standardised features (rows, inputs): (x − mean) / std with the stats below, over all rows. */
  features: Float32Array;
  stats: { mean: number[]; std: number[]; targetMean?: number; targetStd?: number };
  /** Class ids 0..K−1 (classification) or standardised targets (regression). */
  targets: Uint32Array | Float32Array;
  classValues?: number[]; // class id → the target value it stands for, ascending
  balance?: { value: number; count: number }[]; // rows per class
  preview: { header: string[]; rows: string[][] }; // the first rows as written in the file
}

export class CsvError extends Error {}

/** FNV-1a over UTF-16 code units in two 32-bit lanes: a stable 16-hex-digit name for a file's text. */
export function fnv1a64(text: string): string {
  let a = 0x811c9dc5, b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c ^ (a >>> 7), 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** A column as the user sees it: its number (1-based) and its header. */
const col = (header: string[], j: number) => `column ${j + 1}${header[j] ? ` ("${header[j]}")` : ''}`;

/** Parses and checks the whole file. Throws a CsvError naming the row/column or the limit. */
export function readCsv(text: string): CsvTable {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > CSV_LIMITS.bytes) throw new CsvError(`the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the limit of ${CSV_LIMITS.bytes / 1024 / 1024} MiB`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte-order mark
  if (body.trim() === '') throw new CsvError('the file is empty: it needs a header row naming the columns, then rows of numbers');
  const parsed = Papa.parse<string[]>(body, { header: false, skipEmptyLines: false, dynamicTyping: false });
  const bad = parsed.errors.find((e) => e.type === 'Quotes');
  if (bad) throw new CsvError(`row ${(bad.row ?? 0) + 1}: ${bad.message.toLowerCase()}`);
  const records = parsed.data;
  const header = records[0].map((h) => h.trim());
  if (header.length > CSV_LIMITS.columns) throw new CsvError(`row 1 has ${header.length} columns, over the limit of ${CSV_LIMITS.columns}`);
  if (header.length < 2) throw new CsvError(`row 1 has ${header.length} column: a dataset needs at least one feature column and a target column (is the separator a comma?)`);
  if (header.every((h) => h !== '' && Number.isFinite(Number(h))))
    throw new CsvError('row 1 holds only numbers: the first row must be a header naming the columns');
  header.forEach((h, j) => {
    if (h === '') throw new CsvError(`row 1, ${col(header, j)}: the header cell is empty; every column needs a name`);
    const k = header.indexOf(h);
    if (k !== j) throw new CsvError(`row 1, ${col(header, j)}: the name "${h}" is also the name of column ${k + 1}`);
  });
  const rows: Float64Array[] = [], rowNumbers: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i];
    if (r.length === 1 && r[0].trim() === '') continue; // a blank line (the file's last newline, too)
    const row = i + 1;
    if (rows.length >= CSV_LIMITS.rows) throw new CsvError(`the file has more than ${CSV_LIMITS.rows.toLocaleString('en-US')} data rows (row ${row} is one too many), over the limit`);
    if (r.length !== header.length)
      throw new CsvError(`row ${row} has ${r.length} ${r.length === 1 ? 'value' : 'values'} but the header has ${header.length} columns`);
    const v = new Float64Array(r.length);
    for (let j = 0; j < r.length; j++) {
      const s = r[j].trim();
      const x = s === '' ? NaN : Number(s);
      if (!Number.isFinite(x)) throw new CsvError(`row ${row}, ${col(header, j)}: ${s === '' ? 'the cell is empty' : `"${s.length > 24 ? s.slice(0, 24) + '…' : s}" is not a number`}; only numeric columns can be used`);
      v[j] = x;
    }
    rows.push(v);
    rowNumbers.push(row);
  }
  if (rows.length < 2) throw new CsvError(`the file has ${rows.length} data ${rows.length === 1 ? 'row' : 'rows'} after the header: at least 2 are needed (one to train on, one to test)`);
  return { header, rows, rowNumbers, hash: fnv1a64(body), bytes };
}

/** Builds the dataset for a chosen target column and task. Throws a CsvError naming the problem. */
export function csvDataset(table: CsvTable, o: { name: string; target: string; task: CsvTask; trainRatio?: number; rawText?: string }): CsvDataset {
  const { header, rows } = table;
  const t = header.indexOf(o.target);
  if (t < 0) throw new CsvError(`there is no column named "${o.target}" to predict; the columns are ${header.join(', ')}`);
  const featureCols = header.map((_, j) => j).filter((j) => j !== t);
  const n = rows.length, F = featureCols.length;
  const values = rows.map((r) => r[t]);
  let targets: Uint32Array | Float32Array, classValues: number[] | undefined, balance: CsvDataset['balance'];
  let targetMean: number | undefined, targetStd: number | undefined;
  if (o.task === 'classification') {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length > CSV_LIMITS.classes)
      throw new CsvError(`the target column "${o.target}" has ${distinct.length} distinct values, over the limit of ${CSV_LIMITS.classes} classes: choose regression or another column`);
    if (distinct.length < 2) throw new CsvError(`the target column "${o.target}" has a single value (${distinct[0]}): classification needs at least 2 classes`);
    const id = new Map(distinct.map((v, k) => [v, k]));
    const ids = Uint32Array.from(values, (v) => id.get(v)!);
    const counts = new Array<number>(distinct.length).fill(0);
    for (const y of ids) counts[y]++;
    targets = ids;
    classValues = distinct;
    balance = distinct.map((value, k) => ({ value, count: counts[k] }));
  } else {
    [targetMean, targetStd] = meanStd(values);
    targets = Float32Array.from(values, (v) => (v - targetMean!) / targetStd!);
  }
  const mean: number[] = [], std: number[] = [];
  const features = new Float32Array(n * F);
  featureCols.forEach((j, k) => {
    const [m, s] = meanStd(rows.map((r) => r[j]));
    mean.push(m);
    std.push(s);
    for (let i = 0; i < n; i++) features[i * F + k] = (rows[i][j] - m) / s;
  });
  const name = o.name.slice(0, CSV_LIMITS.nameLength);
  const spec: CsvDatasetSpec = {
    kind: 'csv', name, hash: table.hash, rows: n, inputs: F, target: o.target, task: o.task,
    ...(classValues ? { classes: classValues.length } : {}), trainRatio: o.trainRatio ?? 0.8,
  };
  const preview = { header, rows: rows.slice(0, CSV_LIMITS.previewRows).map((r) => Array.from(r, (x) => String(x))) };
  return {
    spec, featureNames: featureCols.map((j) => header[j]), features, targets, preview,
    stats: { mean, std, ...(targetMean !== undefined ? { targetMean, targetStd } : {}) },
    ...(classValues ? { classValues, balance } : {}),
  };
}

/** Rows the model was shown (a showcase): the first feature values, the target and the prediction. */
export interface ShownRows {
  columns: string[];
  rows: { values: number[]; target: number; predicted: number }[];
  classes?: string[];
}

/**
 * What it takes to show a CSV's rows in the file's own words: its spec, feature names, stats and
 * class values, not its rows (a page keeps these of every file it has read).
 */
export type CsvWords = Pick<CsvDataset, 'spec' | 'featureNames' | 'stats' | 'classValues'>;

export const csvWords = ({ spec, featureNames, stats, classValues }: CsvDataset): CsvWords => ({ spec, featureNames, stats, ...(classValues ? { classValues } : {}) });

/**
 * Rows the model was shown (standardised, class ids) in the file's own words: its column names,
 * the values as written (x·std + mean), the target likewise for a regression, and each class as
 * "target value" (the value it stands for in the file).
 */
export function csvRowsAsWritten<T extends ShownRows>(data: T, csv: CsvWords): T {
  const { mean, std, targetMean = 0, targetStd = 1 } = csv.stats;
  const unRow = (vs: number[]) => vs.map((v, k) => v * std[k] + mean[k]);
  const unTarget = (v: number) => (data.classes ? v : v * targetStd + targetMean);
  return {
    ...data,
    columns: csv.featureNames.slice(0, data.columns.length),
    classes: data.classes && csv.classValues ? csv.classValues.map((v) => `${csv.spec.target} ${v}`) : data.classes,
    rows: data.rows.map((r) => ({ ...r, values: unRow(r.values), target: unTarget(r.target), predicted: unTarget(r.predicted) })),
  };
}

/** Mean and standard deviation (1 for a constant column, so it standardises to zeros). */
function meanStd(v: number[]): [number, number] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const s = Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / v.length);
  return [m, s > 1e-12 ? s : 1];
}

/** The whole path from the file's text: read, check, build. */
export function parseCsv(text: string, o: { name: string; target: string; task: CsvTask; trainRatio?: number }): CsvDataset {
  return csvDataset(readCsv(text), o);
}

/** Shapes and loss from the spec alone. */
export function csvInfo(d: CsvDatasetSpec): TaskInfo {
  const { train, test } = splitSizes(d.rows, d.trainRatio);
  const cls = d.task === 'classification';
  return {
    name: d.name, inputShape: [d.inputs], inputVocab: 0,
    output: cls ? { kind: 'class', V: d.classes ?? 2 } : { kind: 'regression', D: 1 }, loss: cls ? 'softmax_cross_entropy' : 'mse',
    symbols: [], trainSize: train, testSize: test,
    description: `your file ${d.name}: ${d.rows} rows, ${d.inputs} feature columns, predicting "${d.target}" (${cls ? `${d.classes} classes` : 'regression'})`,
  };
}

/** Issues with a CSV spec, as [field, message] pairs (the data is checked when the file is read). */
export function csvIssues(d: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const int = (f: string, lo: number, hi: number) => {
    const v = d[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) out.push([f, `must be an integer between ${lo} and ${hi}, got ${JSON.stringify(v)}`]);
  };
  if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > CSV_LIMITS.nameLength) out.push(['name', `must be the file's name, 1 to ${CSV_LIMITS.nameLength} characters`]);
  if (typeof d.hash !== 'string' || !/^[0-9a-f]{16}$/.test(d.hash)) out.push(['hash', 'must be 16 hexadecimal digits (the file\'s fnv1a64)']);
  if (typeof d.target !== 'string' || d.target === '') out.push(['target', 'must name the target column']);
  int('rows', 2, CSV_LIMITS.rows);
  int('inputs', 1, CSV_LIMITS.columns - 1);
  if (d.task !== 'classification' && d.task !== 'regression') out.push(['task', 'must be "classification" or "regression"']);
  if (d.task === 'classification') int('classes', 2, CSV_LIMITS.classes);
  const r = d.trainRatio;
  if (typeof r !== 'number' || !(r >= 0.1 && r <= 0.9)) out.push(['trainRatio', `must be a number between 0.1 and 0.9, got ${JSON.stringify(r)}`]);
  return out;
}

/** Why a dataset cannot stand for this spec (another file, or the same name edited), or null. */
export function csvMismatch(d: CsvDatasetSpec, ds: Pick<CsvDataset, 'spec'>): string | null {
  const s = ds.spec;
  if (s.hash !== d.hash) return `this model was trained on ${d.name} (${d.rows} rows, fingerprint ${d.hash}); the file given has fingerprint ${s.hash}, so it is a different file`;
  if (s.target !== d.target || s.task !== d.task || s.inputs !== d.inputs || s.classes !== d.classes)
    return `the file matches, but the model predicts "${d.target}" (${d.task}) while the data was read for "${s.target}" (${s.task})`;
  return null;
}

/** What a page or trainer says when a CSV model's spec arrives without its rows. */
export function csvNeedsFile(d: CsvDatasetSpec): string {
  return `This model was trained on your own file ${d.name} (${d.rows} rows, predicting "${d.target}"), which never left that browser. Choose the same file to train or evaluate it.`;
}

/** Splits the rows into train and test by a seeded shuffle (disjoint by row). */
export function csvTaskData(d: CsvDatasetSpec, ds: CsvDataset, seed: number): TaskData {
  const why = csvMismatch(d, ds);
  if (why) throw new CsvError(why);
  const info = csvInfo(d);
  const F = d.inputs, n = d.rows;
  const order = new Rng((seed ^ 0xc5f1a7e3) >>> 0).permutation(n);
  const take = (from: number, to: number): TaskSplit => {
    const k = to - from, inputs = new Float32Array(k * F);
    const targets = ds.targets instanceof Uint32Array ? new Uint32Array(k) : new Float32Array(k);
    for (let i = 0; i < k; i++) {
      const r = order[from + i];
      inputs.set(ds.features.subarray(r * F, (r + 1) * F), i * F);
      targets[i] = ds.targets[r];
    }
    return { inputs, targets, n: k };
  };
  return { info, train: take(0, info.trainSize), test: take(info.trainSize, n) };
}
