// The probe's Conv2D taps (the "see inside" feature maps): for a chosen test image, the first two
// conv layers' outputs after their activation, checked against a direct convolution written here
// (layer 0) and the CPU reference conv2dRef (layer 1) on the session's own weights. CPU backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Conv2dGeom, Tensor } from '../kernels/backend.ts';
import { conv2dRef } from '../kernels/ops/conv/cpu.ts';
import { unaryF } from '../kernels/ops/elementwise/cpu.ts';
import { layerGeom } from '../kernels/model/conv.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { createProbe } from '../kernels/train/predict.ts';
import { createSession, type Session } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const data = mnistNode(512, 64);

async function trained(spec: ModelSpec): Promise<Session> {
  const s = await createSession(spec, { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 3; i++) await s.stepOnce(); // weights moved off their initial values
  return s;
}

/** Direct convolution of one (H, W, C) image: out (OH, OW, F) = act(Σ x·W + b), NHWC, W (KH, KW, C, F). */
function directConv(x: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number>, g: Conv2dGeom, act: (v: number) => number): Float32Array {
  const out = new Float32Array(g.OH * g.OW * g.F);
  for (let oy = 0; oy < g.OH; oy++)
    for (let ox = 0; ox < g.OW; ox++)
      for (let f = 0; f < g.F; f++) {
        let s = b[f];
        for (let ky = 0; ky < g.KH; ky++)
          for (let kx = 0; kx < g.KW; kx++) {
            const iy = oy * g.sh - g.ph + ky * g.dh, ix = ox * g.sw - g.pw + kx * g.dw;
            if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
            for (let c = 0; c < g.C; c++) s += x[(iy * g.W + ix) * g.C + c] * W[((ky * g.KW + kx) * g.C + c) * g.F + f];
          }
        out[(oy * g.OW + ox) * g.F + f] = act(s);
      }
  return out;
}

const view = (store: Float32Array, shape: number[]): Tensor => ({ id: -1, name: 'ref', shape, size: store.length, dtype: 'f32', offset: 0, store });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('cnn-mnist-small: the probe taps both conv layers after ReLU, for the chosen test image', async () => {
  const spec = presetSpec('cnn-mnist-small');
  const s = await trained(spec);
  const probe = createProbe(s.c);
  const t = await probe.inspect(3, { convLayers: 2 });
  // Test image 3 is a 0 (the test labels begin 7 2 1 0 4); the input is its pixels / 255.
  assert.equal(t.label, 0);
  assert.equal(t.input.length, 784);
  const img = Array.from(data.test.images.subarray(3 * 784, 4 * 784), (v) => v / 255);
  assert.ok(maxDiff(t.input, img) < 1e-6);
  assert.deepEqual(t.conv?.map((c) => [c.name, c.H, c.W, c.C]), [['layers.0.conv2d', 14, 14, 8], ['layers.1.conv2d', 7, 7, 16]]);

  const [W0, b0, W1, b1] = (await Promise.all(s.c.params.slice(0, 4).map((p) => s.backend.read(p)))) as Float32Array[];
  const relu = (v: number) => Math.max(0, v);
  const g0 = layerGeom(spec.layers[0] as Parameters<typeof layerGeom>[0], [28, 28, 1]);
  const ref0 = directConv(img, W0, b0, g0, relu);
  assert.ok(maxDiff(t.conv![0].maps, ref0) < 1e-4, `layer 0 differs by ${maxDiff(t.conv![0].maps, ref0)}`);
  const g1 = layerGeom(spec.layers[1] as Parameters<typeof layerGeom>[0], [14, 14, 8]);
  const ref1 = new Float32Array(7 * 7 * 16);
  conv2dRef(view(ref1, [1, 7, 7, 16]), view(ref0, [1, 14, 14, 8]), view(W1, [3, 3, 8, 16]), g1, view(b1, [16]), 'relu', false);
  assert.ok(maxDiff(t.conv![1].maps, ref1) < 1e-4, `layer 1 differs by ${maxDiff(t.conv![1].maps, ref1)}`);
  // Real maps: some channels fire, not every value is the same, ReLU leaves no negatives.
  const m0 = t.conv![0].maps;
  assert.ok(Math.max(...m0) > 0.05 && Math.min(...m0) === 0, `range ${Math.min(...m0)}..${Math.max(...m0)}`);

  // Another image, other maps; without convLayers nothing is read.
  const u = await probe.inspect(4, { convLayers: 1 });
  assert.equal(u.label, 4);
  assert.equal(u.conv?.length, 1);
  assert.ok(maxDiff(u.conv![0].maps, m0) > 0.05);
  assert.equal((await probe.inspect(4)).conv, undefined);
  // An index past the split is clamped to the last test image.
  assert.equal((await probe.inspect(10_000)).label, data.test.labels[63]);
  probe.dispose();
  await s.dispose();
  assert.equal(s.backend.bytesInUse(), 0);
});

test('a conv layer with a separate (unfused) activation is tapped after it', async () => {
  const spec = presetSpec('cnn-mnist-small');
  spec.layers[0] = { kind: 'conv2d', filters: 4, kernel: 5, stride: 1, padding: 'valid', activation: 'gelu' };
  spec.layers[1] = { kind: 'maxpool2d', size: 2 };
  const s = await trained(spec);
  const probe = createProbe(s.c);
  const t = await probe.inspect(0, { convLayers: 4 });
  assert.equal(t.label, 7);
  assert.equal(t.conv?.length, 1, 'one conv layer, however many were asked for');
  assert.deepEqual([t.conv![0].H, t.conv![0].W, t.conv![0].C], [24, 24, 4]);
  const [W0, b0] = (await Promise.all(s.c.params.slice(0, 2).map((p) => s.backend.read(p)))) as Float32Array[];
  const g0 = layerGeom(spec.layers[0] as Parameters<typeof layerGeom>[0], [28, 28, 1]);
  const ref = directConv(t.input, W0, b0, g0, (v) => unaryF('gelu', v, 0.01));
  assert.ok(maxDiff(t.conv![0].maps, ref) < 1e-4, `differs by ${maxDiff(t.conv![0].maps, ref)}`);
  assert.ok(Math.min(...t.conv![0].maps) < 0, 'GELU keeps small negatives');
  probe.dispose();
  await s.dispose();
});
