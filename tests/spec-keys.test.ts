// The validator refuses keys it does not know, at every depth, naming each in people's words; a
// `__proto__` key is just another unknown key and pollutes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSpec } from '../kernels/model/validate.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { decodeShare, encodeShare } from '../app/share/codec.ts';
import type { ModelSpec } from '../kernels/model/types.ts';

type Obj = Record<string, unknown>;
const messages = (s: unknown) => validateSpec(s).errors.map((e) => `${e.path} | ${e.message}`);

test('unknown keys are refused at every depth, each named by path and in people\'s words', () => {
  const s = presetSpec('cnn-mnist-small') as unknown as Obj;
  s.future = 1;
  (s.dataset as Obj).size = 5;
  const t = s.train as Obj;
  t.speed = 'fast';
  t.augment = { shift: 1, rotate: 0, scale: 0, flip: false, shear: 2 };
  (t.optimizer as Obj).x = 1;
  (t.schedule as Obj).y = 2;
  const layers = s.layers as Obj[];
  layers[0].foo = 1;
  layers.splice(1, 0, { kind: 'residual', layers: [{ kind: 'activation', fn: 'relu', bar: true }, { kind: 'residual', layers: [{ kind: 'dropout', rate: 0.1, baz: 0 }] }] });
  assert.deepEqual(messages(s), [
    "future | spec: unknown field 'future'",
    "dataset.size | dataset: unknown field 'size'",
    "layers[0] (conv2d).foo | Layer 1 (Conv2D): unknown field 'foo'",
    "layers[1].layers[0] (activation).bar | Layer 2, inner layer 1 (Activation): unknown field 'bar'",
    "layers[1].layers[1].layers[0] (dropout).baz | Layer 2, inner layer 2, inner layer 1 (Dropout): unknown field 'baz'",
    "train.speed | train: unknown field 'speed'",
    "train.augment.shear | train.augment: unknown field 'shear'",
    "train.optimizer.x | train.optimizer: unknown field 'x'",
    "train.schedule.y | train.schedule: unknown field 'y'",
  ]);
  // The layer index points the builder at the top-level row, also for nested layers.
  assert.deepEqual(validateSpec(s).errors.filter((e) => e.path.startsWith('layers')).map((e) => e.layer), [0, 1, 1]);
});

test('keys are checked per kind: a field of another kind is unknown here', () => {
  const s = presetSpec('mlp-mnist-small') as unknown as Obj;
  (s.layers as Obj[])[1].filters = 8; // a Conv2D field on a Dense
  (s.train as Obj).optimizer = { kind: 'adam', momentum: 0.9 }; // an SGD field on Adam
  (s.train as Obj).schedule = { kind: 'constant', gamma: 0.5 };
  assert.deepEqual(messages(s), [
    "layers[1] (dense).filters | Layer 2 (Dense): unknown field 'filters'",
    "train.optimizer.momentum | train.optimizer: unknown field 'momentum'",
    "train.schedule.gamma | train.schedule: unknown field 'gamma'",
  ]);
  const g = presetSpec('mlp-mnist-small') as unknown as Obj;
  (g.layers as Obj[]).splice(1, 1, { kind: 'gru', hidden: 4, forgetBias: 1 }); // the forget gate is the LSTM's
  assert.ok(messages(g).includes("layers[1] (gru).forgetBias | Layer 2 (GRU): unknown field 'forgetBias'"), messages(g).join('\n'));
});

test('__proto__ and other prototype keys are refused and pollute nothing', async () => {
  // JSON.parse makes "__proto__" an own key, as a hand-edited link or spec file would carry it.
  const text = JSON.stringify(presetSpec('mlp-mnist-small'))
    .replace('{"version"', '{"__proto__":{"polluted":1},"version"')
    .replace('"units":128', '"units":128,"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}')
    .replace('"batchSize"', '"__proto__":{"polluted":4},"batchSize"');
  const s = JSON.parse(text) as Obj;
  assert.ok(Object.hasOwn(s, '__proto__'));
  assert.deepEqual(messages(s), [
    "__proto__ | spec: unknown field '__proto__'",
    "layers[1] (dense).__proto__ | Layer 2 (Dense): unknown field '__proto__'",
    "layers[1] (dense).constructor | Layer 2 (Dense): unknown field 'constructor'",
    "train.__proto__ | train: unknown field '__proto__'",
  ]);
  // A layer kind that names a prototype member is an unknown kind, not a lookup into Object.prototype.
  for (const kind of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const k = presetSpec('mlp-mnist-small') as unknown as Obj;
    (k.layers as Obj[])[0] = { kind };
    assert.deepEqual(messages(k), [`layers[0].kind | unknown layer kind "${kind}"`], kind);
  }
  // Through a link too: refused, and nothing reached Object.prototype.
  const r = await decodeShare(await encodeShare(s as unknown as ModelSpec));
  assert.equal(r.kind, 'error');
  assert.equal(({} as Obj).polluted, undefined);
  assert.equal((Object.prototype as Obj).polluted, undefined);
});

test('a valid spec with every optional key passes (unknown-key checks refuse nothing known)', () => {
  for (const name of ['mlp-mnist', 'cnn-mnist-small', 'transformer-char']) {
    const s = presetSpec(name);
    s.train = { ...s.train, warmupSteps: 10, clipNorm: 1, evalEverySteps: 20, earlyStopPatience: 2, augment: { shift: 1, rotate: 5, scale: 0.05, flip: false } };
    assert.deepEqual(validateSpec(s).errors, [], name);
  }
});
