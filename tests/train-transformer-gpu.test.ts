// Transformer training on WebGPU in headless Chromium (SwiftShader here): the CI acceptance run
// (a 2-block transformer encoder reverses 5-symbol sequences to ≥ 99% whole-sequence test
// accuracy) and a few steps of every other transformer preset, vit-mnist included.
// Run: node --import tsx --test tests/train-transformer-gpu.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('transformer-suite.ts');

test('transformer-reverse reaches >= 99% whole-sequence test accuracy on WebGPU', { timeout: 900_000 }, async () => {
  const r = await run('to accuracy', { preset: 'transformer-reverse', maxSteps: 1000, target: 0.99, evalEvery: 50 });
  console.log(`# transformer-reverse: ${JSON.stringify(r.reachedAt)} (steps, seconds to ≥99%); evals ${JSON.stringify(r.evals)}; ${r.dispatchesPerStep} dispatches/step on ${r.adapter}`);
  assert.ok(r.reachedAt, `never reached 99%: last whole-sequence accuracy ${r.test_seq_accuracy}`);
  assert.ok(r.test_seq_accuracy >= 0.99 && r.test_accuracy >= 0.99, `accuracy ${r.test_seq_accuracy} / ${r.test_accuracy}`);
  // Each block's attention keeps only its log-sum-exps (B, heads, T) for the backward and the viewer.
  assert.deepEqual(r.attention, [
    { name: 'layers.2.b0.attn', heads: 2, causal: false, lse: [64, 2, 10] },
    { name: 'layers.2.b1.attn', heads: 2, causal: false, lse: [64, 2, 10] },
  ]);
  // The weights recomputed on demand are distributions over the 10 positions.
  assert.deepEqual(r.maps.map((m: { name: string; T: number; tokens: number }) => [m.name, m.T, m.tokens]), [['layers.2.b0.attn', 10, 10], ['layers.2.b1.attn', 10, 10]]);
  assert.ok(r.rowSumError < 1e-5, `attention rows sum to 1 within ${r.rowSumError}`);
  console.log(`# strongest key per query, per layer and head: ${JSON.stringify(r.argmax)}`);
});

test('every other transformer preset trains a few steps with finite, falling loss', { timeout: 600_000 }, async () => {
  const names = ['transformer-sort', 'transformer-addition', 'transformer-char', 'vit-mnist'];
  const r = await run('presets run', { names, steps: 12 });
  for (const n of names) {
    const { losses, eval: ev } = r[n];
    console.log(`# ${n}: losses ${losses.map((x: number) => x.toFixed(3)).join(' ')}; eval ${JSON.stringify(ev)}`);
    assert.ok(losses.length >= 3 && losses.every(Number.isFinite), `${n}: losses ${losses}`);
    assert.ok(losses[losses.length - 1] < losses[0], `${n}: loss did not fall (${losses[0]} → ${losses[losses.length - 1]})`);
    assert.ok(ev && Number.isFinite(ev.test_loss), `${n}: no evaluation`);
  }
});
