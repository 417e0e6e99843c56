// Recurrent training on WebGPU in headless Chromium (SwiftShader here): the CI acceptance run
// (an LSTM reverses 4-symbol sequences to ≥ 99% whole-sequence test accuracy: the preset's 5 took
// 300 steps, 4 takes about 175 of cheaper steps, about two minutes) and a few steps of
// every other recurrent preset. Run: node --import tsx --test tests/train-rnn-gpu.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('rnn-suite.ts');

test('lstm-reverse reaches >= 99% whole-sequence test accuracy on WebGPU', { timeout: 900_000 }, async () => {
  const r = await run('lstm-reverse to 99%', { maxSteps: 600, length: 4 });
  console.log(`# lstm-reverse: ${JSON.stringify(r.reachedAt)} (steps, seconds to ≥99%); evals ${JSON.stringify(r.evals)}; ${r.dispatchesPerStep} dispatches/step on ${r.adapter}`);
  assert.ok(r.reachedAt, `never reached 99%: last whole-sequence accuracy ${r.test_seq_accuracy}`);
  assert.ok(r.test_seq_accuracy >= 0.99, `whole-sequence accuracy ${r.test_seq_accuracy}`);
  assert.ok(r.test_accuracy >= 0.99, `token accuracy ${r.test_accuracy}`);
  // Gate activations are kept for the backward and exposed for visualisation: (B, T, 4H), T = 2·4.
  assert.deepEqual(r.taps, [{ name: 'layers.1.lstm0', gates: [64, 8, 256] }]);
});

test('every other recurrent preset trains a few steps with finite, falling loss', { timeout: 300_000 }, async () => {
  const names = ['lstm-addition', 'gru-parity', 'rnn-sine', 'lstm-char'];
  const r = await run('presets run', { names, steps: 20 });
  for (const n of names) {
    const { losses, eval: ev, metric } = r[n];
    console.log(`# ${n}: losses ${losses.map((x: number) => x.toFixed(3)).join(' ')}; eval ${JSON.stringify(ev)}`);
    assert.ok(losses.length >= 3 && losses.every(Number.isFinite), `${n}: losses ${losses}`);
    assert.ok(losses[losses.length - 1] < losses[0], `${n}: loss did not fall (${losses[0]} → ${losses[losses.length - 1]})`);
    assert.ok(ev && Number.isFinite(ev.test_loss), `${n}: no evaluation`);
    if (n === 'rnn-sine') {
      assert.equal(metric.train_accuracy, null, 'regression has no accuracy');
      assert.equal(ev.test_accuracy, null);
    }
    else assert.ok(metric.train_seq_accuracy >= 0 && metric.train_seq_accuracy <= 1, `${n}: sequence accuracy ${metric.train_seq_accuracy}`);
  }
});
