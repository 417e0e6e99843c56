// "How it works" cards, walked over the registry: every layer kind of every preset (and of a
// hand-made model that holds the kinds no preset uses) has a card whose TeX KaTeX renders
// strictly, with the layer's real sizes in it; the training cards follow the spec's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import katex from 'katex';
import { LAYERS } from '../kernels/layers/index.ts';
import { layerHow } from '../kernels/layers/cards.ts';
import type { HowCard } from '../kernels/layers/def.ts';
import { trainHow } from '../kernels/optim/how.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { inferShapes } from '../kernels/model/shapes.ts';

const render = (tex: string) => katex.renderToString(tex, { output: 'htmlAndMathml', throwOnError: true, displayMode: true });
const all = (c: HowCard) => [...c.tex, ...c.text].join('\n');
const preset = (name: string) => structuredClone(presetSpec(name));

// Kinds no preset uses: batchnorm, activation, avgpool2d, residual, dropout, globalavgpool, layernorm.
const EXTRA: ModelSpec = {
  ...preset('cnn-mnist'), name: 'how-extra',
  layers: [
    { kind: 'conv2d', filters: 6, kernel: 3, stride: 2, padding: 1 }, // (14, 14, 6)
    { kind: 'batchnorm', momentum: 0.2 },
    { kind: 'activation', fn: 'gelu' },
    { kind: 'avgpool2d', size: 2 }, // (7, 7, 6)
    { kind: 'residual', layers: [{ kind: 'conv2d', filters: 6, kernel: 3, padding: 'same', activation: 'tanh' }] },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'globalavgpool' }, // (6)
    { kind: 'layernorm' },
    { kind: 'dense', units: 10, activation: 'leaky_relu' },
  ],
};

function cards(spec: ModelSpec): { kind: string; card: HowCard }[] {
  return spec.layers.map((l, i) => {
    const card = layerHow(spec, i);
    assert.ok(card, `${spec.name}: layer ${i + 1} (${l.kind}) has no card`);
    return { kind: l.kind, card };
  });
}

test('every kind has a card in some model, and every TeX line renders strictly', () => {
  const seen = new Set<string>();
  for (const spec of [...Object.keys(PRESETS).map(preset), EXTRA]) {
    for (const { kind, card } of cards(spec)) {
      seen.add(kind);
      assert.ok(card.tex.length > 0 && card.text.length > 0, `${spec.name} ${kind}: empty card`);
      for (const t of card.tex) assert.doesNotThrow(() => render(t), `${spec.name} ${kind}: ${t}`);
      for (const s of card.text) assert.match(s, /^[A-Z(].*[.)]$/s, `${spec.name} ${kind}: "${s}" is not a sentence`);
    }
  }
  assert.deepEqual([...seen].sort(), LAYERS.map((d) => d.kind).sort());
});

test('mlp-mnist: the first dense layer shows W as 1024 × 784 and ReLU', () => {
  const spec = preset('mlp-mnist');
  const c = layerHow(spec, 1)!;
  assert.match(c.tex[1], /W \\in \\mathbb\{R\}\^\{1024 \\times 784\}/);
  assert.match(c.text[0], /W is 1024 × 784/);
  assert.match(c.text[0], /learns 803840 numbers/); // 784·1024 + 1024
  assert.match(all(c), /ReLU/);
  assert.match(layerHow(spec, 3)!.text[0], /W is 10 × 1024/);
  assert.match(layerHow(spec, 0)!.text[0], /28 × 28 × 1 values .* one row of 784/);
});

test('lstm-reverse: the LSTM card names its four gates with H = 64 and F = 16', () => {
  const c = layerHow(preset('lstm-reverse'), 1)!;
  for (const g of ['input gate', 'forget gate', 'output gate', 'candidate']) assert.ok(all(c).includes(g), g);
  assert.match(c.tex[1], /c_t = f_t \\odot c_\{t-1\} \+ i_t \\odot g_t/);
  assert.match(c.tex[2], /h_t = o_t \\odot \\tanh\(c_t\)/);
  assert.match(c.tex[3], /\\mathbb\{R\}\^\{64 \\times 16\}/);
  assert.match(c.tex[3], /\\mathbb\{R\}\^\{64 \\times 64\}/);
});

test('gru-parity and rnn-sine: the GRU names update and reset gates, the RNN its tanh recurrence', () => {
  const gruSpec = preset('gru-parity');
  const g = layerHow(gruSpec, gruSpec.layers.findIndex((l) => l.kind === 'gru'))!;
  for (const w of ['update gate', 'reset gate', 'candidate']) assert.ok(all(g).includes(w), w);
  const rnnSpec = preset('rnn-sine');
  const r = layerHow(rnnSpec, rnnSpec.layers.findIndex((l) => l.kind === 'rnn'))!;
  assert.match(r.tex[0], /h_t = \\tanh\(W_\{hh\} h_\{t-1\} \+ W_\{xh\} x_t \+ b\)/);
});

test('cnn-mnist: conv shows its 5 × 5 window, channels and output size; the pool its window', () => {
  const spec = preset('cnn-mnist');
  const c = layerHow(spec, 2)!; // conv 5×5, 16 → 32 channels on (12, 12, 16)
  assert.match(c.tex[2], /W \\in \\mathbb\{R\}\^\{5 \\times 5 \\times 16 \\times 32\}/);
  assert.match(c.tex[1], /y_\{i,j,f\} = \\mathrm\{ReLU\}\(z_\{i,j,f\}\)/);
  assert.match(c.text[0], /A 5 × 5 window slides over the 12 × 12 × 16 input with stride 1 and padding 0\. At each of the 8 × 8 places, each of the 32 filters/);
  assert.deepEqual(c.window, { k: 5, stride: 1, pad: 0, inSide: 12, outSide: 8 });
  const p = layerHow(spec, 1)!;
  assert.match(p.text[0], /A 2 × 2 window .* stride 2 .* largest value of each window: 24 × 24 becomes 12 × 12/);
  const x = layerHow(EXTRA, 0)!; // stride 2, padding 1
  assert.match(x.tex[0], /x_\{2i \+ u - 1,\\; 2j \+ v - 1,\\; c\}/);
});

test('transformer-reverse: the heads and d = width / heads, with the preset\'s numbers', () => {
  const spec = preset('transformer-reverse');
  const i = spec.layers.findIndex((l) => l.kind === 'transformer');
  const heads = (spec.layers[i] as { heads: number }).heads;
  const D = inferShapes(spec).layers[i].outShape[1];
  const c = layerHow(spec, i)!;
  assert.ok(c.tex[1].includes('\\mathrm{softmax}'), c.tex[1]);
  assert.ok(c.tex[1].includes(`d = ${D} / ${heads} = ${D / heads}`), c.tex[1]);
  assert.ok(c.text[0].includes(`${heads} head`), c.text[0]);
});

test('an invalid layer has no card rather than wrong numbers', () => {
  const spec = preset('mlp-mnist');
  spec.layers.splice(1, 0, { kind: 'conv2d', filters: 4, kernel: 3 }); // conv after flatten: no shape
  assert.equal(layerHow(spec, 1), null);
});

test('training cards: Adam with the spec numbers, SGD momentum, cosine, clipping, MSE', () => {
  const spec = preset('mlp-mnist');
  const [loss, opt, sch, clip] = trainHow(spec, 10);
  assert.match(loss.card.tex[0], /\\sum_\{j=1\}\^\{10\}/);
  assert.match(loss.card.tex[1], /\\frac\{1\}\{128\}/);
  assert.match(opt.card.tex[0], /0\.9\\, m \+ \(1 - 0\.9\)/);
  assert.match(opt.card.tex[3], /0\.001\\, \\frac\{\\hat\{m\}\}\{\\sqrt\{\\hat\{v\}\} \+ 10\^\{-8\}\}/);
  assert.match(opt.card.text[0], /β1 = 0\.9, β2 = 0\.999, ε = 1e-8/);
  assert.match(sch.card.tex[0], /t \/ 2340/);
  assert.match(clip.card.text[0], /off/);
  const sgd: ModelSpec = { ...spec, loss: 'mse', train: { ...spec.train, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, clipNorm: 1, schedule: { kind: 'step', everySteps: 500, gamma: 0.5 }, lr: 0.05 } };
  const [l2, o2, s2, c2] = trainHow(sgd, 1);
  assert.match(l2.title, /mean squared error/);
  assert.match(o2.card.tex[1], /\\theta - 0\.05\\,\(g \+ 0\.9\\, v\)/);
  assert.match(s2.card.tex[0], /0\.05 \\cdot 0\.5\^\{\\lfloor t \/ 500 \\rfloor\}/);
  assert.match(c2.card.tex[0], /\\frac\{1\}\{\\\|g\\\|_2\}/);
  const adamw: ModelSpec = { ...spec, train: { ...spec.train, optimizer: { kind: 'adamw', beta2: 0.98 } } };
  assert.match(trainHow(adamw, 10)[1].card.tex[3], /- 0\.001 \\cdot 0\.01\\, \\theta/);
  for (const s of [spec, sgd, adamw]) for (const { card } of trainHow(s, 10)) for (const t of card.tex) assert.doesNotThrow(() => render(t), t);
});
