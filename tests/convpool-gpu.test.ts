// The graph's conv + max pool forward fusion (kernels/autodiff/convpool.ts, issue #22) on WebGPU
// in headless Chromium (SwiftShader here): which graphs fuse, that a later reader of the conv
// output undoes the fusion, gradients against the plain GPU path and CPU f64, and cnn-mnist's
// training step: 2 dispatches fewer, the same losses. Run: node --import tsx --test tests/convpool-gpu.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec } from '../kernels/model/types.ts';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('convpool-suite.ts');

const count = (labels: string[], re: RegExp) => labels.filter((l) => re.test(l)).length;

function within(got: number[], want: number[], rel: number, what: string): void {
  assert.equal(got.length, want.length, what);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 0, `${what}: all zero tests nothing`);
  const j = want.findIndex((v, i) => !(Math.abs(got[i] - v) <= rel * scale));
  assert.equal(j, -1, `${what}[${j}]: ${got[j]}, want ${want[j]} (max|want| ${scale})`);
}

// Both pairs fuse: conv(relu) 9×11 → pool 2 (the last row and column dropped) and conv(tanh) →
// pool 3 with F = 5 (not a multiple of 4); a plain pair in between would not (overlapping pool).
const CNN: LayerSpec[] = [
  { kind: 'conv2d', filters: 6, kernel: 3, padding: 'valid', activation: 'relu' }, // (9, 11, 6)
  { kind: 'maxpool2d', size: 2 }, // (4, 5, 6)
  { kind: 'conv2d', filters: 5, kernel: 2, padding: 'same', activation: 'tanh' }, // (4, 5, 5)
  { kind: 'maxpool2d', size: 3 }, // (1, 1, 5)
  { kind: 'flatten' },
  { kind: 'dense', units: 3 },
];

for (const paths of ['fallback', 'hardware'] as const) {
  test(`conv → max pool fused (${paths} kernels): gradients equal the plain GPU path and CPU f64`, { timeout: 300_000 }, async () => {
    const r = await run('model grads', { layers: CNN, inShape: [11, 13, 2], B: 3, classes: 3, paths });
    console.log(`# ${paths}: fused forward ${r.fused.forward.join(', ')}; backward ${r.fused.backward.join(', ')}`);
    assert.equal(count(r.fused.forward, /^conv2d\+maxpool /), 2, r.fused.forward.join(', '));
    assert.equal(count(r.fused.forward, /^pool2d/), 0, r.fused.forward.join(', '));
    assert.equal(count(r.fused.backward, /^pool2d max backward (relu|tanh)' from pooled$/), 2, r.fused.backward.join(', '));
    assert.equal(count(r.fused.backward, /^unary/), 0, r.fused.backward.join(', '));
    assert.equal(count(r.plain.forward, /^conv2d\+maxpool /), 0, r.plain.forward.join(', '));
    assert.equal(r.plain.forward.length - r.fused.forward.length, 2);
    assert.equal(r.plain.backward.length, r.fused.backward.length);
    // f32 GPU sums against each other (the same conv sums: equal up to rounding) and against f64.
    r.names.forEach((n: string, i: number) => {
      within(r.fused.grads[i], r.plain.grads[i], 1e-6, `${n} fused vs plain`);
      within(r.fused.grads[i], r.cpu.grads[i], 1e-5, `${n} fused vs cpu`);
    });
    assert.ok(Math.abs(r.fused.loss - r.cpu.loss) <= 1e-5 * Math.abs(r.cpu.loss), `loss ${r.fused.loss} vs cpu ${r.cpu.loss}`);
  });
}

test('a reader of the conv output recorded after its pool undoes the fusion: the conv output is written', { timeout: 300_000 }, async () => {
  for (const paths of ['fallback', 'hardware'] as const) {
    const r = await run('late reader', { paths });
    assert.equal(count(r.gpu.forward, /^conv2d\+maxpool/), 0, r.gpu.forward.join(', '));
    assert.deepEqual(r.gpu.forward.map((l: string) => l.split(' ')[0]), ['conv2d', 'pool2d', 'reduce'], r.gpu.forward.join(', '));
    for (const k of ['y', 'p', 'dx', 'dw', 'db']) within(r.gpu[k], r.cpu[k], 1e-5, `${paths} ${k}`);
  }
});

test('captured convs (the probe\'s graph) never fuse; elsewhere fused convs leave convTaps and outputs', { timeout: 120_000 }, async () => {
  const r = await run('captures');
  assert.equal(count(r.captured.forward, /^conv2d\+maxpool/), 0, r.captured.forward.join(', '));
  assert.deepEqual(r.captured.taps, ['layers.0.conv2d', 'layers.2.conv2d']);
  assert.equal(count(r.plain.forward, /^conv2d\+maxpool/), 2, r.plain.forward.join(', '));
  assert.deepEqual(r.plain.taps, []);
  assert.ok(!r.plain.outputs.some((n: string) => n.endsWith('.conv2d')), r.plain.outputs.join(', '));
  assert.ok(r.captured.outputs.some((n: string) => n.endsWith('.conv2d')), r.captured.outputs.join(', '));
});

test('cnn-mnist training step: 2 dispatches fewer with the fusion, the same losses over 6 steps, the probe still sees the conv maps', { timeout: 900_000 }, async () => {
  const steps = 6;
  const r = await run('preset steps', { paths: 'fallback', steps });
  console.log(`# cnn-mnist fallback: ${r.on.dispatches} dispatches per step fused, ${r.off.dispatches} plain; losses fused ${r.on.losses.join(', ')}; plain ${r.off.losses.join(', ')}; max |Δparam| ${r.paramDiff} (max |param| ${r.paramMax}); probe maps ${JSON.stringify(r.maps)}`);
  // gather, 5 forward kernels (2 conv2d+maxpool, 2 matmuls, the loss), 9 backward, optimizer:
  // 16; the plain pair's 2 pool kernels made it 18 (on SwiftShader's kernels; the hardware ones
  // chain one more dispatch, a split dw's sum: 17 and 19).
  assert.equal(r.off.dispatches, 18, r.off.labels.join(', '));
  assert.equal(r.on.dispatches, 16, r.on.labels.join(', '));
  assert.equal(count(r.on.labels, /^conv2d\+maxpool /), 2, r.on.labels.join(', '));
  assert.equal(count(r.on.evalLabels, /^conv2d\+maxpool /), 2, r.on.evalLabels.join(', '));
  // The fused kernel computes the same conv sums in the same order: the losses agree to f32
  // rounding (stated tolerance 1e-6 relative), and so do the parameters after 6 Adam steps.
  assert.equal(r.on.losses.length, steps);
  r.on.losses.forEach((l: number, i: number) => {
    assert.ok(Number.isFinite(l) && l > 0.1, `step ${i + 1}: loss ${l}`);
    assert.ok(Math.abs(l - r.off.losses[i]) <= 1e-6 * r.off.losses[i], `step ${i + 1}: loss ${l} fused vs ${r.off.losses[i]} plain`);
  });
  assert.ok(r.on.losses[steps - 1] < r.on.losses[0], `the loss fell: ${r.on.losses.join(', ')}`);
  assert.ok(r.paramDiff <= 1e-6 * r.paramMax, `max |Δparam| ${r.paramDiff}`);
  assert.deepEqual(r.maps.shape, [24, 24, 16]);
  assert.ok(r.maps.max > 0.05 && r.maps.err < 1e-4, `probe maps: ${JSON.stringify(r.maps)}`);
});

test('cnn-mnist on the hardware kernels: the fused pairs and 2 dispatches fewer', { timeout: 300_000 }, async () => {
  const r = await run('preset steps', { paths: 'hardware', steps: 0 });
  console.log(`# cnn-mnist hardware: ${r.on.dispatches} dispatches per step fused, ${r.off.dispatches} plain`);
  assert.equal(count(r.on.labels, /^conv2d\+maxpool /), 2, r.on.labels.join(', '));
  assert.equal(r.off.dispatches - r.on.dispatches, 2);
});
