// Weights files: the safetensors codec, hostile files refused with a reason and nothing changed,
// a resumed run continuing exactly where the saved one stopped, and BatchNorm running statistics
// travelling with the weights (older files without them still load).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSafetensors, encodeSafetensors, WeightsFileError } from '../kernels/io/safetensors.ts';
import { presetSpec } from '../kernels/model/presets.ts';
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

// Issue 19: each weights file the hostile-user trial got through, now refused with the tensor
// named and the whole state (parameters, optimizer state, BatchNorm statistics, step) unchanged.
type S = Awaited<ReturnType<typeof createSession>>;
const bnSpec = () => {
  const spec = presetSpec('mlp-mnist-small');
  spec.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 16, activation: 'relu' }, { kind: 'batchnorm' }, { kind: 'dense', units: 10 }];
  spec.train = { ...spec.train, batchSize: 32, optimizer: { kind: 'adam' } };
  return spec;
};
async function state(s: S): Promise<(Float32Array | Uint32Array)[]> {
  const c = s.c;
  return [await s.backend.read(c.paramsFlat), await s.backend.read(c.state1), await s.backend.read(c.state2), ...(await Promise.all(c.buffers.map((b) => s.backend.read(b)))), Float32Array.of(s.step)];
}
const rewrite = (file: Uint8Array, f: (t: { name: string; shape: number[]; data: Float32Array }[], meta: Record<string, string>) => typeof t) => {
  const d = decodeSafetensors(file);
  const t = f(d.tensors.map((x) => ({ ...x, data: x.data.slice() })), d.metadata);
  return encodeSafetensors(t, d.metadata);
};

test('the trial files that got through: refused, the tensor named, the state byte-identical', async () => {
  const src = await createSession(bnSpec(), { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 3; i++) await src.stepOnce();
  const file = await src.checkpoint();
  const dst = await createSession({ ...bnSpec(), seed: 99 }, { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 2; i++) await dst.stepOnce();
  const before = await state(dst);
  const json = (() => { const n = Number(new DataView(file.buffer).getBigUint64(0, true)); return new TextDecoder().decode(file.subarray(8, 8 + n)).trimEnd(); })();
  const body = file.subarray(8 + Number(new DataView(file.buffer).getBigUint64(0, true)));
  const raw = (headerText: string, claimed: number, data: Uint8Array) => {
    const h = new TextEncoder().encode(headerText);
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(claimed), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['optimizer tensor of the wrong shape', rewrite(file, (t) => t.map((x) => (x.name === 'optimizer.v.layers.3.W' ? { ...x, shape: [10, 16] } : x))),
      /^The optimizer state in this file is incomplete|Layer 4 \(Dense\) weights \(optimizer state v\): shape 16×10 expected, file has 10×16/],
    ['header length short of its padding: every tensor shifted by a float', raw(`${json}    `, json.length, body), /it has 4 bytes after the last tensor: the header does not describe the whole file/],
    ['header length reaching into the data', raw(json, json.length + 4, body), /header is not one JSON object followed only by spaces/],
    ['partial Adam m', rewrite(file, (t) => t.filter((x) => x.name !== 'optimizer.m.layers.1.b')), /^The optimizer state in this file is incomplete, so nothing was changed: Layer 2 \(Dense\) bias \(optimizer state m\): missing, while the file has optimizer state for other tensors/],
    ['Adam v without m', rewrite(file, (t) => t.filter((x) => !x.name.startsWith('optimizer.m.'))), /Layer 2 \(Dense\) weights \(optimizer state m\): missing/],
    ['optimizer state without a step', rewrite(file, (t, m) => { delete m.step; return t; }), /comes without a step count/],
    ['negative Adam v', rewrite(file, (t) => t.map((x) => (x.name === 'optimizer.v.layers.1.W' ? { ...x, data: x.data.map((v, i) => (i === 5 ? -0.5 : v)) } : x))),
      /^These weights hold values that cannot be right, so nothing was changed: Layer 2 \(Dense\) weights \(optimizer state v\): -0\.5 at index 5; a variance cannot be negative\.$/],
    ['negative BatchNorm running variance', rewrite(file, (t) => t.map((x) => (x.name === 'layers.2.running_var' ? { ...x, data: x.data.map((v, i) => (i === 0 ? -1 : v)) } : x))),
      /Layer 3 \(BatchNorm\) running variance: -1 at index 0; a variance cannot be negative/],
    ['NaN weight', rewrite(file, (t) => t.map((x) => (x.name === 'layers.3.b' ? { ...x, data: x.data.map((v, i) => (i === 9 ? NaN : v)) } : x))), /Layer 4 \(Dense\) bias: NaN at index 9; every value must be a finite number/],
    ['infinite Adam m', rewrite(file, (t) => t.map((x) => (x.name === 'optimizer.m.layers.2.gamma' ? { ...x, data: x.data.map(() => -Infinity) } : x))), /Layer 3 \(BatchNorm\) scale \(gamma\) \(optimizer state m\): -Infinity at index 0/],
    ['one running statistic missing', rewrite(file, (t) => t.filter((x) => x.name !== 'layers.2.running_mean')), /Layer 3 \(BatchNorm\) running mean: missing from the file, which has the other running statistics/],
    ['a weight missing', rewrite(file, (t) => t.filter((x) => x.name !== 'layers.1.W')), /^These weights do not fit the current model, so nothing was changed: Layer 2 \(Dense\) weights: missing from the file/],
    ['a tensor the model lacks', rewrite(file, (t) => [...t, { name: 'optimizer.m.layers.9.W', shape: [1], data: new Float32Array(1) }]), /the file has a tensor "optimizer\.m\.layers\.9\.W" that this model does not have/],
    ['a huge header length', (() => { const b = file.slice(); new DataView(b.buffer).setBigUint64(0, 8031924123371070824n, true); return b; })(), /^Not a usable weights file: the header length field is not a valid length: the file is probably not a \.safetensors file\.$/],
    ['not a safetensors file at all', new TextEncoder().encode('PK\u0003\u0004 this is a zip file, not weights at all'), /header length field is not a valid length/],
  ];
  for (const [what, bytes, re] of cases) {
    assert.throws(() => dst.restore(bytes), (e: Error) => re.test(e.message) || assert.fail(`${what}: ${e.message}`), what);
    assert.deepEqual(await state(dst), before, `${what}: the state changed`);
  }
  // The untouched file loads, and so do its weights alone: then the optimizer state is reset and the page is told.
  assert.equal(dst.restore(file).hasOptimizer, true);
  assert.deepEqual((await state(dst)).slice(0, -1), (await state(src)).slice(0, -1));
  const weightsOnly = rewrite(file, (t) => t.filter((x) => !x.name.startsWith('optimizer.')));
  const info = dst.restore(weightsOnly);
  assert.equal(info.hasOptimizer, false);
  assert.match(info.notes.join(' '), /no optimizer state: the optimizer state was reset and the step count starts again at 0/);
  const after = await state(dst);
  assert.deepEqual(after[0], (await state(src))[0]);
  assert.ok(after[1].every((x) => x === 0) && after[2].every((x) => x === 0), 'a reset optimizer holds zeros');
  assert.equal(dst.step, 0);
  for (const s of [src, dst]) await s.dispose();
});

test('a file in the layout the exported PyTorch script writes (json.dumps header, no step, no optimizer) loads', async () => {
  // save_safetensors in kernels/export/pytorch.ts: Python's json.dumps separators, the spec as the
  // only metadata, the header padded with spaces to 8 bytes, tensors back to back from 0.
  const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: () => {} });
  const header: Record<string, unknown> = { __metadata__: { spec: JSON.stringify(s.c.spec) } };
  const blobs: Float32Array[] = [];
  let off = 0;
  for (const p of s.c.paramInfo) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    blobs.push(Float32Array.from({ length: n }, (_, i) => Math.cos(i + off) / 10));
    header[p.name] = { dtype: 'F32', shape: p.shape, data_offsets: [off, off + 4 * n] };
    off += 4 * n;
  }
  let h = JSON.stringify(header).replace(/,/g, ', ').replace(/":/g, '": ');
  h += ' '.repeat((8 - ((h.length + 8) % 8)) % 8);
  const hb = new TextEncoder().encode(h);
  const file = new Uint8Array(8 + hb.length + off);
  new DataView(file.buffer).setBigUint64(0, BigInt(hb.length), true);
  file.set(hb, 8);
  let o = 8 + hb.length;
  for (const b of blobs) {
    file.set(new Uint8Array(b.buffer), o);
    o += b.byteLength;
  }
  const info = s.restore(file);
  assert.equal(info.hasOptimizer, false);
  assert.equal(info.step, 0);
  assert.equal(info.spec?.name, 'mlp-mnist-small');
  const flat = await s.backend.read(s.c.paramsFlat);
  s.c.paramInfo.forEach((_, i) => assert.deepEqual(flat.subarray(s.c.params[i].offset, s.c.params[i].offset + s.c.params[i].size), blobs[i]));
  await s.dispose();
});

test('plain SGD keeps no optimizer state: its checkpoint resumes at the saved step, with nothing reset', async () => {
  const spec = presetSpec('mlp-mnist-small');
  spec.train = { ...spec.train, optimizer: { kind: 'sgd' } };
  const a = await createSession(spec, { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 3; i++) await a.stepOnce();
  const file = await a.checkpoint();
  const b = await createSession(spec, { backend: 'cpu', data, onEvent: () => {} });
  const info = b.restore(file);
  assert.equal(info.hasOptimizer, true);
  assert.equal(info.step, 3);
  assert.equal(b.step, 3);
  assert.deepEqual(info.notes, []);
  assert.deepEqual(await b.backend.read(b.c.paramsFlat), await a.backend.read(a.c.paramsFlat));
  for (const s of [a, b]) await s.dispose();
});
