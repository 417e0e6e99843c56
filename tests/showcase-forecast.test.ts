// The Predictions region's sine forecast, on the CPU backend: each shown test row carries its input
// window, the true continuation (the test target first, then the same wave) and the model's
// forecast (direct, then fed its own forecasts); the error falls as the RNN trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetSpec } from '../kernels/model/presets.ts';
import { createSession } from '../kernels/train/session.ts';
import { createProbe } from '../kernels/train/predict.ts';
import { continueSine, FORECAST_STEPS, showcase } from '../kernels/train/showcase.ts';

test('continueSine extends a sampled sine wave by its recurrence, to float32 rounding', () => {
  const A = 0.7, w = 0.45, phi = 1.3;
  const f = (t: number) => Math.fround(A * Math.sin(w * t + phi));
  const known = Array.from({ length: 21 }, (_, t) => f(t));
  const out = continueSine(known, 40);
  assert.equal(out.length, 40);
  assert.deepEqual(out.slice(0, 21), known);
  let worst = 0;
  for (let t = 21; t < 40; t++) worst = Math.max(worst, Math.abs(out[t] - A * Math.sin(w * t + phi)));
  assert.ok(worst < 1e-4, `worst error ${worst}`);
});

test('the sine forecast: window, truth from the test targets, the model forecast, error falling with training', async () => {
  const spec = presetSpec('rnn-sine');
  spec.dataset = { kind: 'task', name: 'sine', length: 20, horizon: 1, trainSize: 4000, testSize: 100 };
  const s = await createSession(spec, { backend: 'cpu', onEvent: () => {}, maxSteps: 400, metricsEvery: 1 << 30 });
  const probe = createProbe(s.c);
  const targets = await s.c.be.read(s.c.testData.labels);
  const before = await showcase(s.c, probe, 3);
  assert.equal(before.kind, 'forecast');
  if (before.kind !== 'forecast') return;
  assert.equal(before.rows.length, 3);
  assert.equal(before.steps, FORECAST_STEPS);
  for (const r of before.rows) {
    assert.equal(r.input.length, 20);
    assert.equal(r.truth.length, FORECAST_STEPS);
    assert.equal(r.predicted.length, FORECAST_STEPS);
    assert.equal(r.truth[0], targets[r.index], `row ${r.index}: the first true value is the test target`);
    assert.ok(r.truth.every((v) => Math.abs(v) <= 1.0001), 'the continued wave keeps its amplitude (≤ 1)');
    assert.ok(r.predicted.every(Number.isFinite));
  }
  await s.start();
  assert.equal(s.step, 400);
  const after = await showcase(s.c, probe, 3);
  assert.equal(after.kind, 'forecast');
  if (after.kind !== 'forecast') return;
  console.log(`sine forecast MAE before ${before.mae.toFixed(4)} (rollout ${before.rolloutMae.toFixed(4)}), after 400 steps ${after.mae.toFixed(4)} (rollout ${after.rolloutMae.toFixed(4)})`);
  assert.deepEqual(after.rows.map((r) => r.truth), before.rows.map((r) => r.truth), 'the same test rows and truth');
  assert.ok(after.mae < before.mae / 2, `direct MAE ${before.mae} → ${after.mae}`);
  assert.ok(after.mae < 0.1, `direct MAE ${after.mae}`);
  assert.ok(after.rolloutMae < before.rolloutMae, `rollout MAE ${before.rolloutMae} → ${after.rolloutMae}`);
  probe.dispose();
  await s.dispose();
});
