// Export to PyTorch: the generated script, run by /usr/bin/python3 with torch, loads a checkpoint
// trained here (a few CPU steps, so BatchNorm running statistics, which the checkpoint carries, are
// not the initial 0/1) and reproduces the engine's outputs: MLPs, CNNs and a ViT on 100 MNIST test
// images (NCHW in the module, NHWC here), recurrent and transformer models on task samples given as
// JSON (token ids → LongTensor, sine values → floats). Its own training loop lowers the loss; its
// --save writes the playground's layout back bit for bit.
//
// Tolerance: max |engine − torch| / max(|torch|, 1) ≤ 1e-5 over every output (f32 on both sides;
// the measured figures are printed, about 1e-7 to 2e-6).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import type { CpuBackend } from '../kernels/cpu/backend.ts';
import { generateTask } from '../kernels/data/tasks.ts';
import { exportPyTorch } from '../kernels/export/pytorch.ts';
import { decodeSafetensors } from '../kernels/io/safetensors.ts';
import { buildModel } from '../kernels/nn/model.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import { datasetInfo, resolveLayers } from '../kernels/model/shapes.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const PY = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const DATA = join(import.meta.dirname, '..', 'public', 'mnist');
const TEXT = join(import.meta.dirname, '..', 'public', 'text', 'shakespeare.txt'); // the char task's
const dir = mkdtempSync(join(tmpdir(), 'export-'));
const mnist = mnistNode(2048, 100);
const TOL = 1e-5;

function python(args: string[]) {
  const r = spawnSync(PY, args, { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `python failed (${PY}; CI installs python3-torch):\n${r.stderr}`);
  return r.stdout;
}

/**
 * Trains `steps` CPU steps, then returns the session's weights file (parameters plus BatchNorm
 * running stats), the samples fed to the model as the engine holds them, and the engine's
 * eval-mode outputs for them.
 */
async function trained(spec: ModelSpec, steps: number) {
  const text = spec.dataset.kind === 'task' && spec.dataset.name === 'char' ? readFileSync(TEXT, 'utf8') : undefined;
  const task = spec.dataset.kind === 'task' ? generateTask(spec.dataset, spec.seed, text) : null;
  const s = await createSession(spec, { backend: 'cpu', data: task ?? mnist, onEvent: () => {}, maxSteps: steps });
  await s.start();
  const be = s.backend as CpuBackend;
  const inShape = datasetInfo(spec).inputShape;
  const per = inShape.reduce((a, b) => a * b, 1);
  const n = task ? Math.min(64, task.test.n) : 100;
  const xs = new Float32Array(n * per);
  if (task) xs.set(task.test.inputs.subarray(0, n * per));
  else for (let i = 0; i < xs.length; i++) xs[i] = mnist.test.images[i] / 255;

  const bytes = await s.checkpoint(false);
  // The engine's outputs through an eval graph (no dropout; BatchNorm from running stats) of batch n.
  const g = new Graph(be, false);
  const x = g.alloc([n, ...inShape], 'x');
  be.write(x, xs);
  const y: Tensor = buildModel(g, resolveLayers(spec), x, { values: s.c.params, grads: null, buffers: s.c.buffers });
  be.run(be.program('predict', g.forward), { step: 0, batchStart: 0, lr: 0, seed: 0, rows: n });
  const out = Float32Array.from((await be.read(y)) as Float32Array);
  await s.dispose();
  return { bytes, xs, n, per, out };
}

function worstRel(engine: Float32Array, torch: number[]): number {
  assert.equal(torch.length, engine.length, 'output sizes');
  let worst = 0;
  for (let i = 0; i < engine.length; i++) {
    assert.ok(Number.isFinite(torch[i]), `torch output ${i} is ${torch[i]}`);
    worst = Math.max(worst, Math.abs(engine[i] - torch[i]) / Math.max(Math.abs(torch[i]), 1));
  }
  return worst;
}

/** Loss lines of a short torch training run: the mean of the last 3 is below `ratio` × the first 3. */
function trainsDown(script: string, extra: string[], steps: number, ratio: number) {
  const lines = python([script, ...extra, '--steps', String(steps), '--batch', '32', '--epochs', '1000'])
    .trim().split('\n').map((l) => JSON.parse(l) as { loss?: number }).filter((l) => l.loss !== undefined) as { loss: number }[];
  assert.equal(lines.length, steps);
  const first = (lines[0].loss + lines[1].loss + lines[2].loss) / 3;
  const last = (lines[steps - 3].loss + lines[steps - 2].loss + lines[steps - 1].loss) / 3;
  assert.ok(last < first * ratio, `loss ${first} → ${last}`);
}

interface Case { spec: ModelSpec; steps: number; train?: [steps: number, ratio: number]; roundTrip?: boolean }

const mnistSpec = (layers: ModelSpec['layers'], patch: Partial<ModelSpec['train']> = {}): ModelSpec => {
  const sp = presetSpec('mlp-mnist-small');
  sp.layers = layers;
  sp.train = { ...sp.train, batchSize: 32, ...patch };
  return sp;
};

const cases: [string, Case][] = [
  ['mlp-mnist-small', { spec: presetSpec('mlp-mnist-small'), steps: 30, train: [40, 0.8] }],
  ['mlp with residual, gelu, dropout, sgd+nesterov, cosine, clipping', {
    spec: mnistSpec([{ kind: 'flatten' }, { kind: 'dense', units: 48, activation: 'gelu' }, { kind: 'dropout', rate: 0.1 },
      { kind: 'residual', layers: [{ kind: 'dense', units: 48, activation: 'tanh' }, { kind: 'activation', fn: 'leaky_relu' }] }, { kind: 'dense', units: 10 }],
    { optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, lr: 0.05, schedule: { kind: 'cosine', totalSteps: 100 }, clipNorm: 1, batchSize: 64 }),
    steps: 30, train: [40, 0.8],
  }],
  // 28² → conv same (symmetric) → BN → maxpool 2 → conv 3×3 stride 2 'same' (pads 0 top, 1 bottom)
  // → avgpool 3/2 padding 1 (padded zeros counted) → residual conv with dilation 2 → maxpool 3/2
  // 'same' (asymmetric, −∞) → flatten of (2, 2, 12) in NHWC order → dense.
  ['cnn: same/strided/dilated conv, batchnorm, max/avg pooling with padding, residual, flatten', {
    spec: mnistSpec([
      { kind: 'conv2d', filters: 8, kernel: 3, padding: 'same', activation: 'relu' },
      { kind: 'batchnorm', momentum: 0.2 },
      { kind: 'maxpool2d', size: 2 },
      { kind: 'conv2d', filters: 12, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { kind: 'avgpool2d', size: 3, stride: 2, padding: 1 },
      { kind: 'residual', layers: [{ kind: 'conv2d', filters: 12, kernel: 2, dilation: 2, padding: 1, activation: 'tanh' }] },
      { kind: 'maxpool2d', size: 3, stride: 2, padding: 'same' },
      { kind: 'flatten' },
      { kind: 'dense', units: 10 },
    ], { lr: 3e-3 }),
    steps: 20, train: [40, 0.9],
  }],
  // 28² → conv 5×5 valid (GELU, unfused) → BN → Dense over channels (a 1×1 conv in torch) → avgpool
  // 3/2 'same' (asymmetric, zeros counted) → conv 3×2 valid stride 2 → global average → BN on a
  // vector → dropout → dense.
  ['cnn: valid and non-square conv, dense on an image, same avgpool, globalavgpool, batchnorm1d', {
    spec: mnistSpec([
      { kind: 'conv2d', filters: 6, kernel: 5, activation: 'gelu' },
      { kind: 'batchnorm', eps: 1e-3 },
      { kind: 'dense', units: 8, activation: 'relu' },
      { kind: 'avgpool2d', size: 3, stride: 2, padding: 'same' },
      { kind: 'conv2d', filters: 10, kernel: [3, 2], stride: 2, padding: 'valid', activation: 'leaky_relu' },
      { kind: 'globalavgpool' },
      { kind: 'batchnorm' },
      { kind: 'dropout', rate: 0.2 },
      { kind: 'dense', units: 10 },
    ], { lr: 3e-3 }),
    steps: 20, roundTrip: true,
  }],
  // Token ids → embedding → BN over (T, F) → stacked LSTM (forget bias 0.5), every step → dense per position.
  ['lstm: embedding, batchnorm over a sequence, 2 stacked layers, returnSequences', {
    spec: (() => {
      const sp = presetSpec('lstm-reverse');
      sp.dataset = { kind: 'task', name: 'reverse', length: 4, symbols: 6, trainSize: 512, testSize: 64 };
      sp.layers = [{ kind: 'embedding', dim: 8 }, { kind: 'batchnorm' }, { kind: 'lstm', hidden: 12, layers: 2, returnSequences: true, forgetBias: 0.5 },
        { kind: 'dense', units: 8 }];
      sp.train = { ...sp.train, batchSize: 32 };
      return sp;
    })(),
    steps: 15, train: [40, 0.9],
  }],
  // Bits → embedding → 2 stacked GRUs, last state → dense to 2 classes.
  ['gru: 2 stacked layers, last state (class output)', {
    spec: (() => {
      const sp = presetSpec('gru-parity');
      sp.dataset = { kind: 'task', name: 'parity', length: 10, trainSize: 96, testSize: 32 };
      sp.layers = [{ kind: 'embedding', dim: 5 }, { kind: 'gru', hidden: 10, layers: 2 }, { kind: 'dense', units: 2 }];
      sp.train = { ...sp.train, batchSize: 16 };
      return sp;
    })(),
    steps: 10, roundTrip: true,
  }],
  // Brackets → embedding → LSTM every step → mean over time → dense.
  ['lstm: returnSequences then globalavgpool over time', {
    spec: (() => {
      const sp = presetSpec('gru-parity');
      sp.dataset = { kind: 'task', name: 'parens', length: 14, trainSize: 128, testSize: 40 };
      sp.layers = [{ kind: 'embedding', dim: 6 }, { kind: 'lstm', hidden: 9, returnSequences: true }, { kind: 'globalavgpool' }, { kind: 'dense', units: 2 }];
      sp.train = { ...sp.train, batchSize: 16 };
      return sp;
    })(),
    steps: 10,
  }],
  // Real-valued (T, 1) inputs → 2 stacked tanh RNNs, last state → dense forecast of 2 values (MSE).
  ['rnn: real-valued inputs, 2 stacked layers, last state (regression)', {
    spec: (() => {
      const sp = presetSpec('rnn-sine');
      sp.dataset = { kind: 'task', name: 'sine', length: 9, horizon: 2, trainSize: 512, testSize: 64 };
      sp.layers = [{ kind: 'rnn', hidden: 8, layers: 2 }, { kind: 'dense', units: 2 }];
      sp.train = { ...sp.train, batchSize: 32, lr: 1e-2 };
      return sp;
    })(),
    steps: 15, train: [40, 0.9],
  }],
  // Token ids → embedding → learned positions → 2 bidirectional pre-LN blocks (nn.TransformerEncoderLayer)
  // → LayerNorm → dense per position.
  ['transformer-reverse: bidirectional pre-LN encoder layers, learned positions', {
    spec: (() => {
      const sp = presetSpec('transformer-reverse');
      sp.dataset = { kind: 'task', name: 'reverse', length: 5, symbols: 8, trainSize: 512, testSize: 64 };
      sp.layers = [{ kind: 'embedding', dim: 16 }, { kind: 'posenc', type: 'learned' }, { kind: 'transformer', heads: 2, layers: 2, mlp: 32 },
        { kind: 'layernorm' }, { kind: 'dense', units: 10 }];
      sp.train = { ...sp.train, batchSize: 32, warmupSteps: 10 };
      return sp;
    })(),
    steps: 15, train: [40, 0.8], roundTrip: true,
  }],
  // Characters → embedding → sinusoidal positions → 2 causal post-LN blocks with dropout 0.1 and
  // attention dropout 0.05 (the script's Block) → LayerNorm (eps 1e-6) → scores against the embedding (tied).
  ['transformer-char: causal post-LN blocks with dropout, sinusoidal positions, tied unembed', {
    spec: (() => {
      const sp = presetSpec('transformer-char');
      sp.dataset = { kind: 'task', name: 'char', length: 16, trainSize: 256, testSize: 64 };
      sp.layers = [{ kind: 'embedding', dim: 16 }, { kind: 'posenc', type: 'sinusoidal' },
        { kind: 'transformer', heads: 2, layers: 2, mlp: 32, causal: true, norm: 'post', dropout: 0.1, attnDropout: 0.05 },
        { kind: 'layernorm', eps: 1e-6 }, { kind: 'unembed' }];
      sp.train = { ...sp.train, batchSize: 32, warmupSteps: 10 };
      return sp;
    })(),
    steps: 10, train: [40, 0.9], roundTrip: true,
  }],
  // Digits + digits → 1 causal post-LN block (nn.TransformerEncoderLayer with a float src_mask), 4 heads of 4.
  ['transformer-addition: causal post-LN encoder layer (src_mask)', {
    spec: (() => {
      const sp = presetSpec('transformer-addition');
      sp.dataset = { kind: 'task', name: 'addition', length: 2, trainSize: 256, testSize: 64 };
      sp.layers = [{ kind: 'embedding', dim: 16 }, { kind: 'posenc', type: 'learned' }, { kind: 'transformer', heads: 4, mlp: 24, causal: true, norm: 'post' },
        { kind: 'layernorm' }, { kind: 'dense', units: 13 }];
      sp.train = { ...sp.train, batchSize: 32 };
      return sp;
    })(),
    steps: 10,
  }],
  // 28² → 7×7 patches (16 tokens of 16) → learned positions → 1 pre-LN block with dropout (Block)
  // → LayerNorm → mean over tokens → dense.
  ['vit-mnist small: patches 7, width 16, one block', {
    spec: (() => {
      const sp = presetSpec('vit-mnist');
      sp.layers = [{ kind: 'patches', size: 7, dim: 16 }, { kind: 'posenc', type: 'learned' },
        { kind: 'transformer', heads: 2, layers: 1, mlp: 32, dropout: 0.1, attnDropout: 0.1 },
        { kind: 'layernorm' }, { kind: 'globalavgpool' }, { kind: 'dense', units: 10 }];
      sp.train = { ...sp.train, batchSize: 32 };
      return sp;
    })(),
    steps: 10,
  }],
];

/** The script's --data for a spec: the MNIST directory, the char task's text, or nothing. */
const dataArgs = (sp: ModelSpec) =>
  sp.dataset.kind === 'mnist' ? ['--data', DATA] : sp.dataset.name === 'char' ? ['--data', TEXT] : [];

for (const [name, c] of cases) {
  test(`export: ${name} reproduces the engine's outputs`, { timeout: 300_000 }, async () => {
    const { bytes, xs, n, per, out } = await trained(c.spec, c.steps);
    const stem = join(dir, name.replace(/\W+/g, '_'));
    const script = `${stem}.py`, weights = `${stem}.safetensors`;
    writeFileSync(script, exportPyTorch(c.spec));
    writeFileSync(weights, bytes);
    let torchOut: number[];
    if (c.spec.dataset.kind === 'mnist') {
      // The script's own MNIST reader and NHWC → NCHW conversion.
      torchOut = (JSON.parse(python([script, '--data', DATA, '--weights', weights, '--predict', String(n)])) as unknown[]).flat(3) as number[];
    } else {
      const samples = Array.from({ length: n }, (_, i) => Array.from(xs.subarray(i * per, (i + 1) * per)));
      writeFileSync(`${stem}.json`, JSON.stringify(samples));
      torchOut = (JSON.parse(python([script, '--weights', weights, '--inputs', `${stem}.json`])) as unknown[]).flat(3) as number[];
    }
    const worst = worstRel(out, torchOut);
    console.log(`${name}: ${out.length} outputs, max |engine − torch| / max(|torch|, 1) = ${worst.toExponential(2)}`);
    assert.ok(worst <= TOL, `outputs differ by ${worst}`);
    // The outputs are not trivially equal (all zero, constant): they vary across samples.
    assert.ok(new Set(Array.from(out, (v) => v.toFixed(4))).size > out.length / 4, 'outputs should vary');

    if (c.train) trainsDown(script, dataArgs(c.spec), ...c.train);
    if (c.roundTrip) {
      // Load, save (running stats included), and compare every tensor with the file given: the inverse layouts.
      const again = `${stem}.again.safetensors`;
      python([script, ...dataArgs(c.spec), '--weights', weights, '--epochs', '0', '--save', again]);
      const a = decodeSafetensors(bytes), b = decodeSafetensors(new Uint8Array(readFileSync(again)));
      assert.deepEqual(b.tensors.map((t) => t.name).sort(), a.tensors.map((t) => t.name).sort());
      for (const t of a.tensors) {
        const u = b.tensors.find((v) => v.name === t.name)!;
        assert.deepEqual(u.shape, t.shape, t.name);
        assert.deepEqual(u.data, t.data, t.name);
      }
    }
  });
}

test('export: the script reads like torch code (NCHW conv, TF-style same padding, NHWC flatten, LongTensor ids)', () => {
  const cnn = exportPyTorch(cases[2][1].spec);
  assert.match(cnn, /self\.conv0 = nn\.Conv2d\(1, 8, kernel_size=3, padding=1\)/);
  assert.match(cnn, /x = F\.pad\(x, \(0, 1, 0, 1\)\)  # \(N, 8, 15, 15\)/);
  assert.match(cnn, /self\.avgpool4 = nn\.AvgPool2d\(kernel_size=3, stride=2, padding=1, count_include_pad=True\)/);
  assert.match(cnn, /x = F\.pad\(x, \(0, 1, 0, 1\), value=float\("-inf"\)\)/);
  assert.match(cnn, /x = x\.permute\(0, 2, 3, 1\)\.flatten\(1\)  # \(N, 48\)/);
  assert.match(cnn, /self\.bn1 = nn\.BatchNorm2d\(8, eps=1e-5, momentum=0\.2\)/);
  const lstm = exportPyTorch(cases[4][1].spec);
  assert.match(lstm, /self\.lstm2 = nn\.LSTM\(8, 12, num_layers=2, batch_first=True\)/);
  assert.match(lstm, /INPUT_DTYPE = torch\.long/);
  assert.match(lstm, /def forward\(self, x\):  # x: \(N, 8\)/);
  const rev = exportPyTorch(cases[8][1].spec);
  assert.match(rev, /self\.blocks2 = nn\.ModuleList\(\[nn\.TransformerEncoderLayer\(d_model=16, nhead=2, dim_feedforward=32, dropout=0\.0, activation="gelu", batch_first=True, norm_first=True\) for _ in range\(2\)\]\)/);
  assert.match(rev, /self\.pos1 = nn\.Parameter\(torch\.empty\(10, 16\)/);
  assert.doesNotMatch(rev, /class Block|sinusoidal_table|src_mask=self/);
  const chr = exportPyTorch(cases[9][1].spec);
  assert.match(chr, /class Block\(nn\.Module\)/);
  assert.match(chr, /Block\(d_model=16, nhead=2, dim_feedforward=32, dropout=0\.1, attn_dropout=0\.05, norm_first=False\) for _ in range\(2\)/);
  assert.match(chr, /self\.register_buffer\("pos1", sinusoidal_table\(16, 16\), persistent=False\)/);
  assert.match(chr, /self\.register_buffer\("mask2", torch\.full\(\(16, 16\), float\("-inf"\)\)\.triu\(1\), persistent=False\)/);
  assert.match(chr, /x = block\(x, src_mask=self\.mask2\)  # \(N, 16, 16\)/);
  assert.match(chr, /x = x @ self\.embed0\.weight\.T  # \(N, 16, 36\)/);
  assert.match(chr, /nn\.init\.normal_\(self\.embed0\.weight, std=16 \*\* -0\.5\)/); // tied rows start small, as in the playground
  const vit = exportPyTorch(cases[11][1].spec);
  assert.match(vit, /self\.patch0 = nn\.Conv2d\(1, 16, kernel_size=7, stride=7\)/);
  assert.match(vit, /x = self\.patch0\(x\)\.flatten\(2\)\.transpose\(1, 2\)  # \(N, 16, 16\)/);
});

test('export refuses what it cannot translate, by name; every preset exports', () => {
  const sp = presetSpec('mlp-mnist-small') as unknown as { layers: { kind: string }[] };
  sp.layers.push({ kind: 'warp' });
  assert.throws(() => exportPyTorch(sp as unknown as ModelSpec), /does not support layer kind "warp"/);
  // Every preset exports (the transformer ones included).
  // The playground presets (issue #21) are refused by name until the exporter writes their data loading.
  for (const name of Object.keys(PRESETS)) {
    if (presetSpec(name).dataset.kind === 'playground') assert.throws(() => exportPyTorch(presetSpec(name)), /does not cover playground datasets/, name);
    else assert.match(exportPyTorch(presetSpec(name)), /class Net\(nn\.Module\)/, name);
  }
});
