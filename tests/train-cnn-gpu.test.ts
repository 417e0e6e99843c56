// Convolutional training on the real WebGPU backend in headless Chromium (SwiftShader here):
// cnn-mnist-small's accuracy, GPU augmentation's determinism, and BatchNorm's running stats.
// Run: node --import tsx --test tests/train-cnn-gpu.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('cnn-suite.ts');

test('GPU augmentation: same seed same batch, another seed another, and it changes the images', { timeout: 120_000 }, async () => {
  const r = await run('augment determinism');
  assert.deepEqual(r.labels, ['gatherBatch', 'augment']);
  assert.ok(r.distinctTensors);
  assert.equal(r.sameSeed, 0, 'same seed, different batch');
  assert.ok(r.otherSeed > 0.1, `another seed changed pixels by at most ${r.otherSeed}`);
  assert.ok(r.vsRaw > 0.1, `augmentation changed pixels by at most ${r.vsRaw}`);
  assert.equal(r.rawSame, 0, 'the gathered batch depends on the seed');
  // Small shifts/rotations/zooms of centred digits keep most of the ink.
  assert.ok(Math.abs(r.meanAug - r.meanRaw) < 0.25 * r.meanRaw, `mean intensity ${r.meanRaw} → ${r.meanAug}`);
});

test('a CNN with BatchNorm and augmentation trains; running stats move; eval uses them', { timeout: 300_000 }, async () => {
  const r = await run('batchnorm cnn');
  console.log(`batchnorm cnn: ${(r.test_accuracy * 100).toFixed(2)}% after ${r.steps} steps; running mean ${r.rm.map((v: number) => v.toFixed(3))}`);
  assert.equal(r.steps, 100);
  assert.ok(r.rm.some((v: number) => Math.abs(v) > 1e-3), 'running mean still zero');
  assert.ok(r.rv.some((v: number) => Math.abs(v - 1) > 1e-3), 'running var still one');
  assert.ok(r.test_accuracy >= 0.7, `test accuracy ${r.test_accuracy}`);
});

test('cnn-mnist-small reaches >= 97% MNIST test accuracy on WebGPU in one epoch', { timeout: 1_200_000 }, async () => {
  const r = await run('cnn-mnist-small accuracy');
  console.log(`cnn-mnist-small: ${(r.test_accuracy * 100).toFixed(2)}% after ${r.steps} steps in ${r.seconds.toFixed(1)} s on ${r.adapter} (${r.dispatches} dispatches per step)`);
  assert.equal(r.done.reason, 'finished');
  assert.equal(r.steps, 937);
  assert.ok(r.test_accuracy >= 0.97, `test accuracy ${r.test_accuracy}`);
});
