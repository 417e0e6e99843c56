// Share links: every preset and random valid specs round-trip; short links work; 1,000 corrupted
// or random fragments give an error result, never an exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeShare, encodeShare, LIMITS } from '../app/share/codec.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import type { LayerSpec, ModelSpec } from '../kernels/model/types.ts';
import { Rng } from '../kernels/rng.ts';

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
    assert.ok(bad.errors.some((e) => /^train\.lr: .*got -3/.test(e)), bad.errors.join('\n'));
    assert.ok(bad.errors.some((e) => /^train\.batchSize: .*got null/.test(e)), bad.errors.join('\n'));
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
      "future: spec: unknown field 'future'",
      "layers[1] (dense).glow: Layer 2 (Dense): unknown field 'glow'",
      "train.augment.twist: train.augment: unknown field 'twist'",
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
