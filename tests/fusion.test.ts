// The dense layers' backward fusions (graph.ts `dense`, issue #12) against the plain path on
// CpuBackend('f64'): the act' epilogue on the dx matmul (the previous layer skips unaryBackward)
// and [dW; db] as one matmul with an implicit ones row. Each model is built twice, with
// Graph.fuseBackward on and off, from the same parameters and batch; every parameter gradient
// must agree within 1e-6 relative, and the fused graph must record the expected fewer kernels.
// Run: node --import tsx --test tests/fusion.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../kernels/autodiff/graph.ts';
import type { FusedAct, StepParams, Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { buildModel, describeBuffers, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { compile, disposeCompiled } from '../kernels/train/compile.ts';

interface Run { grads: Float64Array[]; names: string[]; backward: string[] }

/** One step of `layers` on a fixed batch; returns the parameter gradients and the backward kernel labels. */
function gradsOf(layers: LayerSpec[], inShape: number[], B: number, classes: number, fuse: boolean): Run {
  const be = new CpuBackend('f64');
  const info = describeParams(layers, inShape);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufs = be.flat(describeBuffers(layers, inShape).map((b) => b.shape), 'buffers');
  const init = initParams(info, 5);
  // Nonzero biases, so that relu units are both on and off and sigmoid/tanh sit off-centre.
  info.forEach((p, i) => { if (p.name.endsWith('.b')) init[i] = Float32Array.from(init[i], (_, j) => 0.1 * ((j % 5) - 2)); });
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  g.fuseBackward = fuse;
  const x = g.alloc([B, ...inShape], 'x');
  const labels = be.tensor([B], 'labels', 'u32');
  const metrics = be.tensor([4], 'metrics');
  const rng = new Rng(11);
  be.write(x, Float32Array.from({ length: x.size }, () => rng.normal()));
  be.write(labels, Uint32Array.from({ length: B }, (_, i) => (i * 7) % classes));
  const logits = buildModel(g, layers, x, { values: P.views, grads: G.views, buffers: bufs.views });
  g.softmaxCrossEntropy(logits, labels, metrics);
  const backward = g.backward();
  const p: StepParams = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: B };
  be.run(be.program('step', [...g.forward, ...backward]), p);
  return {
    grads: G.views.map((t: Tensor) => Float64Array.from((t.store as Float64Array).subarray(t.offset, t.offset + t.size))),
    names: info.map((p) => p.name),
    backward: backward.map((k) => k.label),
  };
}

function compare(layers: LayerSpec[], inShape: number[], B: number, classes: number): { fused: Run; plain: Run } {
  const fused = gradsOf(layers, inShape, B, classes, true);
  const plain = gradsOf(layers, inShape, B, classes, false);
  const bad: string[] = [];
  fused.grads.forEach((gf, i) => {
    const gp = plain.grads[i];
    const scale = gp.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(scale > 0, `${fused.names[i]}: an all-zero gradient tests nothing`);
    for (let j = 0; j < gp.length; j++)
      if (!(Math.abs(gf[j] - gp[j]) <= 1e-6 * scale)) { bad.push(`${fused.names[i]}[${j}]: fused ${gf[j]}, plain ${gp[j]}`); break; }
  });
  assert.deepEqual(bad, []);
  return { fused, plain };
}

const count = (labels: string[], prefix: string) => labels.filter((l) => l.startsWith(prefix)).length;

test('MLP with relu/tanh/sigmoid/leaky_relu layers: fused gradients equal the plain path', () => {
  // in·out per layer: 16·8 = 128 and 12·16 = 192 and 16·8 = 128 are multiples of 64 ([dW; db] in
  // one matmul); 8·12 = 96 and 8·4 = 32 are not (dW matmul + sumRows).
  const acts: FusedAct[] = ['relu', 'tanh', 'sigmoid', 'leaky_relu'];
  const units = [8, 12, 16, 8];
  const layers: LayerSpec[] = [
    { kind: 'flatten' },
    ...acts.map((a, i): LayerSpec => ({ kind: 'dense', units: units[i], activation: a })),
    { kind: 'dense', units: 4 },
  ];
  const { fused, plain } = compare(layers, [4, 4], 6, 4);
  // Plain: 4 unaryBackward + 5 dW + 5 sumRows + 4 dx (the first layer's input needs none) = 18.
  assert.equal(plain.backward.length, 18, plain.backward.join(', '));
  // Fused: no unaryBackward (each activation feeds only the next dense), 3 of 5 bias gradients
  // inside the dW matmul: 5 dW + 2 sumRows + 4 dx = 11.
  assert.equal(count(fused.backward, 'unary'), 0, fused.backward.join(', '));
  assert.equal(count(fused.backward, 'sumRows'), 2, fused.backward.join(', '));
  assert.equal(fused.backward.length, 11, fused.backward.join(', '));
});

test('MLP with a residual block: the block input read twice keeps the plain dx path', () => {
  const layers: LayerSpec[] = [
    { kind: 'dense', units: 16, activation: 'relu' }, // read by the block and by its add: 2 readers
    { kind: 'residual', layers: [
      { kind: 'dense', units: 16, activation: 'tanh' }, // read once, by the next dense: fused
      { kind: 'dense', units: 16, activation: 'relu' }, // read by the add only: plain unaryBackward
    ] },
    { kind: 'dense', units: 4, activation: 'sigmoid' }, // read once, by the last dense: fused
    { kind: 'dense', units: 3 },
  ];
  const { fused, plain } = compare(layers, [8], 5, 3);
  assert.equal(count(plain.backward, 'unary'), 4, plain.backward.join(', '));
  // Fused: the first relu (two readers) and the block's last relu (read by an add) keep theirs.
  assert.equal(count(fused.backward, 'unary'), 2, fused.backward.join(', '));
  // Two (5, 16)·(16, 16)ᵀ dx matmuls: the fused one into the tanh's dz, and the plain one that
  // accumulates into the block input's gradient (written first by the add).
  assert.equal(fused.backward.filter((l) => l === 'matmul 5x16x16').length, 2, fused.backward.join(', '));
});

test('dense after a conv2d with fused relu (through flatten): the conv skips its unaryBackward', () => {
  const layers: LayerSpec[] = [
    { kind: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' }, // (5, 5, 4)
    { kind: 'flatten' },
    { kind: 'dense', units: 6, activation: 'tanh' },
    { kind: 'dense', units: 3 },
  ];
  const { fused, plain } = compare(layers, [5, 5, 2], 3, 3);
  assert.equal(count(plain.backward, 'unary'), 2, plain.backward.join(', '));
  assert.equal(count(fused.backward, 'unary'), 0, fused.backward.join(', '));
});

test('a dense layer applied twice with the same W and b: gradients accumulate through the fused kernels', () => {
  // Shared weights: the second application's [dW; db] is written first (reverse tape), the
  // first's accumulates into it; the hidden activation between them is read once (fused dx).
  const run = (fuse: boolean) => {
    const be = new CpuBackend('f64');
    const { views: [W, b] } = be.flat([[8, 8], [8]], 'params'); // 8·8 = 64: b's grad follows W's
    const G = be.flat([[8, 8], [8]], 'grads');
    const rng = new Rng(3);
    be.write(W, Float32Array.from({ length: 64 }, () => 0.4 * rng.normal()));
    be.write(b, Float32Array.from({ length: 8 }, (_, j) => 0.1 * (j - 4)));
    const g = new Graph(be, true);
    g.fuseBackward = fuse;
    const x = g.alloc([5, 8], 'x');
    be.write(x, Float32Array.from({ length: 40 }, () => rng.normal()));
    const Wp = g.param(W, G.views[0]), bp = g.param(b, G.views[1]);
    const h = g.dense(g.dense(x, Wp, bp, 'tanh', 'l1'), Wp, bp, 'sigmoid', 'l2');
    const dy = g.seed(h);
    be.write(dy, Float32Array.from({ length: 40 }, () => rng.normal()));
    const backward = g.backward();
    be.run(be.program('step', [...g.forward, ...backward]), { step: 1, batchStart: 0, lr: 0, seed: 1, rows: 5 });
    return { g: G.views.map((t) => Float64Array.from((t.store as Float64Array).subarray(t.offset, t.offset + t.size))), backward: backward.map((k) => k.label) };
  };
  const f = run(true), p = run(false);
  for (let i = 0; i < 2; i++) {
    const scale = p.g[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    p.g[i].forEach((v, j) => assert.ok(Math.abs(f.g[i][j] - v) <= 1e-6 * scale, `grad ${i}[${j}]: fused ${f.g[i][j]}, plain ${v}`));
  }
  // Fused: sigmoid' (seeded output) + [dW; db] + dx with tanh' + [dW; db] accumulating = 4.
  assert.equal(f.backward.length, 4, f.backward.join(', '));
  assert.ok(p.backward.length > f.backward.length, p.backward.join(', '));
});

test('an activation read first by another op and last by a dense: the dense (run first) still falls back', () => {
  // h = tanh(x·W1 + b1) feeds neg(h) (recorded first) and a dense (recorded last). The reversed
  // tape runs the dense's backward before neg's, when h's gradient is still unwritten: only the
  // reader count keeps the dense from writing a pre-activation gradient that neg's would add to.
  const run = (fuse: boolean) => {
    const be = new CpuBackend('f64');
    const P = be.flat([[8, 8], [8], [8, 8], [8]], 'params');
    const G = be.flat([[8, 8], [8], [8, 8], [8]], 'grads');
    const rng = new Rng(4);
    P.views.forEach((t) => be.write(t, Float32Array.from({ length: t.size }, () => 0.5 * rng.normal())));
    const g = new Graph(be, true);
    g.fuseBackward = fuse;
    const x = g.alloc([5, 8], 'x');
    be.write(x, Float32Array.from({ length: 40 }, () => rng.normal()));
    const [W1, b1, W2, b2] = P.views.map((t, i) => g.param(t, G.views[i]));
    const h = g.dense(x, W1, b1, 'tanh', 'l1');
    const ng = g.unary('neg', h, 'neg');
    const out = g.binary('add', ng, g.dense(h, W2, b2, 'sigmoid', 'l2'), 'out');
    be.write(g.seed(out), Float32Array.from({ length: 40 }, () => rng.normal()));
    const backward = g.backward();
    be.run(be.program('step', [...g.forward, ...backward]), { step: 1, batchStart: 0, lr: 0, seed: 1, rows: 5 });
    return G.views.map((t) => Float64Array.from((t.store as Float64Array).subarray(t.offset, t.offset + t.size)));
  };
  const f = run(true), p = run(false);
  for (let i = 0; i < 4; i++) {
    const scale = p[i].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    p[i].forEach((v, j) => assert.ok(Math.abs(f[i][j] - v) <= 1e-6 * scale, `grad ${i}[${j}]: fused ${f[i][j]}, plain ${v}`));
  }
});

test('dispatches per training step: mlp-mnist 16 → 11, mlp-mnist-small 11 → 8', () => {
  // gather 1 + forward matmuls + softmax-CE 1 + backward + optimizer 1. Backward per dense layer:
  // [dW; db] in one matmul (784·1024, 1024·1024, 1024·10, 784·128, 128·10 are multiples of 64),
  // plus a dx matmul whose epilogue applies the previous layer's relu' (none for the first layer).
  // mlp-mnist: 1 + 3 + 1 + (3 + 2) + 1 = 11; before issue #12 the backward also had 2 relu
  // unaryBackward and 3 sumRows: 16. mlp-mnist-small: 1 + 2 + 1 + (2 + 1) + 1 = 8 (was 11).
  const split = { images: new Uint8Array(256 * 784), labels: new Uint8Array(256), n: 256 };
  for (const [preset, want] of [['mlp-mnist', 11], ['mlp-mnist-small', 8]] as const) {
    const c = compile(new CpuBackend('f32'), presetSpec(preset), { train: split, test: split });
    assert.equal(c.train.dispatches, want, `${preset}: ${c.train.kernels.map((k) => k.label).join(', ')}`);
    disposeCompiled(c);
  }
});
