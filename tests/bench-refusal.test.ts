// The benchmark refuses figures that do not prove themselves (issue 22): a training line whose loss
// is not finite or did not fall loses its figure and says why (scripts/bench/loss.ts, measure.ts).
// First the rule on plain rows, then on real training runs of a small MLP on the CPU backend: at
// lr 1e-3 its loss falls and the line stands; at lr 1e30 it overflows, and run backwards (lr −1e-3,
// gradient ascent) it rises, and both lines are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelSpec } from '../kernels/model/types.ts';
import { isRefused, lossRefusal } from '../scripts/bench/loss.ts';
import { comparison, measure, type Side, type Timing } from '../scripts/bench/measure.ts';
import { sessionWork } from '../scripts/bench/ours.ts';
import { mnistNode } from './lib/mnist-node.ts';

const timing = (lossStart: number, lossEnd: number): Timing => ({ ms: 10, all: [10, 10, 10], iters: 1, lossStart, lossEnd });
const side = (value: number, lossStart: number, lossEnd: number): Side => ({ value, ms: 10, timing: timing(lossStart, lossEnd) });

test('lossRefusal: a finite loss that fell passes; NaN, infinite, flat, rising or missing losses are refused, naming why', () => {
  assert.equal(lossRefusal(2.3, 0.9), null);
  assert.equal(lossRefusal(NaN, 0.9), 'loss_start is not finite (NaN)');
  assert.equal(lossRefusal(2.3, NaN), 'loss_end is not finite (NaN)');
  assert.equal(lossRefusal(2.3, Infinity), 'loss_end is not finite (Infinity)');
  assert.equal(lossRefusal(0.5, 0.5), 'loss did not fall (loss_start 0.5000, loss_end 0.5000)');
  assert.equal(lossRefusal(0.5, 0.61), 'loss did not fall (loss_start 0.5000, loss_end 0.6100)');
  assert.equal(lossRefusal(undefined, 0.5), 'no loss was read back');
  assert.equal(lossRefusal(0.5, null), 'no loss was read back');
});

test('comparison: a training line with a NaN or rising loss on either side is refused and loses that figure; kernel lines are not checked', () => {
  const good = comparison('train mlp', 'samples/s', side(200, 2.3, 0.9), side(50, 2.2, 1.1));
  assert.equal(good.ratio, 4);
  assert.equal(isRefused(good), false);
  assert.deepEqual([good.loss_start, good.loss_end, good.peer_loss_start, good.peer_loss_end], [2.3, 0.9, 2.2, 1.1]);

  const nan = comparison('train mlp', 'samples/s', side(200, 2.3, NaN), side(50, 2.2, 1.1));
  assert.equal(isRefused(nan), true);
  assert.deepEqual(nan.refused, ['ours: refused: loss_end is not finite (NaN)']);
  assert.equal(nan.ours, null);
  assert.equal(nan.ratio, null);
  assert.equal(nan.ours_error, 'refused: loss_end is not finite (NaN)');
  assert.ok(Number.isNaN(nan.loss_end), 'the row still carries the loss it read');

  const rising = comparison('train lstm', 'samples/s', side(200, 0.2, 0.1), side(50, 0.15, 0.19));
  assert.deepEqual(rising.refused, ['peer: refused: loss did not fall (loss_start 0.1500, loss_end 0.1900)']);
  assert.equal(rising.peer, null);
  assert.equal(rising.ours, 200);
  assert.equal(rising.ratio, null);

  // A side that failed for another reason is an error, not a refusal; a kernel line has no loss.
  const failed = comparison('train cnn cpu vs tfjs-wasm', 'samples/s', side(100, 2.3, 2.0), { value: null, ms: null, error: 'kernel not registered' });
  assert.equal(isRefused(failed), false);
  assert.equal(failed.peer_error, 'kernel not registered');
  const kernel = comparison('matmul n=256', 'GFLOP/s', { value: 1.5, ms: 20 }, { value: 0.5, ms: 60 });
  assert.equal(isRefused(kernel), false);
  assert.equal(kernel.loss_start, undefined);
});

// A small MLP (784-32-10, batch 32) on 512 MNIST images: ten steps on the CPU backend take well under a second.
const SPEC: ModelSpec = {
  version: 1, name: 'bench refusal mlp', dataset: { kind: 'mnist' },
  layers: [{ kind: 'flatten' }, { kind: 'dense', units: 32, activation: 'relu' }, { kind: 'dense', units: 10 }],
  loss: 'softmax_cross_entropy',
  train: { optimizer: { kind: 'adam' }, lr: 1e-3, schedule: { kind: 'constant' }, batchSize: 32, epochs: 1 }, seed: 1,
};
const OPTS = { reps: 3, targetMs: 1, maxIters: 2, lossSteps: 2 };

async function trainedLine(lr: number): Promise<Record<string, unknown>> {
  const w = await sessionWork(SPEC, 'cpu', mnistNode(512, 32), lr);
  try {
    const t = await measure(w, OPTS);
    const ours: Side = { value: (1000 * w.batch) / t.ms, ms: t.ms, timing: t };
    return comparison('train refusal-mlp cpu', 'samples/s', ours, { value: null, ms: null, error: 'no peer in this test' });
  } finally {
    await w.dispose();
  }
}

test('a real run: the loss read back before and after the timed steps falls at lr 1e-3, and the line stands', async () => {
  const r = await trainedLine(1e-3);
  assert.equal(isRefused(r), false, JSON.stringify(r));
  assert.ok((r.ours as number) > 0);
  const start = r.loss_start as number, end = r.loss_end as number;
  // ln 10 ≈ 2.30 at a fresh initialisation; the same two batches after 2 + 3·2 Adam steps score lower.
  assert.ok(start > 1.5 && start < 3.5, `loss_start ${start}`);
  assert.ok(end < start - 0.05, `loss_end ${end} vs loss_start ${start}`);
});

test('a real run that overflows (lr 1e30) and one that climbs (lr −1e-3) are both refused', async () => {
  const nan = await trainedLine(1e30);
  assert.equal(isRefused(nan), true, JSON.stringify(nan));
  assert.match((nan.refused as string[])[0], /^ours: refused: loss_(start|end) is not finite/);
  assert.equal(nan.ours, null);

  const up = await trainedLine(-1e-3);
  assert.equal(isRefused(up), true, JSON.stringify(up));
  assert.match((up.refused as string[])[0], /^ours: refused: loss did not fall/);
  assert.ok(Number.isFinite(up.loss_end) && (up.loss_end as number) > (up.loss_start as number), JSON.stringify(up));
});
