// Text sampling: the CPU step-by-step runner gives the same logits as the engine's batched
// forward pass at every position; sampling is seeded; temperature 0 is greedy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { CHAR_ALPHABET } from '../kernels/data/tasks.ts';
import { buildModel, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { CharStepper, readParams, sampleIndex, sampleText } from '../kernels/train/sample.ts';
import { WindowStepper } from '../kernels/train/sample-window.ts';

const V = CHAR_ALPHABET.length;
const MODELS: Record<string, LayerSpec[]> = {
  lstm: [{ kind: 'embedding', vocab: V, dim: 8 }, { kind: 'lstm', hidden: 12, returnSequences: true }, { kind: 'dense', units: V }],
  'gru ×2': [{ kind: 'embedding', vocab: V, dim: 6 }, { kind: 'gru', hidden: 9, layers: 2, returnSequences: true }, { kind: 'dense', units: V }],
  rnn: [{ kind: 'embedding', vocab: V, dim: 5 }, { kind: 'rnn', hidden: 7, returnSequences: true }, { kind: 'dense', units: V }],
};

for (const [name, layers] of Object.entries(MODELS)) {
  test(`${name}: step-by-step logits equal the batched forward pass`, async () => {
    const T = 9;
    const be = new CpuBackend('f32');
    const info = describeParams(layers, [T]);
    const values = initParams(info, 5);
    const P = info.map((p, i) => {
      const t = be.tensor(p.shape, p.name);
      be.write(t, values[i]);
      return t;
    });
    const g = new Graph(be, false);
    const x = g.alloc([1, T], 'ids');
    const ids = Array.from({ length: T }, (_, i) => (i * 7 + 3) % V);
    be.write(x, Float32Array.from(ids));
    const y: Tensor = buildModel(g, layers, x, { values: P, grads: null });
    be.run(be.program('fwd', g.forward), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: 1 });
    const want = (await be.read(y)) as Float32Array;
    const params = await readParams(be, P);
    const m = new CharStepper(layers, params);
    ids.forEach((id, t) => {
      const got = m.step(id);
      for (let v = 0; v < V; v++) assert.ok(Math.abs(got[v] - want[t * V + v]) < 1e-5, `t=${t} v=${v}: ${got[v]} vs ${want[t * V + v]}`);
    });
  });
}

test('sampling is seeded; temperature 0 is argmax; high temperature spreads', () => {
  const layers = MODELS.lstm;
  const params = initParams(describeParams(layers, [4]), 3);
  const a = sampleText(layers, params, 'in the beginning', 40, 0.8, 11);
  assert.equal(a.length, 40);
  assert.equal(a, sampleText(layers, params, 'in the beginning', 40, 0.8, 11));
  assert.notEqual(a, sampleText(layers, params, 'in the beginning', 40, 0.8, 12));
  assert.ok([...a].every((c) => CHAR_ALPHABET.includes(c)));
  const logits = [0.1, 2, -1, 1.9];
  assert.equal(sampleIndex(logits, 0, new Rng(1)), 1);
  const rng = new Rng(2);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[sampleIndex(logits, 1, rng)]++;
  // softmax([0.1, 2, -1, 1.9]) ≈ [0.073, 0.488, 0.024, 0.414]
  assert.ok(Math.abs(counts[1] / 4000 - 0.488) < 0.03 && Math.abs(counts[2] / 4000 - 0.024) < 0.01, JSON.stringify(counts));
});

test('transformer: the window sampler gives the batched forward pass logits at every position (causal), and refuses a bidirectional model', async () => {
  const T = 8;
  const layers: LayerSpec[] = [
    { kind: 'embedding', vocab: V, dim: 8 }, { kind: 'posenc', type: 'sinusoidal' },
    { kind: 'transformer', heads: 2, layers: 2, mlp: 12, causal: true }, { kind: 'layernorm' }, { kind: 'unembed' },
  ];
  const be = new CpuBackend('f32');
  const info = describeParams(layers, [T]);
  const params = initParams(info, 9);
  const P = info.map((p, i) => {
    const t = be.tensor(p.shape, p.name);
    be.write(t, params[i]);
    return t;
  });
  const g = new Graph(be, false);
  const x = g.alloc([1, T], 'ids');
  const ids = Array.from({ length: T }, (_, i) => (i * 5 + 2) % V);
  be.write(x, Float32Array.from(ids));
  const y = buildModel(g, layers, x, { values: P, grads: null });
  be.run(be.program('fwd', g.forward), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: 1 });
  const want = (await be.read(y)) as Float32Array;
  const m = new WindowStepper(layers, params, T);
  ids.forEach((id, t) => {
    const got = m.step(id);
    for (let v = 0; v < V; v++) assert.ok(Math.abs(got[v] - want[t * V + v]) < 1e-5, `t=${t} v=${v}: ${got[v]} vs ${want[t * V + v]}`);
  });
  // Past the window the sampler keeps the last T characters; sampling is seeded.
  const a = sampleText(layers, params, 'in the beginning god created', 30, 0.8, 4, T);
  assert.equal(a.length, 30);
  assert.equal(a, sampleText(layers, params, 'in the beginning god created', 30, 0.8, 4, T));
  const bidirectional = layers.map((l) => (l.kind === 'transformer' ? { ...l, causal: false } : l));
  assert.throws(() => sampleText(bidirectional, params, 'in', 5, 0.8, 1, T), /needs a causal model/);
});
