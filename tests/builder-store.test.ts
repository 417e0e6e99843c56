// The builder's store actions for block templates and multi-selection: the pure list edits
// (repeatBlock, wrapSelection, duplicateMany, removeMany, the selection helpers) and the same
// actions through the bound store, with the shapes they produce on MNIST (28×28×1 in).
// Run: npm test -- tests/builder-store
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { LayerSpec, ModelSpec } from '../kernels/model/types.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { checkSpec } from '../app/engine.ts';
import { BLOCKS, MAX_REPEAT, repeatBlock } from '../app/store/blocks.ts';
import { duplicateMany, removeMany, wrapSelection } from '../app/store/layers.ts';
import { extendTo, insertionPoint, selectOne, toggle } from '../app/store/selection.ts';
import { useApp } from '../app/store/index.ts';

const kinds = (ls: readonly LayerSpec[]) => ls.map((l) => l.kind);
const store = () => useApp.getState();
const empty = (): ModelSpec => ({ ...presetSpec('mlp-mnist-small'), layers: [] });
const five: LayerSpec[] = [
  { kind: 'flatten' }, { kind: 'dense', units: 32, activation: 'relu' }, { kind: 'dropout', rate: 0.1 },
  { kind: 'dense', units: 32, activation: 'tanh' }, { kind: 'dense', units: 10 },
];

beforeEach(() => store().loadSpec(empty(), null));

test('a template × 3 is exactly its layers three times, fresh objects, repeat clamped to 1..8', () => {
  const conv = repeatBlock('conv-relu-pool', 3);
  assert.deepEqual(kinds(conv), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'conv2d', 'maxpool2d']);
  assert.deepEqual(conv[0], { kind: 'conv2d', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' });
  assert.deepEqual(conv[1], { kind: 'maxpool2d', size: 2 });
  assert.notEqual(conv[0], conv[2], 'each copy is its own object (editing one leaves the others)');
  assert.deepEqual(kinds(repeatBlock('conv-bn-relu', 2)), ['conv2d', 'batchnorm', 'activation', 'conv2d', 'batchnorm', 'activation']);
  assert.deepEqual(kinds(repeatBlock('dense-relu-dropout', 3)), ['dense', 'dropout', 'dense', 'dropout', 'dense', 'dropout']);
  const t = repeatBlock('transformer-block', 3);
  assert.deepEqual(kinds(t), ['transformer', 'transformer', 'transformer']);
  assert.ok(t.every((l) => l.kind === 'transformer' && l.layers === 1), 'one block per transformer layer');
  assert.deepEqual(kinds(repeatBlock('lstm-stack', 2)), ['lstm', 'lstm']);
  assert.equal(repeatBlock('lstm-stack', 0).length, 1);
  assert.equal(repeatBlock('lstm-stack', 50).length, MAX_REPEAT);
  assert.equal(BLOCKS.length, 5);
});

test('insertBlock through the store: one edit, shapes 28×28 → 3×3, the copies selected, then Flatten goes after them', () => {
  store().insertBlock('conv-relu-pool', 3);
  const s = store();
  assert.deepEqual(kinds(s.spec.layers), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'conv2d', 'maxpool2d']);
  assert.deepEqual(s.selectedLayers, [0, 1, 2, 3, 4, 5]);
  assert.equal(s.selectedLayer, 0);
  // 'same' 3×3 convs keep the size, 2×2 'valid' pools floor-halve it: 28 → 14 → 7 → 3.
  assert.deepEqual(s.shapes?.layers.map((l) => l.outShape), [[28, 28, 8], [14, 14, 8], [14, 14, 8], [7, 7, 8], [7, 7, 8], [3, 3, 8]]);
  // 3·3·1·8 + 8 = 80, then 3·3·8·8 + 8 = 584 twice.
  assert.equal(s.shapes?.totalParams, 80 + 584 + 584);
  s.addLayer('flatten');
  assert.equal(store().spec.layers[6].kind, 'flatten');
  assert.deepEqual(store().selectedLayers, [6]);
  assert.deepEqual(store().shapes?.layers[6].outShape, [72]);
});

test('insertBlock goes after the last selected layer, else before the output layer', () => {
  store().loadSpec(presetSpec('mlp-mnist-small'), null); // flatten, dense 128, dense 10
  store().insertBlock('dense-relu-dropout', 2);
  assert.deepEqual(kinds(store().spec.layers), ['flatten', 'dense', 'dense', 'dropout', 'dense', 'dropout', 'dense']);
  assert.deepEqual(store().selectedLayers, [2, 3, 4, 5]);
  store().selectLayer(0);
  store().insertBlock('lstm-stack', 1);
  assert.deepEqual(kinds(store().spec.layers), ['flatten', 'lstm', 'dense', 'dense', 'dropout', 'dense', 'dropout', 'dense']);
  assert.deepEqual(store().selectedLayers, [1]);
});

test('wrapping layers 1..3 gives one residual holding them; the others are the same objects', () => {
  const r = wrapSelection(five, [3, 1, 2]);
  assert.ok(!('error' in r));
  assert.equal(r.at, 1);
  assert.deepEqual(kinds(r.layers), ['flatten', 'residual', 'dense']);
  const block = r.layers[1];
  assert.ok(block.kind === 'residual');
  assert.deepEqual(block.layers, five.slice(1, 4));
  assert.equal(r.layers[0], five[0]);
  assert.equal(r.layers[2], five[4]);
  assert.equal(five.length, 5, 'the input list is not changed');
});

test('a non-contiguous wrap is refused with a message naming the layers and the gap', () => {
  assert.deepEqual(wrapSelection(five, [0, 2, 3]), {
    error: 'A residual block wraps consecutive layers: layers 1, 3 and 4 are not one run (layer 2 is not selected).',
  });
  assert.deepEqual(wrapSelection(five, [0, 4]), {
    error: 'A residual block wraps consecutive layers: layers 1 and 5 are not one run (layers 2, 3 and 4 are not selected).',
  });
  assert.deepEqual(wrapSelection(five, []), { error: 'Select the layers to wrap first.' });

  // Through the store: the spec is left as it was, the notice set, and cleared by the next selection.
  store().loadSpec({ ...empty(), layers: five }, null);
  const before = store().spec;
  store().selectLayer(0);
  store().toggleLayerSelection(2);
  store().toggleLayerSelection(3);
  assert.deepEqual(store().selectedLayers, [0, 2, 3]);
  store().wrapSelected();
  assert.equal(store().spec, before);
  assert.equal(store().selectionNotice, 'A residual block wraps consecutive layers: layers 1, 3 and 4 are not one run (layer 2 is not selected).');
  store().extendLayerSelection(1);
  assert.deepEqual(store().selectedLayers, [1, 2, 3]); // from the anchor (3, the last added) to 1
  assert.equal(store().selectionNotice, null);
  store().wrapSelected();
  assert.deepEqual(kinds(store().spec.layers), ['flatten', 'residual', 'dense']);
  assert.deepEqual(store().selectedLayers, [1]);
  // The block maps the flattened 784 to 32: flagged on it, naming its place, its layers and both shapes.
  const err = store().validation.errors.find((e) => e.layer === 1);
  assert.equal(err?.message, 'the residual block at layer 2 (dense → dropout → dense) maps (784) to (32); a residual needs its output shape equal to its input shape');
  assert.equal(store().validation.ok, false);
});

test('bulk duplicate puts copies after the last selected layer; bulk remove drops exactly the selected', () => {
  const d = duplicateMany(five, [2, 1]);
  assert.deepEqual(kinds(d.layers), ['flatten', 'dense', 'dropout', 'dense', 'dropout', 'dense', 'dense']);
  assert.deepEqual([d.start, d.count], [3, 2]);
  assert.deepEqual(d.layers[3], five[1]);
  assert.notEqual(d.layers[3], five[1], 'a copy, not the same object');
  assert.deepEqual(kinds(removeMany(five, [0, 2, 4])), ['dense', 'dense']);
  assert.deepEqual(removeMany(five, [1, 3]).map((l) => (l.kind === 'dense' ? l.units : 0)), [0, 0, 10]);

  store().loadSpec({ ...empty(), layers: five }, null);
  store().selectLayer(1);
  store().extendLayerSelection(2);
  store().duplicateSelected();
  assert.equal(store().spec.layers.length, 7);
  assert.deepEqual(store().selectedLayers, [3, 4]);
  store().removeSelected();
  assert.deepEqual(store().spec.layers, five);
  assert.deepEqual(store().selectedLayers, [3]);
  store().selectLayer(0);
  store().toggleLayerSelection(4);
  store().removeSelected();
  assert.deepEqual(kinds(store().spec.layers), ['dense', 'dropout', 'dense']);
  assert.deepEqual(store().selectedLayers, [0]);
});

test('selection helpers: a Shift range runs from the anchor; Ctrl toggles; inserts go after the last selected', () => {
  let s = selectOne(3);
  s = extendTo(s, 1);
  assert.deepEqual([s.selectedLayer, s.selectedLayers], [3, [1, 2, 3]]);
  s = extendTo(s, 5);
  assert.deepEqual([s.selectedLayer, s.selectedLayers], [3, [3, 4, 5]]);
  s = toggle(s, 3);
  assert.deepEqual([s.selectedLayer, s.selectedLayers], [5, [4, 5]]);
  s = toggle(s, 0);
  assert.deepEqual([s.selectedLayer, s.selectedLayers], [0, [0, 4, 5]]);
  assert.equal(insertionPoint(s, 8), 6);
  assert.equal(insertionPoint(selectOne(null), 8), 7);
  assert.equal(insertionPoint(selectOne(null), 0), 0);
  // Shift+↓ from a row with nothing selected starts the run at that row.
  const k = extendTo(selectOne(null), 4, 3);
  assert.deepEqual([k.selectedLayer, k.selectedLayers], [3, [3, 4]]);
});

test('a shape-keeping residual is valid and its parameters are its inner layers\'', () => {
  const spec: ModelSpec = {
    ...empty(),
    layers: [
      { kind: 'conv2d', filters: 8, kernel: 3, padding: 'same', activation: 'relu' },
      { kind: 'residual', layers: [{ kind: 'conv2d', filters: 8, kernel: 3, padding: 'same' }, { kind: 'batchnorm' }] },
      { kind: 'flatten' }, { kind: 'dense', units: 10 },
    ],
  };
  const { validation, shapes } = checkSpec(spec);
  assert.deepEqual(validation.errors, []);
  assert.equal(shapes?.layers[1].params, 584 + 16);
  const bad = checkSpec({ ...spec, layers: [spec.layers[0], { kind: 'residual', layers: [{ kind: 'maxpool2d', size: 2 }] }, ...spec.layers.slice(2)] });
  assert.deepEqual(bad.validation.errors.map((e) => [e.layer, e.message]), [
    [1, 'the residual block at layer 2 (maxpool2d) maps (28, 28, 8) to (14, 14, 8); a residual needs its output shape equal to its input shape'],
  ]);
});

test('a model built from scratch with the palette ends valid: a Dense added last is the output layer', () => {
  assert.equal(store().spec.layers.length, 0);
  // No layers: the stack offers the whole fix in one click.
  const none = store().validation.errors.find((e) => e.path === 'layers');
  assert.equal(none?.fix?.label, 'Add Flatten and output layer');
  store().addLayer('flatten');
  assert.equal(store().validation.errors[0].fix?.label, 'Add output layer');
  store().addLayer('dense'); // after the selected Flatten, last: sized to the 10 digits, no activation
  assert.deepEqual(store().spec.layers, [{ kind: 'flatten' }, { kind: 'dense', units: 10 }]);
  assert.equal(store().validation.ok, true, JSON.stringify(store().validation.errors));
  // Not last (nothing selected: before the output layer): the palette's hidden layer, 64 ReLU.
  store().selectLayer(null);
  store().addLayer('dense');
  assert.deepEqual(store().spec.layers[1], { kind: 'dense', units: 64, activation: 'relu' });
  assert.equal(store().validation.ok, true);
});

test('applyFix puts in the fix\'s layers as one edit and selects the first changed layer', () => {
  store().loadSpec({ ...empty(), layers: [{ kind: 'conv2d', filters: 8, kernel: 3, padding: 'same', activation: 'relu' }, { kind: 'dense', units: 10 }] }, null);
  const e = store().validation.errors;
  assert.equal(e.length, 1);
  assert.equal(e[0].layer, 1);
  assert.equal(e[0].fix?.label, 'Add Flatten');
  store().applyFix(e[0].fix!);
  assert.deepEqual(kinds(store().spec.layers), ['conv2d', 'flatten', 'dense']);
  assert.deepEqual(store().selectedLayers, [1]);
  assert.equal(store().validation.ok, true);
  assert.equal(store().shapes?.totalParams, 80 + 6272 * 10 + 10);
  assert.equal(store().modified, true);
});

test('a preset chosen over an edited model can be undone until the next edit', () => {
  store().loadPreset('mlp-mnist-small'); // over the custom (empty) model of beforeEach: that one is kept
  assert.deepEqual(store().replaced?.spec.layers, []);
  store().loadPreset('mlp-mnist-small');
  assert.equal(store().replaced, null, 'a preset as it came: nothing edited, nothing to bring back');
  store().updateLayer(1, { kind: 'dense', units: 96, activation: 'tanh' });
  store().addLayer('dropout');
  const edited = store().spec;
  assert.equal(edited.layers.length, 4);
  store().loadPreset('cnn-mnist-small');
  assert.notEqual(store().spec.layers.length, 4);
  assert.equal(store().replaced?.presetId, 'mlp-mnist-small');
  store().undoReplace();
  assert.equal(store().spec, edited);
  assert.deepEqual(store().spec.layers[1], { kind: 'dense', units: 96, activation: 'tanh' });
  assert.equal(store().presetId, 'mlp-mnist-small');
  assert.equal(store().modified, true);
  assert.equal(store().replaced, null);
  // An edit after the switch ends the offer (undo would throw that edit away).
  store().loadPreset('cnn-mnist-small');
  store().setSeed(3);
  assert.equal(store().replaced, null);
});
