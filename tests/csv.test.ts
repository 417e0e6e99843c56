// Your own CSV: good files (BOM, CRLF, quoted fields, blank lines) parse to standardised features
// with the stats, preview and class balance; every bad file is refused with the row (as a
// spreadsheet numbers it, header = row 1), the column or the limit named; a 3-class file trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CSV_LIMITS, CsvError, csvDataset, csvNeedsFile, csvTaskData, fnv1a64, parseCsv, readCsv } from '../kernels/data/csv.ts';
import { Rng } from '../kernels/rng.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { validateSpec } from '../kernels/model/validate.ts';
import type { TrainEvent } from '../kernels/train/events.ts';
import { createSession } from '../kernels/train/session.ts';

const refused = (text: string, msg: RegExp, o = { name: 'f.csv', target: 'y', task: 'classification' as const }) =>
  assert.throws(() => parseCsv(text, o), (e: unknown) => {
    assert.ok(e instanceof CsvError, String(e));
    assert.match(e.message, msg);
    return true;
  });

test('a good file: features standardised with their stats, classes mapped in order, preview and balance', () => {
  const text = 'a,b,y\n1,10,2\n2,20,0\n3,30,2\n4,40,5\n';
  const d = parseCsv(text, { name: 'f.csv', target: 'y', task: 'classification' });
  assert.deepEqual(d.featureNames, ['a', 'b']);
  assert.deepEqual(d.stats.mean, [2.5, 25]);
  assert.ok(Math.abs(d.stats.std[0] - Math.sqrt(1.25)) < 1e-12);
  assert.deepEqual(Array.from(d.features.subarray(0, 2)), [-1.5 / Math.sqrt(1.25), -15 / Math.sqrt(125)].map(Math.fround));
  assert.deepEqual(d.classValues, [0, 2, 5]);
  assert.deepEqual(Array.from(d.targets), [1, 0, 1, 2]);
  assert.deepEqual(d.balance, [{ value: 0, count: 1 }, { value: 2, count: 2 }, { value: 5, count: 1 }]);
  assert.deepEqual(d.preview.rows[0], ['1', '10', '2']);
  assert.deepEqual(d.spec, { kind: 'csv', name: 'f.csv', hash: fnv1a64(text), rows: 4, inputs: 2, target: 'y', task: 'classification', classes: 3, trainRatio: 0.8 });
  // The target can be any column; regression standardises it and keeps its stats.
  const r = parseCsv(text, { name: 'f.csv', target: 'a', task: 'regression' });
  assert.deepEqual(r.featureNames, ['b', 'y']);
  assert.equal(r.stats.targetMean, 2.5);
  assert.ok(r.targets instanceof Float32Array && Math.abs(r.targets[3] - 1.5 / Math.sqrt(1.25)) < 1e-6);
});

test('BOM, CRLF, quoted fields, spaces and blank lines parse like the plain file', () => {
  const plain = readCsv('x,y,label\n1.5,-2,0\n3,4e-1,1\n');
  const fancy = readCsv('\uFEFF"x", y ,"label"\r\n"1.5", -2 ,0\r\n\r\n"3","4e-1","1"\r\n');
  assert.deepEqual(fancy.header, plain.header);
  assert.deepEqual(fancy.rows, plain.rows);
  // The blank line is row 3 in a spreadsheet, so the next row is row 4.
  assert.deepEqual(fancy.rowNumbers, [2, 4]);
  // A quoted field may hold a comma or a newline: still one row.
  refused('"a,1",b,y\n1,2,0\n"7\n",2,1\n4,5,oops\n', /^row 4, column 3 \("y"\): "oops" is not a number/);
});

test('each bad file names its row, column or limit', () => {
  refused('', /^the file is empty/);
  refused('\uFEFF \n\n', /^the file is empty/);
  refused('1,2,3\n4,5,6\n', /^row 1 holds only numbers: the first row must be a header/);
  refused('a,b,y\n1,2,0\n3,4\n5,6,1\n', /^row 3 has 2 values but the header has 3 columns$/);
  refused('a,b,y\n1,2,0\n3,4,1,9\n', /^row 3 has 4 values but the header has 3 columns$/);
  refused('a,b,y\r\n1,2,0\r\n3,x7,1\r\n', /^row 3, column 2 \("b"\): "x7" is not a number; only numeric columns can be used$/);
  refused('a,b,y\n1,,0\n', /^row 2, column 2 \("b"\): the cell is empty/);
  refused('a,,y\n1,2,0\n3,4,1\n', /^row 1, column 2: the header cell is empty/);
  refused('a,a,y\n1,2,0\n3,4,1\n', /^row 1, column 2 \("a"\): the name "a" is also the name of column 1/);
  refused('a,y\n1,0\n', /^the file has 1 data row after the header: at least 2 are needed/);
  refused('a,b,y\n1,2,"0\n', /^row 2: /); // an unterminated quote
  const many = 'a,y\n' + Array.from({ length: 25 }, (_, i) => `${i},${i}`).join('\n');
  refused(many, /^the target column "y" has 25 distinct values, over the limit of 20 classes: choose regression or another column/);
  refused('a,y\n1,3\n2,3\n', /^the target column "y" has a single value \(3\)/);
  refused('a,b\n1,2\n3,4\n', /^there is no column named "y" to predict; the columns are a, b/);
  refused(Array.from({ length: 70 }, (_, i) => `c${i}`).join(',') + '\n', /^row 1 has 70 columns, over the limit of 65$/);
  const rows = 'a,y\n' + '1,0\n'.repeat(CSV_LIMITS.rows + 1);
  refused(rows, /^the file has more than 50,000 data rows \(row 50002 is one too many\), over the limit/);
  refused('a,y\n' + '1'.repeat(CSV_LIMITS.bytes), /^the file is 10\.0 MiB, over the limit of 10 MiB/);
});

/** A CSV of three Gaussian blobs in 4 columns (2 informative, 1 noise, 1 scaled by 1000), label last. */
function blobs(n: number, seed: number): string {
  const rng = new Rng(seed);
  const centres = [[0, 3], [-2.6, -1.5], [2.6, -1.5]];
  const lines = ['"feature one",f2,noise,big,class'];
  for (let i = 0; i < n; i++) {
    const k = i % 3, [cx, cy] = centres[k];
    lines.push([cx + rng.normal(), cy + rng.normal(), rng.normal(), 1000 * (cx + rng.normal()), k + 1].map((v) => String(+v.toFixed(4))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

test('a 3-class CSV of Gaussian blobs trains above 60% quickly on the CPU backend', async () => {
  const text = blobs(600, 11);
  const data = parseCsv(text, { name: 'blobs.csv', target: 'class', task: 'classification' });
  assert.deepEqual(data.balance, [{ value: 1, count: 200 }, { value: 2, count: 200 }, { value: 3, count: 200 }]);
  const spec: ModelSpec = {
    version: 1, dataset: data.spec,
    layers: [{ kind: 'dense', units: 16, activation: 'relu' }, { kind: 'dense', units: 3 }],
    loss: 'softmax_cross_entropy', train: { optimizer: { kind: 'adam' }, lr: 0.01, schedule: { kind: 'constant' }, batchSize: 32, epochs: 5 }, seed: 3,
  };
  assert.deepEqual(validateSpec(spec).errors, []);
  const split = csvTaskData(data.spec, data, spec.seed);
  assert.equal(split.train.n, 480);
  assert.equal(split.test.n, 120);
  // Disjoint by row: every row appears once across the two splits.
  const key = (s: typeof split.train, i: number) => Array.from(s.inputs.subarray(i * 4, i * 4 + 4)).join(',');
  const seen = new Set([...Array.from({ length: 480 }, (_, i) => key(split.train, i)), ...Array.from({ length: 120 }, (_, i) => key(split.test, i))]);
  assert.equal(seen.size, 600);
  const events: TrainEvent[] = [];
  const t0 = performance.now();
  const s = await createSession(spec, { backend: 'cpu', data: split, onEvent: (e) => events.push(e) });
  await s.start();
  const secs = (performance.now() - t0) / 1000;
  const last = events.filter((e) => e.type === 'eval').pop() as Extract<TrainEvent, { type: 'eval' }>;
  console.log(`3-class blob CSV on the CPU backend: test accuracy ${last.test_accuracy} after ${s.step} steps in ${secs.toFixed(2)} s`);
  assert.ok(last.test_accuracy! > 0.85, `test accuracy ${last.test_accuracy}`);
  assert.ok(secs < 30, `${secs} s`);
  await s.dispose();
});

test('a CSV model without its file asks for it; another file is recognised as another', async () => {
  const data = parseCsv(blobs(60, 1), { name: 'blobs.csv', target: 'class', task: 'classification' });
  const spec: ModelSpec = {
    version: 1, dataset: data.spec, layers: [{ kind: 'dense', units: 3 }], loss: 'softmax_cross_entropy',
    train: { optimizer: { kind: 'adam' }, lr: 0.01, schedule: { kind: 'constant' }, batchSize: 8, epochs: 1 }, seed: 1,
  };
  await assert.rejects(createSession(spec, { backend: 'cpu', onEvent: () => {} }), (e: unknown) => {
    assert.ok(e instanceof CsvError);
    assert.equal(e.message, csvNeedsFile(data.spec));
    assert.match(e.message, /^This model was trained on your own file blobs\.csv \(60 rows, predicting "class"\), which never left that browser\. Choose the same file/);
    return true;
  });
  const other = parseCsv(blobs(60, 2), { name: 'blobs.csv', target: 'class', task: 'classification' });
  assert.throws(() => csvTaskData(data.spec, other, 1), /this model was trained on blobs\.csv \(60 rows, fingerprint [0-9a-f]{16}\); the file given has fingerprint [0-9a-f]{16}, so it is a different file/);
  // The spec carries no data, and its fields are checked like any other.
  assert.equal(JSON.stringify(spec.dataset).length < 200, true);
  const bad = { ...spec, dataset: { ...data.spec, hash: 'xyz', classes: 40, trainRatio: 1 } };
  assert.deepEqual(validateSpec(bad).errors.map((e) => e.path), ['dataset.hash', 'dataset.classes', 'dataset.trainRatio']);
  void csvDataset;
});
