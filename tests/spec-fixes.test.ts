// Shape errors show once, at the layer that causes them, in words without placeholders, and with a
// one-click fix (a whole new layer list) that is offered only when it clears the error.
// Run: node --import tsx --test tests/spec-fixes.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayerSpec, ModelSpec } from '../kernels/model/types.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import { checkSpec, issueText } from '../app/engine.ts';
import { defaultLayer, layerDef, LAYERS } from '../kernels/layers/index.ts';

const mnist = (layers: LayerSpec[]): ModelSpec => ({ ...presetSpec('mlp-mnist-small'), layers });
const kinds = (ls: readonly LayerSpec[]) => ls.map((l) => l.kind);
const conv: LayerSpec = { kind: 'conv2d', filters: 8, kernel: 3, padding: 'same', activation: 'relu' };
const PLACEHOLDER = /\(0\)|undefined|NaN|\[object|\(\)/;

test('a Dense after a Conv2D: one error, at that Dense, fixed by adding a Flatten before it', () => {
  const s = mnist([conv, { kind: 'dense', units: 128, activation: 'relu' }, { kind: 'dense', units: 10 }]);
  const { errors } = inferShapes(s);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].layer, 1);
  assert.match(errors[0].message, /this Dense gets an image \(28, 28, 8\) .* ends in an image \(28, 28, 10\); .* add a Flatten before it/);
  assert.equal(errors[0].fix?.label, 'Add Flatten');
  assert.deepEqual(kinds(errors[0].fix!.layers), ['conv2d', 'flatten', 'dense', 'dense']);
  const fixed = inferShapes({ ...s, layers: errors[0].fix!.layers });
  assert.deepEqual(fixed.errors, []);
  // 3·3·1·8 + 8, then 6272·128 + 128, then 128·10 + 10.
  assert.equal(fixed.totalParams, 80 + 802_944 + 1290);
});

test('a Dense 64 ReLU after a Conv2D as the last layer: one click adds the Flatten and sizes the output', () => {
  const s = mnist([conv, { kind: 'dense', units: 64, activation: 'relu' }]);
  const [e, ...rest] = inferShapes(s).errors;
  assert.deepEqual(rest, []);
  assert.equal(e.layer, 1);
  assert.equal(e.fix?.label, 'Add Flatten, set units to 10, no activation');
  assert.deepEqual(e.fix!.layers, [conv, { kind: 'flatten' }, { kind: 'dense', units: 10 }]);
  assert.deepEqual(inferShapes({ ...s, layers: e.fix!.layers }).errors, []);
});

test('a Conv2D after a Flatten: one error (not one per later layer), fixed by moving it before the Flatten', () => {
  const s = mnist([{ kind: 'flatten' }, conv, { ...conv }, { kind: 'maxpool2d', size: 2 }, { kind: 'dense', units: 10 }]);
  const { errors, layers } = inferShapes(s);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].path, 'layers[1] (conv2d)');
  assert.equal(errors[0].message, 'needs an image input (height, width, channels), but gets one vector of 784 values; it must come before any Flatten');
  assert.equal(errors[0].fix?.label, 'Move it before layer 1 (Flatten)');
  assert.deepEqual(kinds(errors[0].fix!.layers), ['conv2d', 'flatten', 'conv2d', 'maxpool2d', 'dense']);
  // The layers after the error have no shape and no parameters of their own.
  assert.deepEqual(layers.map((l) => l.outShape), [[784], [0], [0], [0], [0]]);
  assert.deepEqual(layers.map((l) => l.params), [0, 0, 0, 0, 0]);
  // After the move the second conv is the first misplaced layer: one error again, one layer further on.
  const once = inferShapes({ ...s, layers: errors[0].fix!.layers }).errors;
  assert.deepEqual(once.map((e) => [e.layer, e.fix?.label]), [[2, 'Move it before layer 2 (Flatten)']]);
});

test('the output layer: wrong width, none at all, or no layers', () => {
  const wide = inferShapes(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 64, activation: 'relu' }])).errors;
  assert.deepEqual(wide.map((e) => [e.layer, e.message, e.fix?.label]), [
    [1, 'the model must end in 10 outputs per sample (one per digit), but it ends in (64)', 'Set units to 10, no activation'],
  ]);
  assert.deepEqual(wide[0].fix!.layers[1], { kind: 'dense', units: 10 });
  const linear = inferShapes(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 7 }])).errors;
  assert.equal(linear[0].fix?.label, 'Set units to 10');
  const none = inferShapes(mnist([{ kind: 'flatten' }])).errors;
  assert.deepEqual(none.map((e) => [e.layer, e.fix?.label]), [[0, 'Add output layer']]);
  assert.deepEqual(none[0].fix!.layers, [{ kind: 'flatten' }, { kind: 'dense', units: 10 }]);
  const pooled = inferShapes(mnist([conv, { kind: 'maxpool2d', size: 2 }])).errors;
  assert.deepEqual(pooled.map((e) => [e.layer, e.fix?.label]), [[1, 'Add Flatten and output layer']]);
  assert.match(pooled[0].message, /ends in \(14, 14, 8\): add a Flatten and an output layer/);
  const empty = inferShapes(mnist([])).errors;
  assert.deepEqual(empty.map((e) => [e.path, e.layer, e.fix?.label]), [['layers', undefined, 'Add Flatten and output layer']]);
  assert.deepEqual(inferShapes(mnist(empty[0].fix!.layers)).errors, []);
  // A token task from nothing: an Embedding and a Dense over the 10 output tokens at every position.
  const rev = presetSpec('transformer-reverse');
  const tok = inferShapes({ ...rev, layers: [] }).errors;
  assert.equal(tok[0].fix?.label, 'Add Embedding and output layer');
  assert.deepEqual(inferShapes({ ...rev, layers: tok[0].fix!.layers }).errors, []);
});

test('sequence layers: an Embedding for token ids, the returned steps to match the task, nothing offered for an LSTM on an image', () => {
  const noEmb = presetSpec('lstm-reverse');
  noEmb.layers.shift();
  const e1 = inferShapes(noEmb).errors;
  assert.deepEqual(e1.map((e) => [e.layer, e.fix?.label]), [[0, 'Add Embedding']]);
  assert.deepEqual(inferShapes({ ...noEmb, layers: e1[0].fix!.layers }).errors, []);
  const last = presetSpec('lstm-reverse');
  last.layers[1] = { kind: 'lstm', hidden: 64 };
  assert.deepEqual(inferShapes(last).errors.map((e) => [e.layer, e.fix?.label]), [[1, 'Return every step']]);
  const parity = presetSpec('gru-parity');
  parity.layers = [{ kind: 'embedding', dim: 16 }, { kind: 'gru', hidden: 32, returnSequences: true }, { kind: 'dense', units: 2 }];
  assert.deepEqual(inferShapes(parity).errors.map((e) => [e.layer, e.fix?.label]), [[1, 'Return the last state only']]);
  const image = inferShapes(mnist([{ kind: 'lstm', hidden: 32 }, { kind: 'dense', units: 10 }])).errors;
  assert.equal(image.length, 1);
  assert.equal(image[0].message, 'needs a sequence (T, features), got an image (28, 28, 1): use Conv2D on images, or choose a sequence task');
  assert.equal(image[0].fix, undefined);
  const vit = inferShapes(mnist([{ kind: 'transformer', heads: 4 }, { kind: 'globalavgpool' }, { kind: 'dense', units: 10 }])).errors;
  assert.equal(vit[0].fix?.label, 'Add Patches');
  assert.deepEqual(inferShapes(mnist(vit[0].fix!.layers)).errors, []);
});

test('a field out of range is the validator\'s one error: shape inference says nothing more (no "ends in (0)")', () => {
  const s = mnist([{ kind: 'flatten' }, { kind: 'dense', units: 0 }]);
  assert.deepEqual(inferShapes(s).errors, []);
  const { validation } = checkSpec(s);
  assert.deepEqual(validation.errors.map((e) => [e.path, issueText(e)]), [['layers[1] (dense).units', 'units must be an integer between 1 and 8192, got 0']]);
});

test('every palette kind put anywhere in every kind of model: at most one layer error, no placeholder, every fix clears its error', () => {
  const bases = ['mlp-mnist-small', 'cnn-mnist-small', 'vit-mnist', 'lstm-reverse', 'transformer-char', 'gru-parity', 'rnn-sine', 'playground-spiral', 'playground-plane-regression'].map((id) => presetSpec(id));
  let fixes = 0, broken = 0;
  const variants: [string, ModelSpec][] = [];
  for (const base of bases) {
    // Each palette kind inserted at each position, and each layer taken out.
    for (const def of LAYERS) if (def.family)
      for (let at = 0; at <= base.layers.length; at++)
        variants.push([`${def.kind} at ${at} in ${base.name}`, { ...base, layers: [...base.layers.slice(0, at), defaultLayer(def.kind), ...base.layers.slice(at)] }]);
    base.layers.forEach((_, at) => variants.push([`${base.name} without layer ${at + 1}`, { ...base, layers: base.layers.filter((_, j) => j !== at) }]));
  }
  for (const [where, spec] of variants) {
    const errs = checkSpec(spec).validation.errors.filter((e) => e.layer !== undefined || e.path === 'layers');
    assert.ok(errs.length <= 1, `${where}: ${JSON.stringify(errs.map((e) => e.message))}`);
    for (const e of errs) {
      broken++;
      assert.doesNotMatch(issueText(e), PLACEHOLDER, where);
      assert.doesNotMatch(issueText(e), /^kind /, `${where}: the layer's own problem is not a "kind" field's`);
      if (!e.fix) continue;
      fixes++;
      assert.doesNotMatch(e.fix.label, PLACEHOLDER, where);
      const after = inferShapes({ ...spec, layers: e.fix.layers }).errors.filter((x) => x.layer !== undefined || x.path === 'layers');
      assert.ok(!after.some((x) => x.message === e.message), `${where}: "${e.fix.label}" leaves ${e.message}`);
    }
  }
  console.log(`# ${variants.length} variants: ${broken} broken, ${fixes} with a fix`);
  assert.ok(broken > 150 && fixes > 60, `${broken} broken models, ${fixes} with a fix`);
});

test('layer summaries count in words: singular for one, thousands separated', () => {
  const say = (l: LayerSpec) => layerDef(l.kind).summary(l as never);
  assert.equal(say({ kind: 'dense', units: 1 }), '1 unit');
  assert.equal(say({ kind: 'dense', units: 4096, activation: 'relu' }), '4,096 units, ReLU');
  assert.equal(say({ kind: 'conv2d', filters: 1, kernel: 3 }), '1 filter 3×3, stride 1, valid');
  assert.equal(say({ kind: 'conv2d', filters: 1024, kernel: [3, 5], padding: 'same' }), '1,024 filters 3×5, stride 1, same');
  assert.equal(say({ kind: 'embedding', dim: 1, vocab: 65536 }), '1 dim, vocabulary 65,536');
  assert.equal(say({ kind: 'patches', size: 7, dim: 1 }), '7×7 patches → 1 dim');
  assert.equal(say({ kind: 'lstm', hidden: 2048 }), '2,048 hidden, last state');
  assert.equal(say({ kind: 'transformer', heads: 1, mlp: 8192 }), '1 block, 1 head, bidirectional, pre-LN, MLP 8,192');
});

test('a residual block that changes the width: one error at the block, fixed by sizing its last Dense or Conv2D', () => {
  const dense = mnist([{ kind: 'flatten' }, { kind: 'dense', units: 64, activation: 'relu' },
    { kind: 'residual', layers: [{ kind: 'dense', units: 32, activation: 'relu' }, { kind: 'dropout', rate: 0.1 }] }, { kind: 'dense', units: 10 }]);
  const [e, ...rest] = inferShapes(dense).errors;
  assert.deepEqual(rest, []);
  assert.equal(e.layer, 2);
  assert.match(e.message, /maps \(64\) to \(32\); a residual needs its output shape equal to its input shape/);
  assert.equal(e.fix?.label, "Set the block's inner layer 1 to 64 units");
  assert.deepEqual((e.fix!.layers[2] as { layers: LayerSpec[] }).layers[0], { kind: 'dense', units: 64, activation: 'relu' });
  const fixed = inferShapes({ ...dense, layers: e.fix!.layers });
  assert.deepEqual(fixed.errors, []);
  // 784·64 + 64, 64·64 + 64, 64·10 + 10.
  assert.equal(fixed.totalParams, 50_240 + 4_160 + 650);

  const image = mnist([conv, { kind: 'residual', layers: [{ ...conv, filters: 4 }] }, { kind: 'flatten' }, { kind: 'dense', units: 10 }]);
  const [c] = inferShapes(image).errors;
  assert.equal(c.fix?.label, "Set the block's inner layer 1 to 8 filters");
  assert.deepEqual(inferShapes({ ...image, layers: c.fix!.layers }).errors, []);

  // A block that also changes the image's size has no width fix: none is offered.
  const pooled = mnist([conv, { kind: 'residual', layers: [{ kind: 'maxpool2d', size: 2 }, { ...conv, filters: 4 }] }, { kind: 'flatten' }, { kind: 'dense', units: 10 }]);
  const [p] = inferShapes(pooled).errors;
  assert.match(p.message, /maps \(28, 28, 8\) to \(14, 14, 4\)/);
  assert.equal(p.fix, undefined);
});
