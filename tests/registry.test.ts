// The layer registry, walked: every kind, with every declared field set to a value other than its
// default, survives (a) a share link, (b) the trainer's spec file and (c) the PyTorch export, and
// every non-layer field survives a link. A kind added to kernels/layers without an example here,
// or with a field the example does not set, fails the first test: it cannot be forgotten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAYERS, type LayerSpec } from '../kernels/layers/index.ts';
import { withLayerList } from '../kernels/layers/docs.ts';
import type { FieldDef } from '../kernels/layers/def.ts';
import { decodeShare, encodeShare } from '../app/share/codec.ts';
import { loadSpec } from '../scripts/lib/spec-file.ts';
import { exportPyTorch } from '../kernels/export/pytorch.ts';
import { describeParams } from '../kernels/nn/model.ts';
import { datasetInfo, inferShapes, resolveLayers } from '../kernels/model/shapes.ts';
import type { DatasetSpec, ModelSpec, TrainSpec } from '../kernels/model/types.ts';

const PY = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const MNIST: DatasetSpec = { kind: 'mnist' };
const COPY: DatasetSpec = { kind: 'task', name: 'copy', length: 6 }; // tokens in and out, vocabulary 10, (12, 10) out
const TRAIN: TrainSpec = { optimizer: { kind: 'adam' }, lr: 1e-3, schedule: { kind: 'constant' }, batchSize: 8, epochs: 1 };

const spec = (dataset: DatasetSpec, layers: LayerSpec[]): ModelSpec => ({
  version: 1, name: 'registry', dataset, layers, loss: 'softmax_cross_entropy', train: TRAIN, seed: 3,
});
const out10: LayerSpec[] = [{ kind: 'flatten' }, { kind: 'dense', units: 10 }];
const conv: LayerSpec = { kind: 'conv2d', filters: 4, kernel: 3, padding: 'same' };

/** For each kind: a model around the layer under test (`at`), every field of that layer off its default. */
const EXAMPLES: Record<string, { spec: ModelSpec; at: number }> = {
  dense: { spec: spec(MNIST, [{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'tanh' }]), at: 1 },
  activation: { spec: spec(MNIST, [...out10, { kind: 'activation', fn: 'gelu' }]), at: 2 },
  dropout: { spec: spec(MNIST, [{ kind: 'flatten' }, { kind: 'dropout', rate: 0.3 }, { kind: 'dense', units: 10 }]), at: 1 },
  flatten: { spec: spec(MNIST, out10), at: 0 },
  layernorm: { spec: spec(MNIST, [{ kind: 'flatten' }, { kind: 'layernorm', eps: 1e-4 }, { kind: 'dense', units: 10 }]), at: 1 },
  conv2d: {
    spec: spec(MNIST, [{ kind: 'conv2d', filters: 4, kernel: [3, 5], stride: 2, dilation: 2, padding: 1, activation: 'leaky_relu' }, ...out10]), at: 0,
  },
  maxpool2d: { spec: spec(MNIST, [{ kind: 'maxpool2d', size: 3, stride: 2, padding: 1 }, ...out10]), at: 0 },
  avgpool2d: { spec: spec(MNIST, [{ kind: 'avgpool2d', size: 3, stride: 2, padding: 'same' }, ...out10]), at: 0 },
  globalavgpool: { spec: spec(MNIST, [conv, { kind: 'globalavgpool' }, { kind: 'dense', units: 10 }]), at: 1 },
  batchnorm: { spec: spec(MNIST, [conv, { kind: 'batchnorm', momentum: 0.2, eps: 1e-4 }, ...out10]), at: 1 },
  embedding: { spec: spec(COPY, [{ kind: 'embedding', dim: 8, vocab: 12 }, { kind: 'dense', units: 10 }]), at: 0 },
  lstm: {
    spec: spec(COPY, [{ kind: 'embedding', dim: 8 }, { kind: 'lstm', hidden: 6, layers: 2, returnSequences: true, learnInitialState: true, forgetBias: 0.5 }, { kind: 'dense', units: 10 }]),
    at: 1,
  },
  gru: { spec: spec(COPY, [{ kind: 'embedding', dim: 8 }, { kind: 'gru', hidden: 6, layers: 2, returnSequences: true, learnInitialState: true }, { kind: 'dense', units: 10 }]), at: 1 },
  rnn: { spec: spec(COPY, [{ kind: 'embedding', dim: 8 }, { kind: 'rnn', hidden: 6, layers: 3, returnSequences: true, learnInitialState: true }, { kind: 'dense', units: 10 }]), at: 1 },
  posenc: { spec: spec(COPY, [{ kind: 'embedding', dim: 8 }, { kind: 'posenc', type: 'learned' }, { kind: 'dense', units: 10 }]), at: 1 },
  transformer: {
    spec: spec(COPY, [
      { kind: 'embedding', dim: 8 },
      { kind: 'transformer', heads: 2, layers: 2, mlp: 12, norm: 'post', causal: true, dropout: 0.1, attnDropout: 0.2 },
      { kind: 'dense', units: 10 },
    ]),
    at: 1,
  },
  patches: { spec: spec(MNIST, [{ kind: 'patches', size: 7, dim: 8 }, { kind: 'globalavgpool' }, { kind: 'dense', units: 10 }]), at: 0 },
  unembed: { spec: spec(COPY, [{ kind: 'embedding', dim: 8 }, { kind: 'layernorm' }, { kind: 'unembed' }]), at: 2 },
  residual: {
    spec: spec(MNIST, [
      { kind: 'flatten' }, { kind: 'dense', units: 16, activation: 'relu' },
      { kind: 'residual', layers: [{ kind: 'dense', units: 16, activation: 'relu' }, { kind: 'residual', layers: [{ kind: 'dropout', rate: 0.1 }] }] },
      { kind: 'dense', units: 10 },
    ]),
    at: 2,
  },
};

test('every registered kind has an example that sets every declared field off its default, and the example is a valid model', () => {
  assert.ok(LAYERS.length >= 19, `${LAYERS.length} kinds`);
  for (const def of LAYERS) {
    const ex = EXAMPLES[def.kind];
    assert.ok(ex, `kind "${def.kind}" has no example in tests/registry.test.ts: add one that sets every field`);
    const layer = ex.spec.layers[ex.at] as unknown as Record<string, unknown>;
    assert.equal(layer.kind, def.kind, `${def.kind}: the example's layer ${ex.at + 1} is the kind under test`);
    for (const [name, f] of Object.entries(def.fields as Record<string, FieldDef>)) {
      assert.ok(name in layer, `${def.kind}.${name}: the example does not set it`);
      if (f.default !== undefined) assert.notDeepEqual(layer[name], f.default, `${def.kind}.${name}: the example sets it to its default`);
    }
    assert.deepEqual(Object.keys(layer).filter((k) => k !== 'kind').sort(), Object.keys(def.fields).sort(), `${def.kind}: only declared fields`);
    assert.deepEqual(inferShapes(ex.spec).errors, [], def.kind);
  }
  assert.deepEqual(Object.keys(EXAMPLES).sort(), LAYERS.map((d) => d.kind).sort(), 'an example for a kind the registry does not have');
});

test('(a) every kind round-trips through a share link, field for field', async () => {
  for (const def of LAYERS) {
    const { spec: s } = EXAMPLES[def.kind];
    const r = await decodeShare(await encodeShare(s));
    assert.equal(r.kind, 'ok', `${def.kind}: ${r.kind === 'error' ? r.errors.join('; ') : ''}`);
    if (r.kind === 'ok') assert.deepEqual(r.spec, s, def.kind);
  }
});

test('(b) every kind round-trips through the trainer\'s spec file (npm run train -- --spec FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-spec-'));
  for (const def of LAYERS) {
    const { spec: s } = EXAMPLES[def.kind];
    const file = join(dir, `${def.kind}.json`);
    writeFileSync(file, JSON.stringify(s, null, 2));
    assert.deepEqual(loadSpec({ file }), s, def.kind);
  }
  // The same refusal as a link's: a field the registry does not declare.
  const bad = structuredClone(EXAMPLES.conv2d.spec) as unknown as { layers: Record<string, unknown>[] };
  bad.layers[0].foo = 1;
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
  assert.throws(() => loadSpec({ file: join(dir, 'bad.json') }), /layers\[0\] \(conv2d\)\.foo: Layer 1 \(Conv2D\): unknown field 'foo'/);
});

test('(c) every kind exports to a PyTorch module whose tensors and output shape match the engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-torch-'));
  const jobs: [string, string][] = [];
  const want: Record<string, { sizes: Record<string, number>; out: number[] }> = {};
  for (const def of LAYERS) {
    const { spec: s } = EXAMPLES[def.kind];
    const path = join(dir, `m_${def.kind}.py`);
    writeFileSync(path, exportPyTorch(s));
    jobs.push([def.kind, path]);
    const params = describeParams(resolveLayers(s), datasetInfo(s).inputShape);
    const shapes = inferShapes(s);
    want[def.kind] = {
      sizes: Object.fromEntries(params.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)])),
      out: [2, ...shapes.layers[shapes.layers.length - 1].outShape],
    };
  }
  // One interpreter for all: build each module, read its state_dict, run a forward on zeros.
  const driver = `
import importlib.util, json, sys, torch
res = {}
for kind, path in json.loads(sys.argv[1]):
    sp = importlib.util.spec_from_file_location("m_" + kind, path)
    m = importlib.util.module_from_spec(sp)
    sp.loader.exec_module(m)
    torch.manual_seed(0)
    net = m.build_model().eval()
    sd = net.state_dict()
    with torch.no_grad():
        y = net(m.to_model_input(torch.zeros(2, *m.INPUT_SHAPE)))
    res[kind] = {"sizes": {e: sd[k].numel() for e, k, _ in m.PARAMS}, "out": list(y.shape), "finite": bool(torch.isfinite(y).all()),
                 "trainable": sum(1 for p in net.parameters()), "buffers": all(k in sd for _, k in m.BUFFERS)}
print(json.dumps(res))
`;
  const r = spawnSync(PY, ['-c', driver, JSON.stringify(jobs)], { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `python failed (${PY}; CI installs python3-torch):\n${r.stderr}`);
  const got = JSON.parse(r.stdout) as Record<string, { sizes: Record<string, number>; out: number[]; finite: boolean; trainable: number; buffers: boolean }>;
  for (const def of LAYERS) {
    const g = got[def.kind];
    assert.deepEqual(g.sizes, want[def.kind].sizes, `${def.kind}: every engine tensor has a torch tensor of its size`);
    assert.equal(g.trainable, Object.keys(want[def.kind].sizes).length, `${def.kind}: torch trains exactly the engine's parameters`);
    // A token output (T, V) per sample; an image output would be NCHW, none of these ends in one.
    assert.deepEqual(g.out, want[def.kind].out, `${def.kind}: output shape`);
    assert.ok(g.finite && g.buffers, def.kind);
  }
});

test('every non-layer field round-trips through a link: train (augment included), each optimizer and schedule, task and images datasets', async () => {
  const base = EXAMPLES.dense.spec;
  const trains: TrainSpec[] = [
    {
      optimizer: { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 1e-3 }, lr: 0.05,
      schedule: { kind: 'step', everySteps: 100, gamma: 0.5 }, warmupSteps: 20, batchSize: 32, epochs: 2,
      clipNorm: 1.5, evalEverySteps: 50, earlyStopPatience: 3, augment: { shift: 2, rotate: 10, scale: 0.1, flip: true },
    },
    { optimizer: { kind: 'adam', beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 1e-4 }, lr: 1e-3, schedule: { kind: 'exponential', gamma: 0.9 }, batchSize: 16, epochs: 1 },
    { optimizer: { kind: 'adamw', beta1: 0.85, beta2: 0.995, eps: 1e-7, weightDecay: 0.05 }, lr: 2e-3, schedule: { kind: 'cosine', totalSteps: 500, minLr: 1e-5 }, batchSize: 64, epochs: 3 },
  ];
  for (const train of trains) {
    const s = { ...base, name: 'all fields', train };
    const r = await decodeShare(await encodeShare(s));
    assert.equal(r.kind, 'ok', r.kind === 'error' ? r.errors.join('; ') : '');
    if (r.kind === 'ok') assert.deepEqual(r.spec, s);
  }
  const datasets: DatasetSpec[] = [
    { kind: 'task', name: 'copy', length: 6, symbols: 6, trainSize: 500, testSize: 100 },
    { kind: 'task', name: 'sine', length: 8, horizon: 2, trainSize: 300, testSize: 50 },
  ];
  const heads: LayerSpec[][] = [[{ kind: 'embedding', dim: 8 }, { kind: 'lstm', hidden: 8, returnSequences: true }, { kind: 'dense', units: 8 }], [{ kind: 'gru', hidden: 8 }, { kind: 'dense', units: 2 }]];
  for (let i = 0; i < datasets.length; i++) {
    const s: ModelSpec = { ...base, dataset: datasets[i], layers: heads[i], loss: i === 0 ? 'softmax_cross_entropy' : 'mse' };
    const r = await decodeShare(await encodeShare(s));
    assert.equal(r.kind, 'ok', r.kind === 'error' ? r.errors.join('; ') : '');
    if (r.kind === 'ok') assert.deepEqual(r.spec, s);
  }
  // Your own images: the spec names them (fingerprint, classes, counts, size), never their pixels.
  const images: DatasetSpec = { kind: 'images', name: 'pets.zip', hash: '00ff00ff00ff00ff', classes: ['cat', 'dog', 'fox'], counts: [30, 31, 5], size: 28 };
  const s: ModelSpec = { ...base, dataset: images, layers: [{ kind: 'flatten' }, { kind: 'dense', units: 3 }], loss: 'softmax_cross_entropy' };
  const r = await decodeShare(await encodeShare(s));
  assert.equal(r.kind, 'ok', r.kind === 'error' ? r.errors.join('; ') : '');
  if (r.kind === 'ok') assert.deepEqual(r.spec, s);
  const bad = await decodeShare(await encodeShare({ ...s, dataset: { ...images, counts: [30, 31, 4] } }));
  assert.equal(bad.kind, 'error', 'a class under 5 images is refused on the way in');
});

test("the README's layer list is the registry's (npm run layers:readme rewrites it)", () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  assert.equal(readme, withLayerList(readme), 'README.md lists the layers differently from kernels/layers: run npm run layers:readme');
  for (const def of LAYERS) assert.ok(readme.includes(`[\`${def.kind}\`](kernels/layers/${def.kind}.ts)`), def.kind);
});
