// A CSV's rows in the file's own words: the showcase's standardised rows turned back into the
// file's values (features, a regression's target) and its classes into the values they stand for;
// and the page's holder of your own data, which builds a run's split from the file it holds and
// keeps each file's words (not its rows) so a run's rows read as written after another file is used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvDataset, csvRowsAsWritten, csvWords, readCsv, type ShownRows } from '../kernels/data/csv.ts';
import { csvWordsFor, holdOwnData, ownData, ownDataFor } from '../app/store/ownData.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { PredictionRows } from '../app/inside/PredictionRows.tsx';

// Three columns with known stats: a (mean 3.1875), b (mean 143.75), y.
const TEXT = 'a,b,y\n1.5,100,0.5\n-2,250,2\n3.25,175,0.5\n10,50,5\n';
const A = [1.5, -2, 3.25, 10], B = [100, 250, 175, 50], Y = [0.5, 2, 0.5, 5];
const meanStd = (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length)];
};
const close = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${what}: ${got} ≠ ${want}`);

/** The showcase of every row as the worker sends it: standardised features (all F shown), the stored target, a prediction. */
function shownOf(ds: ReturnType<typeof csvDataset>, predicted: (i: number) => number, classes?: string[]): ShownRows {
  const F = ds.spec.inputs;
  return {
    columns: Array.from({ length: F }, (_, k) => `x${k + 1}`), ...(classes ? { classes } : {}),
    rows: Array.from({ length: ds.spec.rows }, (_, i) => ({ values: Array.from(ds.features.subarray(i * F, i * F + F)), target: ds.targets[i], predicted: predicted(i) })),
  };
}

test('a regression: the rows, the target and a prediction read back as the file wrote them (to 1e-5)', () => {
  const ds = csvDataset(readCsv(TEXT), { name: 'f.csv', target: 'y', task: 'regression' });
  const [ma, sa] = meanStd(A), [mb, sb] = meanStd(B), [my, sy] = meanStd(Y);
  assert.equal(ma, 3.1875);
  assert.equal(mb, 143.75);
  close(ds.stats.mean[0], ma, 'mean a');
  close(ds.stats.std[1], sb, 'std b');
  close(ds.stats.targetStd!, sy, 'std y');
  // The model predicts 7.25 in the file's units for every row: standardised, (7.25 − mean) / std.
  const shown = shownOf(ds, () => (7.25 - my) / sy);
  assert.ok(Math.abs(shown.rows[3].values[0] - (10 - ma) / sa) < 1e-6, 'the model reads standardised values');
  const w = csvRowsAsWritten(shown, ds);
  assert.deepEqual(w.columns, ['a', 'b']);
  assert.equal(w.classes, undefined);
  w.rows.forEach((r, i) => {
    close(r.values[0], A[i], `row ${i + 1} a`);
    close(r.values[1], B[i], `row ${i + 1} b`);
    close(r.target, Y[i], `row ${i + 1} y`);
    close(r.predicted, 7.25, `row ${i + 1} prediction`);
  });
  // The words alone (no rows) say the same.
  const words = csvWords(ds);
  assert.equal('features' in words, false);
  assert.deepEqual(csvRowsAsWritten(shown, words), w);
});

test('a classification: class ids map back to the values they stand for in the file, features unstandardised', () => {
  const ds = csvDataset(readCsv(TEXT), { name: 'f.csv', target: 'y', task: 'classification' });
  assert.deepEqual(ds.classValues, [0.5, 2, 5]);
  const shown = shownOf(ds, (i) => (i + 1) % 3, ['class 1', 'class 2', 'class 3']);
  const w = csvRowsAsWritten(shown, csvWords(ds));
  assert.deepEqual(w.classes, ['y 0.5', 'y 2', 'y 5']);
  w.rows.forEach((r, i) => {
    assert.equal(w.classes![r.target], `y ${Y[i]}`, `row ${i + 1}'s class`);
    assert.equal(r.predicted, (i + 1) % 3, 'class ids stay ids');
    close(r.values[0], A[i], `row ${i + 1} a`);
    close(r.values[1], B[i], `row ${i + 1} b`);
  });
  // Only the first columns shown are named: a showcase of 1 column names just "a".
  assert.deepEqual(csvRowsAsWritten({ ...shown, columns: ['x1'], rows: [{ values: [shown.rows[0].values[0]], target: 0, predicted: 0 }] }, ds).columns, ['a']);
});

test('your own data: one holder by kind builds the run\'s split from the file it holds, and keeps each file\'s words', () => {
  const one = csvDataset(readCsv(TEXT), { name: 'one.csv', target: 'y', task: 'classification' });
  const two = csvDataset(readCsv(TEXT.replace('10,50,5', '11,50,5')), { name: 'two.csv', target: 'y', task: 'classification' });
  const byA = csvDataset(readCsv(TEXT), { name: 'one.csv', target: 'a', task: 'regression' });
  const spec = (d: typeof one) => ({ ...presetSpec('playground-spiral'), dataset: d.spec });
  assert.equal(ownDataFor(spec(one)), undefined, 'nothing held yet: the worker asks for the file');
  assert.equal(csvWordsFor(one.spec), null);
  holdOwnData('csv', one);
  assert.equal(ownData('csv'), one);
  const split = ownDataFor(spec(one));
  assert.equal(split?.train.n, 3);
  assert.equal(split?.test.n, 1);
  assert.equal(ownDataFor(presetSpec('playground-spiral')), undefined, 'generated data needs nothing from the page');
  // Another file replaces the held one: the first file's run gets no rows (another file), but its words stay.
  holdOwnData('csv', two);
  assert.equal(ownDataFor(spec(one)), undefined);
  assert.equal(ownDataFor(spec(two))?.train.n, 3);
  assert.equal(csvWordsFor(one.spec)?.spec.name, 'one.csv');
  assert.equal(csvWordsFor(two.spec)?.spec.name, 'two.csv');
  // The same file read for another target is other words.
  assert.equal(csvWordsFor(byA.spec), null);
  holdOwnData('csv', byA);
  assert.deepEqual(csvWordsFor(byA.spec)?.featureNames, ['b', 'y']);
  assert.deepEqual(csvWordsFor(one.spec)?.featureNames, ['a', 'b']);
  assert.equal(ownData('text'), null, 'each kind has its own place');
});

test('the Predictions table: the file\'s words when the page has read it; otherwise a caption that says the values are standardised', () => {
  const ds = csvDataset(readCsv(TEXT), { name: 'f.csv', target: 'y', task: 'classification' });
  const rows = shownOf(ds, () => 2, ['class 1', 'class 2', 'class 3']).rows.slice(0, 2).map((r, index) => ({ ...r, index, confidence: 0.9 }));
  const data = { kind: 'rows' as const, rows, columns: ['x1', 'x2'], inputs: 2, target: 'y', classes: ['class 1', 'class 2', 'class 3'] };
  const cells = (html: string) => [...html.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
  const read = renderToStaticMarkup(createElement(PredictionRows, { data, file: ds.spec, words: csvWords(ds) }));
  assert.deepEqual(cells(read).slice(0, 9), ['a', 'b', 'y', 'Prediction', '1.5', '100', 'y 0.5', 'y 5 (90.0%), wrong', '-2']);
  assert.doesNotMatch(read, /Standardised/);
  const unread = renderToStaticMarkup(createElement(PredictionRows, { data, file: ds.spec, words: null }));
  assert.match(unread, /<caption class="hint" data-testid="rows-standardised">Standardised values, as the model reads them: this page has not read f\.csv, so its column names, values and class values are not known here \(x1, x2 are its feature columns in order\)/);
  assert.deepEqual(cells(unread).slice(0, 5), ['x1', 'x2', 'y', 'Prediction', String(Number(rows[0].values[0].toPrecision(3)))]);
  // A playground dataset's names are its own: no such caption.
  assert.doesNotMatch(renderToStaticMarkup(createElement(PredictionRows, { data, file: null, words: null })), /Standardised/);
});
