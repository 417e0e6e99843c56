// The reference the conv + max pool fusion is held to (issue #22): on CpuBackend('f64'), whose
// plain ops (conv → act → max pool; backward through all three) the GPU's fused kernels are
// compared with in tests/convpool-gpu.test.ts (same layers, same seeded parameters and batch),
// every parameter gradient of the model must match central finite differences of its loss.
// Run: node --import tsx --test tests/convpool.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../kernels/autodiff/graph.ts';
import type { StepParams, Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { buildModel, describeBuffers, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';

// The model of tests/convpool-gpu.test.ts: two conv → max pool pairs the GPU graph fuses.
const LAYERS: LayerSpec[] = [
  { kind: 'conv2d', filters: 6, kernel: 3, padding: 'valid', activation: 'relu' }, // (9, 11, 6)
  { kind: 'maxpool2d', size: 2 }, // (4, 5, 6): the last conv row and column in no window
  { kind: 'conv2d', filters: 5, kernel: 2, padding: 'same', activation: 'tanh' }, // (4, 5, 5)
  { kind: 'maxpool2d', size: 3 }, // (1, 1, 5)
  { kind: 'flatten' },
  { kind: 'dense', units: 3 },
];
const IN = [11, 13, 2], B = 3;

test('conv → act → max pool, twice: every parameter gradient matches finite differences (CPU f64, the fused kernels\' reference)', () => {
  const be = new CpuBackend('f64');
  const info = describeParams(LAYERS, IN);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufs = be.flat(describeBuffers(LAYERS, IN).map((b) => b.shape), 'buffers');
  const init = initParams(info, 5);
  info.forEach((p, i) => { if (p.name.endsWith('.b')) init[i] = Float32Array.from(init[i], (_, j) => 0.1 * ((j % 5) - 2)); });
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  const x = g.alloc([B, ...IN], 'x');
  const y = be.tensor([B], 'y', 'u32');
  const metrics = be.tensor([4], 'metrics');
  const rng = new Rng(11);
  be.write(x, Float32Array.from({ length: x.size }, () => rng.normal()));
  be.write(y, Uint32Array.from({ length: B }, (_, i) => (i * 7) % 3));
  const logits = buildModel(g, LAYERS, x, { values: P.views, grads: G.views, buffers: bufs.views });
  g.softmaxCrossEntropy(logits, y, metrics);
  const prog = be.program('step', [...g.forward, ...g.backward()]);
  const fwd = be.program('forward', g.forward);
  const p: StepParams = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: B };
  const M = metrics.store as Float64Array;
  const loss = () => { M.fill(0); be.run(fwd, p); return M[0] / B; };
  M.fill(0);
  be.run(prog, p);
  const grads = G.views.map((t) => Float64Array.from((t.store as Float64Array).subarray(t.offset, t.offset + t.size)));
  const store = P.flat.store as Float64Array;
  const eps = 1e-6, bad: string[] = [];
  let checked = 0;
  P.views.forEach((t: Tensor, i) => {
    for (let j = 0; j < t.size; j += Math.max(1, Math.floor(t.size / 12))) {
      const k = t.offset + j, w0 = store[k];
      store[k] = w0 + eps; const lp = loss();
      store[k] = w0 - eps; const lm = loss();
      store[k] = w0;
      const num = (lp - lm) / (2 * eps), ana = grads[i][j];
      checked++;
      if (!(Math.abs(num - ana) <= 1e-8 + 1e-5 * Math.max(Math.abs(num), Math.abs(ana)))) bad.push(`${info[i].name}[${j}]: analytic ${ana}, numeric ${num}`);
    }
  });
  assert.ok(checked >= 50, `checked ${checked}`);
  assert.deepEqual(bad, []);
  // Every gradient is nonzero somewhere: the pools pass gradient through to both convs.
  grads.forEach((gr, i) => assert.ok(gr.some((v) => v !== 0), `${info[i].name}: all zero`));
  // The CPU records the plain pair (it has no fused forms).
  const labels = g.forward.map((k) => k.label);
  assert.equal(labels.filter((l) => l.startsWith('conv2d+maxpool')).length, 0, labels.join(', '));
});
