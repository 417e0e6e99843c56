// The convolutional layers wired through the autodiff graph (model.ts → graph.ts): a small CNN's
// parameter gradients against central finite differences of its mean loss, on CpuBackend('f64').
// This covers what the op cases cannot: the 1×1 conv routed to the matmul, BatchNorm writing
// dgamma/dbeta/dx together, max-pool argmax plumbing, global average pooling as a reduce, and
// gradient accumulation when a conv's input feeds a residual. Run: node --import tsx --test tests/conv-graph.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../kernels/autodiff/graph.ts';
import type { StepParams, Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { buildModel, describeBuffers, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/model/types.ts';

const LAYERS: LayerSpec[] = [
  { kind: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'tanh' }, // (4, 5, 4)
  { kind: 'batchnorm' },
  { kind: 'residual', layers: [{ kind: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'tanh' }] },
  { kind: 'maxpool2d', size: 2, stride: 1 }, // (3, 4, 4)
  { kind: 'conv2d', filters: 5, kernel: 1, activation: 'sigmoid' }, // the matmul route
  { kind: 'avgpool2d', size: 2, stride: 1, padding: 1 }, // (4, 5, 5)
  { kind: 'globalavgpool' }, // (5)
  { kind: 'dense', units: 3 },
];
const IN = [7, 9, 2], B = 3;

test('a small CNN: every parameter gradient matches finite differences of the loss', () => {
  const be = new CpuBackend('f64');
  const info = describeParams(LAYERS, IN);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufInfo = describeBuffers(LAYERS, IN);
  const bufs = be.flat(bufInfo.map((b) => b.shape), 'buffers');
  const init = initParams(info, 3);
  // Non-trivial gamma/beta so that their gradients are exercised away from 1 and 0.
  info.forEach((p, i) => { if (p.name.endsWith('gamma') || p.name.endsWith('beta')) init[i] = Float32Array.from(init[i], (_, j) => 0.8 + 0.1 * j); });
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  const x = g.alloc([B, ...IN], 'x');
  const y = be.tensor([B], 'y', 'u32');
  const metrics = be.tensor([4], 'metrics');
  const rng = new Rng(9);
  be.write(x, Float32Array.from({ length: x.size }, () => rng.normal()));
  be.write(y, Uint32Array.from([0, 2, 1]));
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
  const eps = 1e-6;
  const bad: string[] = [];
  let checked = 0;
  P.views.forEach((t: Tensor, i) => {
    for (let j = 0; j < t.size; j += Math.max(1, Math.floor(t.size / 7))) {
      const k = t.offset + j, w0 = store[k];
      store[k] = w0 + eps; const lp = loss();
      store[k] = w0 - eps; const lm = loss();
      store[k] = w0;
      const num = (lp - lm) / (2 * eps), ana = grads[i][j];
      checked++;
      if (!(Math.abs(num - ana) <= 1e-8 + 1e-5 * Math.max(Math.abs(num), Math.abs(ana)))) bad.push(`${info[i].name}[${j}]: analytic ${ana}, numeric ${num}`);
    }
  });
  assert.ok(checked > 40, `checked ${checked}`);
  assert.deepEqual(bad, []);
  // The 1×1 conv went to the matmul; the others to conv2d kernels.
  const labels = g.forward.map((k) => k.label);
  assert.equal(labels.filter((l) => l.startsWith('conv2d')).length, 2, labels.join(', '));
  assert.ok(labels.some((l) => l.startsWith('matmul')), labels.join(', '));
});
