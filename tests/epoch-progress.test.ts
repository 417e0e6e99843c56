// The epoch bar's words: once steps were taken they never read 0.0% (issue 20: "Paused at step 241"
// beside "0.0%"), whether the metrics lag behind the pause or the run stands at an epoch boundary.
// Run: node --import tsx --test tests/epoch-progress.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochProgress } from '../app/training/Progress.tsx';

test('paused past the last metrics: the session step counts', () => {
  // 240 steps per epoch, metrics last at step 240 (epoch 1.0), paused at step 241.
  assert.equal(epochProgress(1, 240, 241, 240, 3).text, 'Epoch 2 of 3, 0.4%');
  // No metrics yet at all, 5 steps taken.
  assert.equal(epochProgress(null, null, 5, 235, 1).text, 'Epoch 1 of 1, 2.1%');
});

test('at an epoch boundary the finished epoch reads 100%; a sliver reads "under 0.1%"; nothing run reads 0.0%', () => {
  assert.equal(epochProgress(1, 240, 240, 240, 3).text, 'Epoch 1 of 3, 100.0%');
  assert.equal(epochProgress(3, 720, 720, 240, 3).text, 'Epoch 3 of 3, 100.0%');
  assert.equal(epochProgress(null, null, 1, 5000, 2).text, 'Epoch 1 of 2, under 0.1%');
  assert.equal(epochProgress(null, null, null, 240, 2).text, 'Epoch 1 of 2, 0.0%');
  const p = epochProgress(0.5, 120, 100, 240, 2);
  assert.equal(p.text, 'Epoch 1 of 2, 50.0%');
  assert.equal(p.frac, 0.5);
});
