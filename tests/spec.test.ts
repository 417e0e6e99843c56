// Spec validation, shape inference, memory estimate, schedules and the MNIST parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIdx } from '../kernels/data/mnist.ts';
import { lrAt } from '../kernels/optim/schedule.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import { validateSpec } from '../kernels/model/validate.ts';
import { mnistNode } from './lib/mnist-node.ts';

test('every preset validates and infers shapes without errors', () => {
  for (const name of Object.keys(PRESETS)) {
    const s = presetSpec(name);
    assert.deepEqual(validateSpec(s).errors, [], name);
    assert.deepEqual(inferShapes(s).errors, [], name);
  }
  const r = inferShapes(presetSpec('mlp-mnist'));
  assert.equal(r.totalParams, 784 * 1024 + 1024 + 1024 * 1024 + 1024 + 1024 * 10 + 10);
  assert.deepEqual(r.layers.map((l) => l.outShape), [[784], [1024], [1024], [10]]);
  assert.deepEqual(r.layers.map((l) => l.params), [0, 803840, 1049600, 10250]);
});

test('invalid fields are refused with the layer index, kind and field named', () => {
  const s = presetSpec('mlp-mnist-small') as unknown as { layers: Record<string, unknown>[]; train: Record<string, unknown> };
  s.layers[1].units = 0;
  s.layers.push({ kind: 'dropout', rate: 1.5 });
  s.layers.push({ kind: 'conv9' });
  s.train.lr = -1;
  const r = validateSpec(s);
  assert.equal(r.ok, false);
  const by = Object.fromEntries(r.errors.map((e) => [e.path, e]));
  assert.match(by['layers[1] (dense).units'].message, /integer between 1 and 8192, got 0/);
  assert.equal(by['layers[1] (dense).units'].layer, 1);
  assert.match(by['layers[3] (dropout).rate'].message, /between 0 and 0.95, got 1.5/);
  assert.match(by['layers[4].kind'].message, /unknown layer kind "conv9"/);
  assert.match(by['train.lr'].message, /got -1/);
  assert.equal(r.errors.length, 4);
  assert.equal(validateSpec(null).ok, false);
  assert.equal(validateSpec({ version: 2 }).errors[0].path, 'version');
});

test('shape errors name the layer: wrong output width, residual that changes shape', () => {
  const s = presetSpec('mlp-mnist-small');
  s.layers[2] = { kind: 'dense', units: 7 };
  const e = inferShapes(s).errors;
  assert.equal(e.length, 1);
  assert.equal(e[0].layer, 2);
  assert.match(e[0].message, /must end in 10 outputs per sample .* ends in \(7\)/);
  const r = presetSpec('mlp-mnist-small');
  r.layers.splice(2, 0, { kind: 'residual', layers: [{ kind: 'dense', units: 64, activation: 'relu' }] });
  const e2 = inferShapes(r).errors;
  assert.equal(e2[0].layer, 2);
  assert.match(e2[0].message, /maps \(128\) to \(64\)/);
  const nf = presetSpec('mlp-mnist-small');
  nf.layers.shift();
  assert.match(inferShapes(nf).errors[0].message, /add a Flatten/);
});

test('transformer layers: fields checked, shapes and parameter counts inferred, misuse named', () => {
  const t = presetSpec('transformer-reverse');
  const r = inferShapes(t);
  assert.deepEqual(r.layers.map((l) => l.outShape), [[10, 32], [10, 32], [10, 32], [10, 32], [10, 10]]);
  // Per block: 2 LayerNorms (4·32), QKV 32·96 + 96, projection 32·32 + 32, MLP 32·64 + 64 + 64·32 + 32.
  const block = 4 * 32 + 32 * 96 + 96 + 32 * 32 + 32 + 32 * 64 + 64 + 64 * 32 + 32;
  assert.deepEqual(r.layers.map((l) => l.params), [10 * 32, 10 * 32, 2 * block, 64, 32 * 10 + 10]);
  const bad = presetSpec('transformer-reverse') as unknown as { layers: Record<string, unknown>[] };
  bad.layers[1] = { kind: 'posenc', type: 'rotary' };
  bad.layers[2] = { kind: 'transformer', heads: 0, norm: 'middle', dropout: 2 };
  const by = Object.fromEntries(validateSpec(bad).errors.map((e) => [e.path, e.message]));
  assert.match(by['layers[1] (posenc).type'], /sinusoidal" or "learned/);
  assert.match(by['layers[2] (transformer).heads'], /between 1 and 64, got 0/);
  assert.match(by['layers[2] (transformer).norm'], /"pre" or "post"/);
  assert.match(by['layers[2] (transformer).dropout'], /got 2/);
  const heads = presetSpec('transformer-reverse');
  heads.layers[2] = { kind: 'transformer', heads: 5 };
  assert.match(inferShapes(heads).errors[0].message, /width 32 must divide evenly into 5 heads/);
  const noEmbed = presetSpec('transformer-reverse');
  noEmbed.layers.shift();
  const e = inferShapes(noEmbed).errors;
  assert.equal(e[0].layer, 0);
  assert.match(e[0].message, /needs a sequence of vectors \(T, D\), got \(10\): add an Embedding/);
  const tied = presetSpec('transformer-char');
  assert.deepEqual(inferShapes(tied).layers[4].outShape, [32, 36]);
  // Without an Embedding the first error is the Positions layer's (token ids are no sequence of
  // vectors), and it is the only one: the layers after it are not inferred, so nothing repeats.
  tied.layers.splice(0, 1, { kind: 'dense', units: 64 });
  const cascade = inferShapes(tied).errors;
  assert.deepEqual(cascade.map((x) => x.layer), [1], JSON.stringify(cascade));
  // A tied unembed on a sequence of values with no Embedding anywhere before it.
  const sine = presetSpec('rnn-sine');
  sine.layers = [{ kind: 'lstm', hidden: 16, returnSequences: true }, { kind: 'unembed' }];
  assert.ok(inferShapes(sine).errors.some((x) => x.layer === 1 && /shares the weights of an Embedding, so one must come before it/.test(x.message)));
  const vit = presetSpec('vit-mnist');
  assert.deepEqual(inferShapes(vit).layers.map((l) => l.outShape), [[16, 64], [16, 64], [16, 64], [16, 64], [64], [10]]);
  vit.layers[0] = { kind: 'patches', size: 5, dim: 64 };
  assert.match(inferShapes(vit).errors[0].message, /patches of 5×5 do not tile a 28×28 image/);
});

test('memory estimate grows with batch and parameters', () => {
  const a = presetSpec('mlp-mnist');
  const m1 = inferShapes(a).memoryBytes;
  a.train.batchSize *= 2;
  const m2 = inferShapes(a).memoryBytes;
  assert.ok(m2 > m1);
  // params + grads + Adam m, v = 16 bytes per parameter at least
  assert.ok(m1 > 16 * inferShapes(a).totalParams);
});

test('learning-rate schedules', () => {
  const c = 1e-2;
  assert.equal(lrAt(c, { kind: 'constant' }, 500), c);
  assert.equal(lrAt(c, { kind: 'step', everySteps: 100, gamma: 0.5 }, 250), c * 0.25);
  assert.ok(Math.abs(lrAt(c, { kind: 'exponential', gamma: 0.1 }, 2000) - c * 0.01) < 1e-12);
  assert.equal(lrAt(c, { kind: 'cosine', totalSteps: 100 }, 0), c);
  assert.ok(Math.abs(lrAt(c, { kind: 'cosine', totalSteps: 100 }, 50) - c / 2) < 1e-12);
  assert.ok(Math.abs(lrAt(c, { kind: 'cosine', totalSteps: 100, minLr: 1e-3 }, 100) - 1e-3) < 1e-12);
  assert.equal(lrAt(c, { kind: 'constant' }, 0, 10), c / 10);
  assert.equal(lrAt(c, { kind: 'constant' }, 9, 10), c);
  assert.equal(lrAt(c, { kind: 'step', everySteps: 10, gamma: 0.5 }, 19, 10), c); // the schedule starts after warm-up
  assert.equal(lrAt(c, { kind: 'step', everySteps: 10, gamma: 0.5 }, 20, 10), c * 0.5);
});

test('MNIST idx files parse with the right sizes and labels; corrupt files are refused', () => {
  const m = mnistNode();
  assert.equal(m.train.n, 60000);
  assert.equal(m.test.n, 10000);
  assert.equal(m.train.labels[0], 5); // the first training digit is a 5
  assert.equal(m.test.labels[0], 7);
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9, 1]), 'x'), /expected 17 bytes for dims 9, got 9/);
  assert.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]), 'x'), /not an unsigned-byte idx file/);
});
