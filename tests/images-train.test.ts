// Your own images train with the existing image models: real images (MNIST test digits, 4 classes ×
// 40, as the page would hand them over: grey 28×28 in [0, 1]) through the page's adaptToData and the
// engine's stratified split into a CPU session with the small CNN preset; and the adaptation itself:
// an image model keeps its layers with one output per class, anything else takes the small MLP, and
// back on MNIST the output is 10 wide again. A session without the images asks for them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { adaptToData } from '../app/store/ownData.ts';
import { checkSpec } from '../app/engine.ts';
import { ImageHasher, imagesDataset, imagesNeedFiles, imagesTaskData, planImages } from '../kernels/data/images.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import type { TrainEvent } from '../kernels/train/events.ts';
import { createSession } from '../kernels/train/session.ts';

const CLASSES: [string, number][] = [['one', 1], ['three', 3], ['two', 2], ['zero', 0]];

/** The first `per` test digits of each class, as the page hands them to the engine. */
function digits(per: number) {
  const dir = join(import.meta.dirname, '..', 'public', 'mnist');
  const images = readFileSync(join(dir, 't10k-images-idx3-ubyte')).subarray(16);
  const labels = readFileSync(join(dir, 't10k-labels-idx1-ubyte')).subarray(8);
  const files: { path: string; raw: Uint8Array }[] = [];
  for (const [name, digit] of CLASSES) {
    let n = 0;
    for (let i = 0; i < labels.length && n < per; i++) if (labels[i] === digit) files.push({ path: `${name}/${String(n++).padStart(3, '0')}.png`, raw: images.subarray(i * 784, (i + 1) * 784) });
  }
  const plan = planImages(files.map((f) => ({ path: f.path, bytes: f.raw.length })));
  const byPath = new Map(files.map((f) => [f.path, f.raw]));
  const h = new ImageHasher();
  for (const f of plan.files) h.update(f.path, byPath.get(f.path)!);
  const pixels = plan.files.map((f) => Float32Array.from(byPath.get(f.path)!, (v) => v / 255));
  return imagesDataset({ name: 'digits', plan, pixels, hash: h.digest(), size: 28 });
}

const units = (s: { layers: { kind: string }[] }) => {
  const l = s.layers[s.layers.length - 1];
  return 'units' in l ? l.units : null;
};

test('switching to images keeps an image model with one output per class; other models take the small MLP; MNIST again has 10', () => {
  const ds = digits(40);
  const cnn = adaptToData(presetSpec('cnn-mnist'), ds.spec);
  assert.deepEqual(cnn.layers.slice(0, -1), presetSpec('cnn-mnist').layers.slice(0, -1), 'the CNN is kept');
  assert.equal(units(cnn), 4);
  assert.equal(cnn.loss, 'softmax_cross_entropy');
  // 128 training images: batch 64 (two steps an epoch), 300 epochs: some 600 steps.
  assert.deepEqual([cnn.train.batchSize, cnn.train.epochs], [64, 300]);
  assert.deepEqual(checkSpec(cnn).validation.errors, []);
  const mlp = adaptToData(presetSpec('playground-spiral'), ds.spec);
  assert.deepEqual(mlp.layers.slice(0, -1), presetSpec('mlp-mnist-small').layers.slice(0, -1), 'a row model gives way to the MNIST MLP');
  assert.equal(units(mlp), 4);
  assert.deepEqual(checkSpec(mlp).validation.errors, []);
  const back = adaptToData(cnn, { kind: 'mnist' });
  assert.equal(units(back), 10);
  assert.equal(back.train.epochs, 5);
  assert.deepEqual(checkSpec(back).validation.errors, []);
});

test('the small CNN trains on 4 classes of images on the CPU backend, well above chance', async () => {
  const ds = digits(40);
  const spec = adaptToData(presetSpec('cnn-mnist-small'), ds.spec);
  spec.train = { ...spec.train, batchSize: 32, epochs: 20 }; // 80 steps: enough here, and quick on 2 shared cores
  const data = imagesTaskData(ds.spec, ds, spec.seed);
  assert.deepEqual([data.train.n, data.test.n], [128, 32]);
  const events: TrainEvent[] = [];
  const t0 = performance.now();
  const s = await createSession(spec, { backend: 'cpu', data, onEvent: (e) => events.push(e) });
  await s.start();
  const last = events.filter((e) => e.type === 'eval').pop() as Extract<TrainEvent, { type: 'eval' }>;
  console.log(`# 4 classes of images, cnn-mnist-small on the CPU backend: test accuracy ${last.test_accuracy} after ${s.step} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(s.step, 80);
  assert.ok(last.test_accuracy! > 0.75, `test accuracy ${last.test_accuracy} (chance 0.25)`);
  await s.dispose();
  await assert.rejects(createSession(spec, { backend: 'cpu', onEvent: () => {} }), (e: Error) => e.message === imagesNeedFiles(ds.spec));
});
