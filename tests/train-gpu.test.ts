// Training on the real WebGPU backend in headless Chromium (SwiftShader here): accuracy reached,
// one submission per step, pool bytes flat, determinism, refusals and divergence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('train-suite.ts');

test('mlp-mnist-small reaches >= 95% MNIST test accuracy on WebGPU in one epoch', { timeout: 400_000 }, async () => {
  const r = await run('mlp-mnist-small accuracy');
  console.log(`mlp-mnist-small: ${(r.test_accuracy * 100).toFixed(2)}% after ${r.steps} steps in ${r.seconds.toFixed(1)} s on ${r.adapter}`);
  assert.equal(r.steps, 937);
  assert.equal(r.done.reason, 'finished');
  assert.ok(r.test_accuracy >= 0.95, `test accuracy ${r.test_accuracy}`);
});

test('a training step is one submission with no awaited readback, and pool bytes do not grow', { timeout: 200_000 }, async () => {
  const r = await run('step counters and pool bytes');
  assert.equal(r.steps, 108);
  // Every train step is one submission; the two evaluations add one submission per test batch.
  assert.equal(r.submits, r.steps + r.evalSubmits, JSON.stringify(r));
  assert.equal(r.reads, 0, 'no awaited read inside the loop');
  // mlp-mnist-small: gather 1 + 2 matmuls + softmax-CE 1 + backward 3 ([dW; db] ×2 as one matmul
  // each, dx with relu' in its epilogue) + optimizer 1 = 8; 11 before the dense backward fusions (#12).
  assert.equal(r.programDispatches, 8, `dispatches per step ${r.programDispatches}`);
  assert.equal(r.dispatches, r.steps * r.programDispatches + r.evalSubmits * r.evalDispatches, 'dispatch accounting');
  assert.equal(r.bytesAfter, r.bytesBefore, `pool bytes grew from ${r.bytesBefore} to ${r.bytesAfter} over ${r.steps} steps`);
  assert.equal(r.bytesAfterDispose, 0, `bytes in use after dispose: ${r.bytesAfterDispose}`);
});

test('same seed gives the same loss curve with dropout; another seed another', { timeout: 200_000 }, async () => {
  const r = await run('determinism');
  assert.equal(r.a.length, 6);
  assert.deepEqual(r.a, r.b);
  assert.notDeepEqual(r.a, r.c);
});

test('a model over the memory budget is refused before allocation, with estimate and limit', { timeout: 60_000 }, async () => {
  const r = await run('memory refusal');
  assert.ok(r.refused, 'should have been refused');
  assert.match(r.message, /needs about [\d.]+ (MiB|GiB) to train, over the memory budget of 512\.0 MiB/);
});

test('a non-finite loss stops training with a clear message', { timeout: 120_000 }, async () => {
  const r = await run('divergence');
  assert.equal(r.done?.reason, 'diverged', JSON.stringify(r));
  assert.match(r.done.message, /loss became non-finite/);
  assert.equal(r.nanMetrics, 0, 'no NaN point reaches the charts');
  assert.ok(r.steps < 60, `stopped at ${r.steps}`);
});

test('a lost device stops training with one clear error event', { timeout: 120_000 }, async () => {
  const r = await run('device lost mid-run');
  assert.equal(r.errors.length, 1, JSON.stringify(r));
  assert.match(r.errors[0], /GPU device was lost .*Training stopped/);
  assert.equal(r.running, false);
  assert.equal(r.finished, false);
  assert.ok(r.step < 100, `stopped at ${r.step}`);
});
