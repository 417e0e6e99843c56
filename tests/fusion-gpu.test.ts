// The conv layers' GPU-only backward fusions (graph.ts conv2d/pool2d, issue #22) on WebGPU in
// headless Chromium (SwiftShader here): act' folded into the pool backward, and dbias computed by
// the conv's dw GEMM. Gradients with Graph.fuseBackward on must equal the plain path's on the same
// GPU (f32 vs f32) and the CPU f64 backend's (which has no fused forms), and the fused graph must
// record the expected fewer kernels. Run: node --import tsx --test tests/fusion-gpu.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec } from '../kernels/model/types.ts';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('fusion-suite.ts');

interface Run { grads: number[][]; backward: string[]; dispatches: number }
interface Result { names: string[]; fused: Run; plain: Run; cpu: Run }

/** Every gradient of `got` within rel·max|want| of `want` (per parameter tensor). */
function close(r: Result, got: Run, want: Run, rel: number, what: string): void {
  const bad: string[] = [];
  want.grads.forEach((w, i) => {
    const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 0, `${r.names[i]}: an all-zero gradient tests nothing`);
    const j = w.findIndex((v, k) => !(Math.abs(got.grads[i][k] - v) <= rel * scale));
    if (j >= 0) bad.push(`${r.names[i]}[${j}]: ${what} ${got.grads[i][j]}, want ${w[j]} (max|want| ${scale})`);
  });
  assert.deepEqual(bad, []);
}

const count = (labels: string[], re: RegExp) => labels.filter((l) => re.test(l)).length;

// conv(relu) → max pool and conv(tanh) → avg pool (overlapping, padded): both pools take act';
// odd sizes throughout; the second conv's input gradient is needed, the first's is not.
const CNN: LayerSpec[] = [
  { kind: 'conv2d', filters: 5, kernel: 3, padding: 'valid', activation: 'relu' }, // (7, 9, 5)
  { kind: 'maxpool2d', size: 2 }, // (3, 4, 5): the last row and column are in no window
  { kind: 'conv2d', filters: 4, kernel: 2, padding: 'same', activation: 'tanh' }, // (3, 4, 4)
  { kind: 'avgpool2d', size: 3, stride: 2, padding: 1 }, // (2, 2, 4)
  { kind: 'flatten' },
  { kind: 'dense', units: 3 },
];

for (const paths of ['fallback', 'hardware'] as const) {
  test(`conv → act → pool, ${paths} kernels: fused gradients equal the plain GPU path and CPU f64`, { timeout: 300_000 }, async () => {
    const r: Result = await run('fused vs plain', { layers: CNN, inShape: [9, 11, 2], B: 3, classes: 3, paths });
    // f32 GPU sums (≤ 243 terms per weight gradient) against each other and against f64.
    close(r, r.fused, r.plain, 1e-5, 'fused');
    close(r, r.fused, r.cpu, 1e-5, 'fused vs cpu');
    console.log(`# ${paths}: backward fused ${r.fused.backward.length} kernels (${r.fused.dispatches} dispatches per step), plain ${r.plain.backward.length} (${r.plain.dispatches})`);
    // Plain: 2 unaryBackward (relu', tanh'), 2 sumRows (conv biases), 2 pool backward, 2 conv dw.
    assert.equal(count(r.plain.backward, /^unary/), 2, r.plain.backward.join(', '));
    assert.equal(count(r.plain.backward, /^sumRows/), 3, r.plain.backward.join(', ')); // + the dense's bias
    // Fused: no unaryBackward (each pool applies its act'), the conv biases inside their dw kernels.
    assert.equal(count(r.fused.backward, /^unary/), 0, r.fused.backward.join(', '));
    // The relu conv's max pool tiles its output: with the fusions on, the pair is one forward
    // kernel (tests/convpool-gpu.test.ts) whose backward takes relu' from the pooled output.
    assert.equal(count(r.fused.backward, /^pool2d (max|avg) backward (relu|tanh)'( from pooled)?$/), 2, r.fused.backward.join(', '));
    assert.equal(count(r.fused.backward, /^pool2d max backward relu' from pooled$/), 1, r.fused.backward.join(', '));
    assert.equal(count(r.fused.backward, /^conv2d dw\+dbias /), 2, r.fused.backward.join(', '));
    assert.equal(count(r.fused.backward, /^sumRows/), 1, r.fused.backward.join(', '));
    assert.equal(r.plain.backward.length - r.fused.backward.length, 4);
  });
}

interface Step { dispatches: number; labels: string[]; chained: string[] }

test('cnn-mnist: no relu\' or conv bias-sum dispatch is left in the training step', { timeout: 300_000 }, async () => {
  for (const paths of ['fallback', 'hardware'] as const) {
    const r: Step = await run('preset dispatches', { preset: 'cnn-mnist', paths });
    console.log(`# cnn-mnist ${paths}: ${r.dispatches} dispatches per step: ${r.labels.join(', ')}; chained: ${r.chained.join(', ')}`);
    assert.equal(count(r.labels, /^unary/), 0, r.labels.join(', '));
    assert.equal(count(r.labels, /^sumRows/), 0, r.labels.join(', '));
    assert.equal(count(r.labels, /^conv2d dw\+dbias /), 2, r.labels.join(', '));
    assert.equal(count(r.labels, /^pool2d max backward relu' from pooled$/), 2, r.labels.join(', ')); // after conv2d+maxpool
    assert.equal(r.dispatches, r.labels.length + r.chained.length);
  }
});

test('transformer-char on the hardware kernels: row-parallel cross-entropy and split-K weight gradients', { timeout: 300_000 }, async () => {
  const hw: Step = await run('preset dispatches', { preset: 'transformer-char', paths: 'hardware' });
  const sw: Step = await run('preset dispatches', { preset: 'transformer-char', paths: 'fallback' });
  console.log(`# transformer-char: ${sw.dispatches} dispatches per step on SwiftShader's kernels, ${hw.dispatches} on the hardware ones; chained there: ${hw.chained.join(', ')}`);
  // SwiftShader keeps the one-dispatch loss; a hardware GPU chains count → rows → finish.
  assert.ok(!sw.chained.some((l) => l.startsWith('sequenceCrossEntropy')), sw.chained.join(', '));
  assert.deepEqual(hw.chained.filter((l) => l.startsWith('sequenceCrossEntropy')), ['sequenceCrossEntropy rows', 'sequenceCrossEntropy finish']);
  // Every split-K product is followed by its sum pass; the (B·T = 2,048)-long weight gradients split.
  const splits = hw.labels.filter((l) => / split-K \d+$/.test(l));
  assert.ok(splits.length > 0, hw.labels.join(', '));
  assert.equal(hw.chained.filter((l) => /^matmul split-K \d+ sum$/.test(l)).length, splits.length);
  assert.equal(hw.dispatches, hw.labels.length + hw.chained.length);
});
