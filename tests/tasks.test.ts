// Sequence task generators: seeded (same seed, same data), disjoint train/test, correct targets,
// shapes and vocabularies as declared, and spec validation / shape inference of recurrent models.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IGNORE_LABEL } from '../kernels/backend.ts';
import { CHAR_ALPHABET, CHAR_TEXT_FILE, encodeText, generateTask, sampleSizes, taskExamples, taskInfo, TASK_NAMES, type TaskData, type TaskDatasetSpec } from '../kernels/data/tasks.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import { validateSpec } from '../kernels/model/validate.ts';

const TEXT = readFileSync(join(import.meta.dirname, '..', 'public', CHAR_TEXT_FILE), 'utf8');
const small = (name: TaskDatasetSpec['name'], length: number, extra: Partial<TaskDatasetSpec> = {}): TaskDatasetSpec =>
  ({ kind: 'task', name, length, trainSize: 600, testSize: 150, ...extra });

function rows(d: TaskData, split: 'train' | 'test') {
  const { inLen, outLen } = sampleSizes(d.info);
  const s = d[split];
  return Array.from({ length: s.n }, (_, i) => ({ x: Array.from(s.inputs.subarray(i * inLen, (i + 1) * inLen)), y: Array.from(s.targets.subarray(i * outLen, (i + 1) * outLen)) }));
}

test('every task is seeded: same seed same data, another seed other data', () => {
  for (const name of TASK_NAMES) {
    const spec = small(name, name === 'parity' || name === 'parens' ? 12 : 6);
    const a = generateTask(spec, 7, TEXT), b = generateTask(spec, 7, TEXT), c = generateTask(spec, 8, TEXT);
    assert.deepEqual(a.train.inputs, b.train.inputs, name);
    assert.deepEqual(a.test.targets, b.test.targets, name);
    assert.notDeepEqual(a.train.inputs, c.train.inputs, name);
    assert.equal(a.train.n, 600, name);
    assert.equal(a.test.n, 150, name);
    const { inLen, outLen } = sampleSizes(a.info);
    assert.equal(a.train.inputs.length, 600 * inLen, name);
    assert.equal(a.train.targets.length, 600 * outLen, name);
  }
});

test('train and test are disjoint, and test sequences are distinct', () => {
  for (const name of ['copy', 'reverse', 'sort', 'addition', 'parity', 'parens'] as const) {
    const d = generateTask(small(name, name === 'parity' || name === 'parens' ? 12 : 4), 3);
    const key = (r: { x: number[] }) => r.x.join(',');
    const test = new Set(rows(d, 'test').map(key));
    assert.equal(test.size, d.test.n, `${name}: duplicate test sequences`);
    const overlap = rows(d, 'train').filter((r) => test.has(key(r)));
    assert.equal(overlap.length, 0, `${name}: ${overlap.length} train sequences also in test`);
  }
  // Parity of 10 bits has 1024 strings: the test split takes 150, train draws from the rest only.
  const p = generateTask({ kind: 'task', name: 'parity', length: 10, trainSize: 2000, testSize: 150 }, 1);
  const pt = new Set(rows(p, 'test').map((r) => r.x.join('')));
  assert.ok(rows(p, 'train').every((r) => !pt.has(r.x.join(''))));
  // char: train windows come from the first 90% of the text, test windows from the rest.
  const c = generateTask(small('char', 16), 1, TEXT);
  const trainText = new Set(rows(c, 'train').map((r) => r.x.join(',')));
  assert.ok(rows(c, 'test').every((r) => !trainText.has(r.x.join(','))));
});

test('copy, reverse and sort: separator, masked positions and answers', () => {
  for (const name of ['copy', 'reverse', 'sort'] as const) {
    const d = generateTask(small(name, 5, { symbols: 6 }), 2);
    assert.deepEqual(d.info.inputShape, [10]);
    assert.deepEqual(d.info.output, { kind: 'tokens', T: 10, V: 8 });
    for (const r of rows(d, 'train').slice(0, 50)) {
      const s = r.x.slice(0, 5);
      assert.ok(s.every((v) => v >= 1 && v <= 6));
      assert.deepEqual(r.x.slice(5), [7, 0, 0, 0, 0]); // separator, then blanks
      assert.deepEqual(r.y.slice(0, 5), [IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL]);
      const want = name === 'copy' ? s : name === 'reverse' ? [...s].reverse() : [...s].sort((a, b) => a - b);
      assert.deepEqual(r.y.slice(5), want, name);
    }
  }
});

test('addition: the answer is the sum, least-significant digit first', () => {
  const d = generateTask(small('addition', 3), 4);
  assert.deepEqual(d.info.inputShape, [11]);
  for (const r of rows(d, 'test')) {
    const a = Number(r.x.slice(0, 3).join('')), b = Number(r.x.slice(4, 7).join(''));
    assert.equal(r.x[3], 10);
    assert.equal(r.x[7], 11);
    assert.ok(r.y.slice(0, 7).every((v) => v === IGNORE_LABEL));
    assert.equal(Number(r.y.slice(7).reverse().join('')), a + b);
  }
});

test('parity and balanced parentheses: labels match an independent check; classes are balanced', () => {
  const p = generateTask(small('parity', 16), 5);
  for (const r of rows(p, 'train')) assert.equal(r.y[0], r.x.filter((v) => v === 1).length % 2);
  const q = generateTask(small('parens', 16), 5); // 1430 balanced strings of 16
  let positives = 0;
  for (const r of rows(q, 'train')) {
    let depth = 0, ok = true;
    for (const c of r.x) { depth += c === 0 ? 1 : -1; if (depth < 0) ok = false; }
    assert.equal(r.y[0], ok && depth === 0 ? 1 : 0);
    positives += r.y[0];
  }
  assert.ok(positives > 240 && positives < 360, `balanced: ${positives} of 600`);
});

test('sine: targets continue the wave the inputs sample', () => {
  const d = generateTask(small('sine', 20, { horizon: 2 }), 6);
  assert.deepEqual(d.info.inputShape, [20, 1]);
  assert.deepEqual(d.info.output, { kind: 'regression', D: 2 });
  assert.ok(d.train.targets instanceof Float32Array);
  for (const r of rows(d, 'train').slice(0, 100)) {
    // x_t = A sin(ωt + φ) satisfies x_{t+1} + x_{t-1} = 2cos(ω) x_t; recover cos ω from the inputs.
    const c = (r.x[2] + r.x[0]) / (2 * r.x[1]);
    if (Math.abs(r.x[1]) < 0.2) continue;
    const pred = 2 * c * r.x[19] - r.x[18];
    assert.ok(Math.abs(pred - r.y[0]) < 1e-3, `forecast ${pred} vs target ${r.y[0]}`);
  }
});

test('char: windows of the text, targets shifted by one character', () => {
  const ids = encodeText(TEXT);
  assert.ok(ids.length > 5000, `usable characters: ${ids.length}`);
  const d = generateTask(small('char', 24), 1, TEXT);
  assert.equal(d.info.inputVocab, CHAR_ALPHABET.length);
  const hay = Array.from(ids).join(',');
  for (const r of rows(d, 'train').slice(0, 30)) {
    assert.deepEqual(r.x.slice(1), r.y.slice(0, -1));
    assert.ok(hay.includes([...r.x, r.y[r.y.length - 1]].join(',')), 'window not in the text');
  }
  assert.throws(() => generateTask(small('char', 24), 1), /needs its text/);
});

test('taskExamples: the first test samples of generateTask, drawing only those', () => {
  for (const name of TASK_NAMES) {
    const spec = small(name, name === 'parity' || name === 'parens' ? 12 : 6);
    const full = generateTask(spec, 11, TEXT);
    const { info, examples } = taskExamples(spec, 11, 4, TEXT);
    const { inLen, outLen } = sampleSizes(info);
    assert.equal(examples.n, 4, name);
    assert.deepEqual(examples.inputs, full.test.inputs.subarray(0, 4 * inLen), name);
    assert.deepEqual(examples.targets, full.test.targets.subarray(0, 4 * outLen), name);
    assert.equal(examples.targets.constructor, full.test.targets.constructor, name);
  }
  // Reverse: target positions after the separator hold the input symbols backwards.
  const { examples: r } = taskExamples({ kind: 'task', name: 'reverse', length: 5, symbols: 8 }, 1, 3);
  for (let i = 0; i < 3; i++) {
    const x = Array.from(r.inputs.subarray(i * 10, i * 10 + 5)), y = Array.from(r.targets.subarray(i * 10 + 5, i * 10 + 10));
    assert.deepEqual(y, [...x].reverse());
  }
  // Capped at the test size; n = 0 gives none; another seed gives other samples.
  assert.equal(taskExamples(small('copy', 3, { testSize: 2 }), 1, 10).examples.n, 2);
  assert.equal(taskExamples(small('copy', 3), 1, 0).examples.n, 0);
  assert.notDeepEqual(taskExamples(small('sort', 6), 1, 3).examples.inputs, taskExamples(small('sort', 6), 2, 3).examples.inputs);
  // Cheap at the largest sizes (generateTask would draw 400,000 samples here).
  const big: TaskDatasetSpec = { kind: 'task', name: 'addition', length: 40, trainSize: 200000, testSize: 200000 };
  const t0 = performance.now();
  assert.equal(taskExamples(big, 1, 6).examples.n, 6);
  assert.ok(performance.now() - t0 < 250, `taskExamples took ${performance.now() - t0} ms`);
});

test('recurrent presets validate, infer shapes and count parameters like torch', () => {
  for (const name of ['lstm-reverse', 'lstm-addition', 'gru-parity', 'rnn-sine', 'lstm-char']) {
    const s = presetSpec(name);
    assert.deepEqual(validateSpec(s).errors, [], name);
    assert.deepEqual(inferShapes(s).errors, [], name);
  }
  const r = inferShapes(presetSpec('lstm-reverse'));
  // embedding 10×16; LSTM 4·64·(16 + 64) + 2·4·64 (torch's two biases); dense 64·10 + 10.
  assert.deepEqual(r.layers.map((l) => l.params), [160, 4 * 64 * 80 + 512, 650]);
  assert.deepEqual(r.layers.map((l) => l.outShape), [[10, 16], [10, 64], [10, 10]]);
  const g = inferShapes(presetSpec('gru-parity'));
  assert.deepEqual(g.layers.map((l) => l.outShape), [[12, 8], [32], [2]]);
  assert.equal(g.layers[1].params, 3 * 32 * (8 + 32) + 2 * 3 * 32);
  const stacked = presetSpec('rnn-sine');
  stacked.layers[0] = { kind: 'rnn', hidden: 32, layers: 3 };
  assert.equal(inferShapes(stacked).layers[0].params, 32 * (1 + 32) + 64 + 2 * (32 * 64 + 64));
});

test('recurrent specs: bad fields and shapes name the layer, kind and field', () => {
  const s = presetSpec('lstm-reverse') as unknown as { layers: Record<string, unknown>[]; dataset: Record<string, unknown> };
  s.layers[0].dim = 0;
  s.layers[1].hidden = 1.5;
  s.layers[1].layers = 0;
  s.layers[1].returnSequences = 'yes';
  s.layers[1].forgetBias = 100;
  const by = Object.fromEntries(validateSpec(s).errors.map((e) => [e.path, e]));
  assert.match(by['layers[0] (embedding).dim'].message, /integer between 1 and/);
  assert.equal(by['layers[1] (lstm).hidden'].layer, 1);
  assert.match(by['layers[1] (lstm).layers'].message, /got 0/);
  assert.match(by['layers[1] (lstm).returnSequences'].message, /true or false/);
  assert.match(by['layers[1] (lstm).forgetBias'].message, /between -10 and 10/);
  const d = presetSpec('lstm-reverse') as unknown as { dataset: Record<string, unknown> };
  d.dataset.name = 'tetris';
  assert.match(validateSpec(d).errors[0].message, /must be one of copy, reverse/);
  // Shapes: an LSTM on token ids without an embedding; a last-state LSTM on a per-token task.
  const noEmb = presetSpec('lstm-reverse');
  noEmb.layers.shift();
  assert.match(inferShapes(noEmb).errors[0].message, /needs a sequence \(T, features\), got \(10\): add an Embedding/);
  assert.equal(inferShapes(noEmb).errors[0].layer, 0);
  const last = presetSpec('lstm-reverse');
  last.layers[1] = { kind: 'lstm', hidden: 64 };
  assert.match(inferShapes(last).errors[0].message, /needs \(10, 10\) outputs per sample .* ends in \(10\)/);
  const mse = presetSpec('gru-parity');
  mse.loss = 'mse';
  assert.match(inferShapes(mse).errors[0].message, /classification: use softmax_cross_entropy/);
  assert.equal(taskInfo({ kind: 'task', name: 'addition', length: 4 }).inputShape[0], 14);
});
