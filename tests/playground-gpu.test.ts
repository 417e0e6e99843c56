// The boundary grid on WebGPU (headless Chromium; SwiftShader where there is no GPU) matches the
// CPU backend's grid computed from the same weights, over all 64×64 points of a trained XOR model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('playground-suite.ts');

test('the 64×64 boundary grid on WebGPU matches the CPU backend on the same weights', { timeout: 300_000 }, async () => {
  const r = await run('grid: webgpu vs cpu on the same weights');
  console.log(`grid on ${r.adapter}: ${r.n} points in ${r.ms.toFixed(1)} ms (first call ${r.firstMs.toFixed(0)} ms), largest |Δp| ${r.worst.toExponential(2)}, XOR test accuracy ${r.test_accuracy}`);
  assert.equal(r.backend, 'webgpu');
  assert.equal(r.n, 4096);
  assert.ok(r.worst < 1e-4, `largest difference ${r.worst}`);
  assert.ok(r.spread > 0.5, `a trained XOR model's picture is not flat (spread ${r.spread})`);
  assert.ok(r.test_accuracy > 0.9, `XOR test accuracy ${r.test_accuracy}`);
});
