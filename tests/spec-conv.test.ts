// Spec side of the convolutional layers: presets, shape inference, parameter naming and order,
// and refusals that name the layer index, kind and field. Run: node --import tsx --test tests/spec-conv.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBuffers, describeParams } from '../kernels/nn/model.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import type { LayerSpec, ModelSpec } from '../kernels/model/types.ts';
import { validateSpec } from '../kernels/model/validate.ts';

const withLayers = (layers: LayerSpec[]): ModelSpec => ({ ...presetSpec('cnn-mnist-small'), layers });

test('cnn presets: shapes layer by layer and parameter counts', () => {
  const big = inferShapes(presetSpec('cnn-mnist'));
  assert.deepEqual(big.errors, []);
  assert.deepEqual(big.layers.map((l) => l.outShape), [[24, 24, 16], [12, 12, 16], [8, 8, 32], [4, 4, 32], [512], [128], [10]]);
  assert.equal(big.totalParams, (25 * 16 + 16) + (25 * 16 * 32 + 32) + (512 * 128 + 128) + (128 * 10 + 10));
  const small = inferShapes(presetSpec('cnn-mnist-small'));
  assert.deepEqual(small.errors, []);
  assert.equal(small.layers[small.layers.length - 1].outShape.join(), '10');
});

test('conv geometry: same/valid/explicit padding, stride, dilation, pools and global pooling', () => {
  const r = inferShapes(withLayers([
    { kind: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 'same' }, // ceil(28/2) = 14
    { kind: 'conv2d', filters: 4, kernel: [3, 5], padding: 'valid', dilation: 2 }, // 14 − 4 = 10, 14 − 8 = 6
    { kind: 'maxpool2d', size: 3, stride: 2, padding: 1 }, // (10 + 2 − 3)/2 + 1 = 5, (6 + 2 − 3)/2 + 1 = 3
    { kind: 'batchnorm' },
    { kind: 'avgpool2d', size: 2, stride: 1 }, // 4, 2
    { kind: 'conv2d', filters: 10, kernel: 1, padding: 2 }, // 8, 6
    { kind: 'globalavgpool' },
  ]));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.layers.map((l) => l.outShape), [[14, 14, 4], [10, 6, 4], [5, 3, 4], [5, 3, 4], [4, 2, 4], [8, 6, 10], [10]]);
  assert.deepEqual(r.layers.map((l) => l.params), [40, 3 * 5 * 4 * 4 + 4, 0, 8, 0, 50, 0]);
});

test('impossible geometry is refused naming layer, kind and field', () => {
  const big = inferShapes(withLayers([
    { kind: 'conv2d', filters: 4, kernel: 5, stride: 4 }, // 28 → 6
    { kind: 'conv2d', filters: 4, kernel: 7 }, // 7 > 6: empty output
    { kind: 'flatten' }, { kind: 'dense', units: 10 },
  ]));
  assert.equal(big.errors.length, 1, JSON.stringify(big.errors));
  assert.equal(big.errors[0].path, 'layers[1] (conv2d).kernel');
  assert.equal(big.errors[0].layer, 1);
  assert.match(big.errors[0].message, /7×7 is larger than the padded input 6×6/);

  const dil = inferShapes(withLayers([{ kind: 'maxpool2d', size: 4, stride: 4 }, { kind: 'conv2d', filters: 10, kernel: 3, dilation: 4 }, { kind: 'globalavgpool' }]));
  assert.equal(dil.errors[0].path, 'layers[1] (conv2d).kernel');
  assert.match(dil.errors[0].message, /3×3 \(9×9 with dilation 4\) is larger than the padded input 7×7/);

  const afterFlatten = inferShapes(withLayers([{ kind: 'flatten' }, { kind: 'conv2d', filters: 4, kernel: 3 }, { kind: 'dense', units: 10 }]));
  assert.equal(afterFlatten.errors[0].path, 'layers[1] (conv2d)'); // the layer, not a field: no "kind needs …"
  assert.match(afterFlatten.errors[0].message, /needs an image input/);

  const pad = inferShapes(withLayers([{ kind: 'maxpool2d', size: 2, padding: 2 }, { kind: 'globalavgpool' }, { kind: 'dense', units: 10 }]));
  assert.equal(pad.errors[0].path, 'layers[0] (maxpool2d).padding');
});

test('conv fields and augmentation are validated with bounds', () => {
  const s = withLayers([
    { kind: 'conv2d', filters: 0, kernel: 3 },
    { kind: 'conv2d', filters: 4, kernel: [3, 0], stride: 0, padding: 'full' as never, dilation: 1.5 },
    { kind: 'maxpool2d', size: 0 },
    { kind: 'batchnorm', momentum: 2 },
    { kind: 'conv2d', filters: 4, kernel: 3, activation: 'softmax' as never },
  ]);
  s.train.augment = { shift: 20, rotate: 90, scale: -1, flip: 'yes' as never };
  const paths = validateSpec(s).errors.map((e) => e.path);
  assert.deepEqual(paths, [
    'layers[0] (conv2d).filters',
    'layers[1] (conv2d).kernel[1]', 'layers[1] (conv2d).stride', 'layers[1] (conv2d).dilation', 'layers[1] (conv2d).padding',
    'layers[2] (maxpool2d).size',
    'layers[3] (batchnorm).momentum',
    'layers[4] (conv2d).activation',
    'train.augment.shift', 'train.augment.rotate', 'train.augment.scale', 'train.augment.flip',
  ]);
  const ok = presetSpec('cnn-mnist-small');
  ok.train.augment = { shift: 2, rotate: 10, scale: 0.1, flip: false };
  assert.deepEqual(validateSpec(ok).errors, []);
});

test('parameter names and order: W (KH, KW, C, F) then b per conv; gamma, beta per batchnorm; running stats as buffers', () => {
  const layers: LayerSpec[] = [
    { kind: 'conv2d', filters: 6, kernel: 5, activation: 'relu' },
    { kind: 'batchnorm' },
    { kind: 'maxpool2d', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
  ];
  const p = describeParams(layers, [28, 28, 1]);
  assert.deepEqual(p.map((x) => [x.name, x.shape.join('x'), x.init]), [
    ['layers.0.W', '5x5x1x6', 'he'], ['layers.0.b', '6', 'zeros'],
    ['layers.1.gamma', '6', 'ones'], ['layers.1.beta', '6', 'zeros'],
    ['layers.4.W', '864x10', 'glorot'], ['layers.4.b', '10', 'zeros'],
  ]);
  assert.equal(p[0].fanIn, 25);
  assert.deepEqual(describeBuffers(layers, [28, 28, 1]).map((x) => [x.name, x.shape.join('x'), x.init]), [
    ['layers.1.running_mean', '6', 'zeros'], ['layers.1.running_var', '6', 'ones'],
  ]);
});
