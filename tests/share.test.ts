// Share links: every preset and random valid specs round-trip; short links work; 1,000 corrupted
// or random fragments give an error result, never an exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeShare, encodeShare, LIMITS } from '../app/share/codec.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import type { LayerSpec, ModelSpec } from '../kernels/model/types.ts';
import { Rng } from '../kernels/rng.ts';
import { deflateRawSync } from 'node:zlib';
import { datasetInfo, formatBytes, inferShapes } from '../kernels/model/shapes.ts';
import { estimateMemory } from '../kernels/model/memory.ts';

test('every preset round-trips through a link with no notices', async () => {
  for (const name of Object.keys(PRESETS)) {
    const spec = presetSpec(name);
    const frag = await encodeShare(spec);
    assert.match(frag, /^m=1\.[A-Za-z0-9_-]+$/);
    const r = await decodeShare(`#${frag}`);
    assert.equal(r.kind, 'ok', JSON.stringify(r));
    if (r.kind === 'ok') {
      assert.deepEqual(r.spec, spec, name);
      assert.deepEqual(r.notices, [], name);
    }
  }
});

function randomSpec(rng: Rng): ModelSpec {
  const pick = <T>(xs: T[]) => xs[rng.nextU32() % xs.length];
  const hidden: LayerSpec[] = [];
  const n = 1 + (rng.nextU32() % 4);
  let width = 0;
  for (let i = 0; i < n; i++) {
    width = 8 + (rng.nextU32() % 200);
    hidden.push({ kind: 'dense', units: width, activation: pick(['relu', 'tanh', 'gelu', 'none', 'sigmoid'] as const) });
    if (rng.next() < 0.3) hidden.push({ kind: 'dropout', rate: Math.round(rng.next() * 50) / 100 });
    if (rng.next() < 0.3) hidden.push({ kind: 'residual', layers: [{ kind: 'dense', units: width, activation: 'relu' }] });
  }
  return {
    version: 1, name: `r${rng.nextU32() % 1000}`, dataset: { kind: 'mnist' },
    layers: [{ kind: 'flatten' }, ...hidden, { kind: 'dense', units: 10 }],
    loss: 'softmax_cross_entropy',
    train: {
      optimizer: pick([{ kind: 'adam', beta1: 0.8 }, { kind: 'sgd', momentum: 0.9, nesterov: true }, { kind: 'adamw', weightDecay: 0.05 }] as const),
      lr: Math.round(rng.next() * 1e4) / 1e5 + 1e-5, schedule: pick([{ kind: 'constant' }, { kind: 'cosine', totalSteps: 500 }, { kind: 'step', everySteps: 100, gamma: 0.5 }] as const),
      batchSize: 1 + (rng.nextU32() % 256), epochs: 1 + (rng.nextU32() % 10), clipNorm: rng.next() < 0.5 ? 1 : undefined,
    },
    seed: rng.nextU32(),
  } as ModelSpec;
}

test('random valid specs round-trip exactly', async () => {
  const rng = new Rng(42);
  for (let i = 0; i < 200; i++) {
    const spec = JSON.parse(JSON.stringify(randomSpec(rng))) as ModelSpec;
    const r = await decodeShare(await encodeShare(spec));
    assert.equal(r.kind, 'ok', JSON.stringify(r));
    if (r.kind === 'ok') assert.deepEqual(r.spec, spec);
  }
});

test('short links: a preset with overrides; bad values named; unknown parameters noticed', async () => {
  const r = await decodeShare('#preset=mlp-mnist&lr=0.01&batch=64&epochs=3&seed=9&optimizer=sgd&zap=1');
  assert.equal(r.kind, 'ok');
  if (r.kind === 'ok') {
    assert.equal(r.spec.train.lr, 0.01);
    assert.equal(r.spec.train.batchSize, 64);
    assert.equal(r.spec.train.epochs, 3);
    assert.equal(r.spec.seed, 9);
    assert.deepEqual(r.spec.train.optimizer, { kind: 'sgd' });
    assert.equal(r.presetId, 'mlp-mnist');
    assert.deepEqual(r.notices, ['ignored unknown parameter zap']);
  }
  const bad = await decodeShare('#preset=mlp-mnist&lr=-3&batch=abc');
  assert.equal(bad.kind, 'error');
  if (bad.kind === 'error') {
    assert.ok(bad.errors.some((e) => /^learning rate must be .*got -3/.test(e)), bad.errors.join('\n'));
    assert.ok(bad.errors.some((e) => /^batch= must be a whole number in digits, got "abc"/.test(e)), bad.errors.join('\n'));
  }
  const unk = await decodeShare('#preset=<script>alert(1)</script>');
  assert.equal(unk.kind, 'error');
  if (unk.kind === 'error') assert.match(unk.errors[0], /unknown preset "<script>alert\(1\)<\/script>"; known: /);
});

test('unknown fields are refused by path, as the builder and trainer refuse them; hostile sizes and versions refused', async () => {
  const spec = presetSpec('mlp-mnist-small') as unknown as Record<string, unknown>;
  spec.future = 1;
  (spec.layers as Record<string, unknown>[])[1].glow = true;
  (spec.train as Record<string, unknown>).augment = { shift: 1, rotate: 0, scale: 0, flip: false, twist: 3 };
  const r = await decodeShare(await encodeShare(spec as unknown as ModelSpec));
  assert.equal(r.kind, 'error');
  if (r.kind === 'error')
    assert.deepEqual(r.errors, [
      "spec: unknown field 'future'",
      "Layer 2 (Dense): unknown field 'glow'",
      "train.augment: unknown field 'twist'",
    ]);
  // train.augment itself travels: the link keeps it, field for field.
  const aug = presetSpec('mlp-mnist-small');
  aug.train.augment = { shift: 2, rotate: 10, scale: 0.1, flip: true };
  const back = await decodeShare(await encodeShare(aug));
  assert.equal(back.kind, 'ok');
  if (back.kind === 'ok') assert.deepEqual(back.spec.train.augment, { shift: 2, rotate: 10, scale: 0.1, flip: true });
  const expect = async (frag: string, re: RegExp) => {
    const x = await decodeShare(frag);
    assert.equal(x.kind, 'error', frag.slice(0, 40));
    if (x.kind === 'error') assert.match(x.errors.join('; '), re);
  };
  await expect('m=2.abc', /newer version of the playground \(format 2/);
  await expect('m=abc', /no format version/);
  await expect(`m=1.${'A'.repeat(LIMITS.fragmentChars)}`, /at most 32768 are accepted/);
  await expect('m=1.!!!', /not base64url/);
  await expect('m=1.AAAA', /corrupt/);
  // A zip bomb: 10 MB of spaces compress to a few KB but must not be expanded past the cap.
  const bomb = JSON.parse(JSON.stringify(presetSpec('mlp-mnist-small')));
  bomb.name = ' '.repeat(10_000_000);
  await expect(await encodeShare(bomb), /expands to more than 262144 bytes/);
  const huge = presetSpec('mlp-mnist');
  huge.layers.splice(1, 0, { kind: 'dense', units: 8192 }, { kind: 'dense', units: 8192 });
  await expect(await encodeShare(huge), /parameters; links may carry at most 50,000,000/);
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 40; i++) cur = (cur.a = {}) as Record<string, unknown>;
  await expect(await encodeShare(deep as unknown as ModelSpec), /nests deeper than 24/);
});

test('1,000 corrupted and random fragments never throw and always explain themselves', async () => {
  const rng = new Rng(7);
  const good = await encodeShare(presetSpec('mlp-mnist-small'));
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=&%#?/+ <>"\'\u00e9\u{1F600}';
  let ok = 0;
  for (let i = 0; i < 1000; i++) {
    let f: string;
    const mode = i % 4;
    if (mode === 0) {
      const chars = good.split('');
      for (let k = 0; k < 1 + (rng.nextU32() % 5); k++) chars[5 + (rng.nextU32() % (chars.length - 5))] = alphabet[rng.nextU32() % alphabet.length];
      f = chars.join('');
    } else if (mode === 1) f = good.slice(0, rng.nextU32() % good.length);
    else if (mode === 2) f = Array.from({ length: rng.nextU32() % 200 }, () => alphabet[rng.nextU32() % alphabet.length]).join('');
    else f = `m=1.${Array.from({ length: rng.nextU32() % 300 }, () => alphabet[rng.nextU32() % 64]).join('')}`;
    const r = await decodeShare(f); // must not throw
    if (r.kind === 'error') assert.ok(r.errors.length > 0 && r.errors.every((e) => typeof e === 'string' && e.length > 0));
    else ok++;
  }
  assert.ok(ok < 1000, 'most corruptions must be caught');
});

// Issue 19: the link's JSON text is bounded before it is parsed, its version read as written, and
// a model that would not fit in memory refused when the link opens, naming the layer.
const packText = (text: string) => `m=1.${deflateRawSync(Buffer.from(text)).toString('base64url')}`;
const refused = async (frag: string, re: RegExp) => {
  const x = await decodeShare(frag);
  assert.equal(x.kind, 'error', frag.slice(0, 60));
  if (x.kind === 'error') assert.match(x.errors.join('; '), re);
  return x.kind === 'error' ? x.errors : [];
};

test('a short link nested 10,000 levels deep gets a clear message, not a stack overflow', async () => {
  for (const text of ['['.repeat(10_000), '{"a":'.repeat(10_000), `{"version":1,"layers":${'['.repeat(100_000)}`]) {
    const frag = packText(text);
    const errors = await refused(frag, /^the link's spec nests deeper than 24 levels \(objects and lists inside each other\)/);
    assert.equal(errors.length, 1);
  }
  assert.ok(packText('['.repeat(10_000)).length <= 60, `${packText('['.repeat(10_000)).length} characters`);
  // Brackets inside strings are text, not nesting.
  const spec = presetSpec('mlp-mnist-small');
  spec.name = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\\"';
  const r = await decodeShare(await encodeShare(spec));
  assert.equal(r.kind, 'ok', JSON.stringify(r));
});

test('only a whole-number version is accepted, as written, in the m= prefix and in the spec', async () => {
  const good = await encodeShare(presetSpec('mlp-mnist-small'));
  const body = good.slice('m=1.'.length);
  for (const v of ['01', '0x1', '1e0', '+1', '%201', '1_0', '-1'])
    await refused(`m=${v}.${body}`, /the link's format version must be a whole number such as 1, but it is|no format version/);
  const text = JSON.stringify(presetSpec('mlp-mnist-small'));
  for (const v of ['01', '1e0', '1.0', '"1"', '1.5', '-1', '0x1', '1E0'])
    await refused(packText(text.replace('"version":1', `"version":${v}`)), v === '01' || v === '0x1' ? /corrupt \(not valid JSON\)/ : new RegExp(`^version: must be written as a whole number such as 1, but the link's spec has ${v.replace(/[.+]/g, '\\$&')}$`));
  await refused(packText(text.replace('"version":1', '"version":1,"version":1')), /gives the version 2 times/);
  await refused(packText(text.replace('"version":1', '"version":2')), /^version is 2; this page reads version 1$/);
  // An escaped key is the same key.
  await refused(packText(text.replace('"version":1', '"versio\\u006e":1e0')), /must be written as a whole number/);
  const ok = await decodeShare(packText(text.replace('"version":1', '"version" : 1 ')));
  assert.equal(ok.kind, 'ok');
  for (const [q, re] of [['batch=0x40', /^batch= must be a whole number in digits, got "0x40"$/], ['epochs=1e1', /^epochs= /], ['seed=0b11', /^seed= /], ['lr=Infinity', /^lr= /]] as const)
    await refused(`preset=mlp-mnist-small&${q}`, re);
});

test('a model that needs more than the memory budget is refused when the link opens, naming the layer', async () => {
  // Valid field by field (every count within its bound, 162,090 parameters) but 4,096 images of
  // 28×28×512 activations: gigabytes. The refusal names the convolution, as people number layers.
  const spec = presetSpec('cnn-mnist-small');
  spec.train.batchSize = 4096;
  spec.layers.splice(1, 0, { kind: 'conv2d', filters: 512, kernel: 3, padding: 'same', activation: 'relu' });
  const errors = await refused(await encodeShare(spec), /^This model needs about [\d.]+ (GiB|TiB) to train, over the memory budget of 2\.00 GiB \([\d,]+ parameters, batch 4096\)\. Layer 2 \(Conv2D, 512 filters\) needs about [\d.]+ (GiB|TiB)/);
  assert.match(errors[0], /the limit is 2\.00 GiB\. Make it smaller or lower the batch size\.$/);
  // The same estimate as the session: the figure in the message is inferShapes' memoryBytes.
  const shapes = inferShapes(spec);
  assert.ok(errors[0].includes(formatBytes(shapes.memoryBytes)), errors[0]);
  // The per-buffer limit of the device, when the page knows it: one activation too big.
  const conv = presetSpec('cnn-mnist-small');
  assert.equal((await decodeShare(await encodeShare(conv))).kind, 'ok');
  const small = await decodeShare(await encodeShare(conv), { memoryBudgetBytes: 2 * 1024 ** 3, maxBindingBytes: 256 * 1024 });
  assert.equal(small.kind, 'error');
  if (small.kind === 'error') assert.match(small.errors[0], /has a tensor of 392\.0 KiB, over this device's 256\.0 KiB limit per buffer .*Layer 1 \(Conv2D, 8 filters\) has a buffer of about 392\.0 KiB; the limit is 256\.0 KiB/);
});

test('per-layer estimate: the parts add up to the total the session checks', () => {
  for (const name of Object.keys(PRESETS)) {
    const spec = presetSpec(name);
    const shapes = inferShapes(spec);
    const est = estimateMemory(spec, shapes.layers, datasetInfo(spec));
    assert.equal(est.layers.reduce((a, l) => a + l.bytes, 0) + est.dataBytes, shapes.memoryBytes, name);
    assert.equal(est.total, shapes.memoryBytes, name);
    assert.deepEqual(est.layers.map((l) => l.layer), spec.layers.map((_, i) => i + 1), name);
  }
});

test('the session refuses the same model with the same words as the link: the layers that dominate', async () => {
  const spec = presetSpec('cnn-mnist-small');
  spec.train.batchSize = 4096;
  spec.layers.splice(1, 0, { kind: 'conv2d', filters: 512, kernel: 3, padding: 'same', activation: 'relu' });
  const link = await decodeShare(await encodeShare(spec));
  assert.equal(link.kind, 'error');
  const { createSession } = await import('../kernels/train/session.ts');
  await assert.rejects(createSession(spec, { backend: 'cpu', onEvent: () => {} }), (e: Error) => {
    assert.equal(e.message, link.kind === 'error' ? link.errors[0] : '');
    assert.match(e.message, /Layer 2 \(Conv2D, 512 filters\) needs about/);
    return true;
  });
});

// Unknown keys: the link goes through the same validator as the builder and the trainer, which
// refuses an unknown field anywhere and names its path; __proto__ never reaches a prototype.
test('__proto__ and constructor keys in a link are refused by name, and pollute nothing', async () => {
  const text = JSON.stringify(presetSpec('mlp-mnist-small'))
    .replace('{', '{"__proto__":{"polluted":1},')
    .replace('"train":{', '"train":{"constructor":{"prototype":{"polluted":1}},');
  const r = await decodeShare(packText(text));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(r.kind, 'error', JSON.stringify(r));
  if (r.kind === 'error') {
    assert.ok(r.errors.some((e) => e.includes("unknown field '__proto__'")), r.errors.join('; '));
    assert.ok(r.errors.some((e) => e.includes("unknown field 'constructor'")), r.errors.join('; '));
  }
});

const augmented = () => {
  const spec = presetSpec('cnn-mnist-small');
  spec.train.augment = { shift: 2, rotate: 10, scale: 0.1, flip: false };
  return spec;
};

test('every field round-trips through a link: train.augment', async () => {
  const spec = augmented();
  const r = await decodeShare(await encodeShare(spec));
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  if (r.kind === 'ok') assert.deepEqual(r.spec, spec);
});

test('unknown keys on every layer kind are named', async () => {
  for (const name of Object.keys(PRESETS)) {
    const spec = presetSpec(name) as unknown as { layers: Record<string, unknown>[] };
    spec.layers.forEach((l) => (l.glow = 1));
    const r = await decodeShare(await encodeShare(spec as unknown as ModelSpec));
    const named = r.kind === 'ok' ? r.notices : r.kind === 'error' ? r.errors : [];
    spec.layers.forEach((_, i) => assert.ok(named.some((m) => m.startsWith(`Layer ${i + 1} (`) && m.includes('glow')), `${name}: layers[${i}].glow not named`));
  }
});
