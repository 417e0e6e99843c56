// Weights files: the safetensors codec, hostile files refused with a reason and nothing changed,
// a resumed run continuing exactly where the saved one stopped, and BatchNorm running statistics
// travelling with the weights (older files without them still load).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors, WeightsFileError } from '../kernels/io/safetensors.ts';
import { presetSpec } from '../kernels/spec/presets.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const data = mnistNode(2048, 512);

test('safetensors: layout of the reference format and a lossless round trip', () => {
  const a = { name: 'w', shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-30, -7]) };
  const b = { name: 'b', shape: [3], data: Float32Array.from([0.25, 0.5, 0.75]) };
  const bytes = encodeSafetensors([a, b], { spec: '{"x":1}' });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + n) % 8, 0, 'data section aligned to 8 bytes');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header.w, { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header.b, { dtype: 'F32', shape: [3], data_offsets: [24, 36] });
  assert.equal(bytes.length, 8 + n + 36);
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { spec: '{"x":1}' });
  assert.deepEqual(back.tensors.map((t) => [t.name, t.shape, Array.from(t.data)]), [['w', [2, 3], Array.from(a.data)], ['b', [3], Array.from(b.data)]]);
});

test('hostile weights files are refused with the reason', () => {
  const good = encodeSafetensors([{ name: 'w', shape: [4], data: new Float32Array(4) }]);
  const withHeader = (h: object, dataBytes = 16) => {
    const j = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + j.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
    out.set(j, 8);
    return out;
  };
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, 5), /too short/],
    [good.subarray(0, good.length - 3), /truncated: the tensors need 16 bytes of data but 13 follow the header/],
    [(() => { const h = good.slice(); new DataView(h.buffer).setBigUint64(0, 2n ** 40n, true); return h; })(), /^Not a usable weights file: the header length field is not a valid length: the file is probably not a \.safetensors file\.$/],
    [withHeader({ w: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }), /dtype "F16"; only F32/],
    [withHeader({ w: { dtype: 'F32', shape: [5], data_offsets: [0, 16] } }), /spans 16 bytes but its shape \(5\) needs 20/],
    [withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 16] } }), /invalid shape/],
    [withHeader({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }), /overlap/],
    [(() => { const h = good.slice(); h[9] = 0x7b; h[10] = 0x7b; return h; })(), /not valid JSON/],
  ];
  for (const [bytes, re] of cases) assert.throws(() => decodeSafetensors(bytes), (e: unknown) => e instanceof WeightsFileError && re.test(e.message), String(re));
});

test('a checkpoint restores weights and optimizer state: the resumed run matches an unbroken one', async () => {
  const run = async () => createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: () => {}, maxSteps: 24, metricsEvery: 4 });
  const straight = await run();
  await straight.start();
  const wStraight = await straight.backend.read(straight.c.paramsFlat);

  const first = await run();
  for (let i = 0; i < 10; i++) await first.stepOnce();
  const file = await first.checkpoint();
  const resumed = await run();
  const info = resumed.restore(file);
  assert.equal(info.step, 10);
  assert.equal(info.hasOptimizer, true);
  assert.equal(info.spec?.name, 'mlp-mnist-small');
  assert.equal(resumed.step, 10);
  await resumed.start();
  assert.deepEqual(await resumed.backend.read(resumed.c.paramsFlat), wStraight);
  for (const s of [straight, first, resumed]) await s.dispose();
});

test('weights that do not fit the model change nothing and name the tensors', async () => {
  const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: () => {} });
  const other = presetSpec('mlp-mnist-small');
  (other.layers[1] as { units: number }).units = 64;
  const o = await createSession(other, { backend: 'cpu', data, onEvent: () => {} });
  const before = await s.backend.read(s.c.paramsFlat);
  const file = await o.checkpoint();
  assert.throws(() => s.restore(file), /These weights do not fit the current model, so nothing was changed: Layer 2 \(Dense\) weights: shape 784×128 expected, file has 784×64; Layer 2 \(Dense\) bias: shape 128 expected, file has 64; Layer 3 \(Dense\) weights: shape 128×10 expected, file has 64×10\.$/);
  assert.deepEqual(await s.backend.read(s.c.paramsFlat), before);
  await s.dispose();
  await o.dispose();
});

test('a checkpoint carries the BatchNorm running statistics: restored bit for bit, the same evaluation', async () => {
  const spec = presetSpec('mlp-mnist-small');
  spec.name = 'cnn-bn';
  spec.layers = [
    { kind: 'conv2d', filters: 4, kernel: 3, padding: 'same', activation: 'relu' },
    { kind: 'batchnorm', momentum: 0.3 },
    { kind: 'maxpool2d', size: 2 },
    { kind: 'flatten' },
    { kind: 'batchnorm', eps: 1e-3 },
    { kind: 'dense', units: 10 },
  ];
  spec.train = { ...spec.train, batchSize: 32 };
  const names = ['layers.1.running_mean', 'layers.1.running_var', 'layers.4.running_mean', 'layers.4.running_var'];
  const stats = (s: Awaited<ReturnType<typeof createSession>>) => Promise.all(names.map((_, i) => s.backend.read(s.c.buffers[i])));
  const trained = await createSession(spec, { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 6; i++) await trained.stepOnce();
  const want = await stats(trained);
  assert.ok(want[0].some((v) => v !== 0) && want[1].some((v) => v !== 1), 'the running stats moved away from 0 / 1');
  const file = await trained.checkpoint(false); // weights only: the statistics still travel
  assert.deepEqual(decodeSafetensors(file).tensors.map((t) => t.name).filter((n) => n.includes('running')), names);

  // A fresh session with another seed, so neither weights nor statistics match before the load.
  const fresh = await createSession({ ...spec, seed: spec.seed + 1 }, { backend: 'cpu', data, onEvent: () => {} });
  const info = fresh.restore(file);
  assert.equal(info.hasBuffers, true);
  assert.deepEqual(info.notes, ['The file has no optimizer state: the optimizer state was reset and the step count starts again at 0.']);
  assert.deepEqual(await stats(fresh), want);
  assert.deepEqual(await fresh.evaluate(), await trained.evaluate());

  // An older file without them still loads: the current statistics stay, and the info says so.
  const f = decodeSafetensors(file);
  const old = encodeSafetensors(f.tensors.filter((t) => !t.name.includes('running')), f.metadata);
  const third = await createSession(spec, { backend: 'cpu', data, onEvent: () => {} });
  const initial = await stats(third);
  const oldInfo = third.restore(old);
  assert.equal(oldInfo.hasBuffers, false);
  assert.match(oldInfo.notes.join(' '), /no BatchNorm running statistics for layers\.1\.running_mean, layers\.1\.running_var, layers\.4\.running_mean, layers\.4\.running_var .*keeps its current ones/);
  assert.deepEqual(await stats(third), initial);
  assert.deepEqual(await third.backend.read(third.c.paramsFlat), await trained.backend.read(trained.c.paramsFlat));
  assert.notEqual((await third.evaluate()).test_loss, (await trained.evaluate()).test_loss, 'the initial statistics evaluate differently');

  // Statistics of the wrong size are refused like weights, and change nothing.
  const bad = encodeSafetensors(f.tensors.map((t) => (t.name === 'layers.4.running_var' ? { ...t, shape: [t.data.length - 1], data: t.data.subarray(1) } : t)), f.metadata);
  assert.throws(() => third.restore(bad), /Layer 5 \(BatchNorm\) running variance: shape 784 expected, file has 783/);
  assert.deepEqual(await stats(third), initial);
  for (const s of [trained, fresh, third]) await s.dispose();
});
