// The Predictions region for playground datasets (and CSV rows, built the same way): each shown test
// point's features, its true class and the model's, on the CPU backend; the circle is learned, so
// the wrong count falls; a regression shows values, not classes. (The page shows a CSV's rows as
// written in its file: e2e/playground.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetSpec } from '../kernels/model/presets.ts';
import { createSession } from '../kernels/train/session.ts';
import { createProbe } from '../kernels/train/predict.ts';
import { showcase } from '../kernels/train/showcase.ts';
import { generatePlayground, type PlaygroundDatasetSpec } from '../kernels/data/playground.ts';

test('playground circle: features, target colour and prediction per test point; fewer wrong after training', async () => {
  const spec = presetSpec('playground-circle');
  const d = spec.dataset;
  assert.equal(d.kind, 'playground');
  const s = await createSession(spec, { backend: 'cpu', onEvent: () => {}, maxSteps: 1500, metricsEvery: 1 << 30 });
  const probe = createProbe(s.c);
  const data = generatePlayground(d as PlaygroundDatasetSpec, spec.seed);
  const n = 40;
  const before = await showcase(s.c, probe, n);
  assert.equal(before.kind, 'rows');
  if (before.kind !== 'rows') return;
  assert.deepEqual(before.classes, ['orange', 'blue']);
  assert.equal(before.target, 'colour');
  assert.deepEqual(before.columns, ['x₁', 'x₂'].slice(0, before.columns.length));
  assert.equal(before.rows.length, n);
  const D = before.inputs;
  before.rows.forEach((r, i) => {
    assert.equal(r.index, i);
    // The shown features are the test split's own row, and the target its label, named.
    assert.deepEqual(r.values, Array.from(data.test.inputs.subarray(i * D, i * D + r.values.length)));
    assert.equal(r.target, data.test.targets[i]);
    assert.ok(r.predicted === 0 || r.predicted === 1);
    assert.ok(r.confidence !== null && r.confidence >= 0.5 && r.confidence <= 1);
  });
  await s.start();
  const after = await showcase(s.c, probe, n);
  if (after.kind !== 'rows') return assert.fail(after.kind);
  const wrong = (x: typeof after) => x.rows.filter((r) => r.predicted !== r.target).length;
  console.log(`circle: ${wrong(before)} of ${n} test points wrong before, ${wrong(after)} after ${s.step} steps`);
  assert.ok(wrong(after) <= n * 0.1, `${wrong(after)} of ${n} wrong after training`);
  assert.ok(wrong(after) < wrong(before) || wrong(before) === 0);
  probe.dispose();
  await s.dispose();
});

test('playground plane (regression): the target and prediction are values, nothing marked wrong', async () => {
  const spec = presetSpec('playground-plane-regression');
  const s = await createSession(spec, { backend: 'cpu', onEvent: () => {}, maxSteps: 1, metricsEvery: 1 << 30 });
  const probe = createProbe(s.c);
  const shown = await showcase(s.c, probe, 4);
  if (shown.kind !== 'rows') return assert.fail(shown.kind);
  assert.equal(shown.classes, undefined, 'a regression has no classes');
  const targets = await s.c.be.read(s.c.testData.labels);
  shown.rows.forEach((r) => {
    assert.equal(r.confidence, null);
    assert.ok(Number.isFinite(r.predicted));
    assert.equal(r.target, targets[r.index]);
  });
  probe.dispose();
  await s.dispose();
});
