// The reference the conv + max pool fusion is held to (issue #22): on CpuBackend('f64'), whose
// plain ops (conv → act → max pool; backward through all three) the GPU's fused kernels are
// compared with in tests/convpool-gpu.test.ts (same layers, same seeded parameters and batch),
// every parameter gradient of the model must match central finite differences of its loss.
// Run: node --import tsx --test tests/convpool.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec } from '../kernels/model/types.ts';
import { finiteDiff } from './lib/graph-fd.ts';

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
  const { info, grads, checked, bad, labels } = finiteDiff({
    layers: LAYERS, input: IN, batch: B, initSeed: 5, dataSeed: 11, labels: Uint32Array.from({ length: B }, (_, i) => (i * 7) % 3), perParam: 12,
    tweak: (info, init) => info.forEach((p, i) => { if (p.name.endsWith('.b')) init[i] = Float32Array.from(init[i], (_, j) => 0.1 * ((j % 5) - 2)); }),
  });
  assert.ok(checked >= 50, `checked ${checked}`);
  assert.deepEqual(bad, []);
  // Every gradient is nonzero somewhere: the pools pass gradient through to both convs.
  grads.forEach((gr, i) => assert.ok(gr.some((v) => v !== 0), `${info[i].name}: all zero`));
  // The CPU records the plain pair (it has no fused forms).
  assert.equal(labels.filter((l) => l.startsWith('conv2d+maxpool')).length, 0, labels.join(', '));
});
