// The convolutional layers wired through the autodiff graph (model.ts → graph.ts): a small CNN's
// parameter gradients against central finite differences of its mean loss, on CpuBackend('f64').
// This covers what the op cases cannot: the 1×1 conv routed to the matmul, BatchNorm writing
// dgamma/dbeta/dx together, max-pool argmax plumbing, global average pooling as a reduce, and
// gradient accumulation when a conv's input feeds a residual. Run: node --import tsx --test tests/conv-graph.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec } from '../kernels/model/types.ts';
import { finiteDiff } from './lib/graph-fd.ts';

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
  const { checked, bad, labels } = finiteDiff({
    layers: LAYERS, input: IN, batch: B, initSeed: 3, dataSeed: 9, labels: Uint32Array.from([0, 2, 1]), perParam: 7,
    // Non-trivial gamma/beta so that their gradients are exercised away from 1 and 0.
    tweak: (info, init) => info.forEach((p, i) => { if (p.name.endsWith('gamma') || p.name.endsWith('beta')) init[i] = Float32Array.from(init[i], (_, j) => 0.8 + 0.1 * j); }),
  });
  assert.ok(checked > 40, `checked ${checked}`);
  assert.deepEqual(bad, []);
  // The 1×1 conv went to the matmul; the others to conv2d kernels.
  assert.equal(labels.filter((l) => l.startsWith('conv2d')).length, 2, labels.join(', '));
  assert.ok(labels.some((l) => l.startsWith('matmul')), labels.join(', '));
});
