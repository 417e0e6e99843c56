// Export to PyTorch: the generated script, run by /usr/bin/python3 with torch, loads weights trained
// here and reproduces the engine's logits on 100 test images; its own training loop lowers the loss.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { exportPyTorch } from '../kernels/export/pytorch.ts';
import { buildModel } from '../kernels/nn/model.ts';
import { presetSpec } from '../kernels/spec/presets.ts';
import type { ModelSpec } from '../kernels/spec/types.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const PY = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const DATA = join(import.meta.dirname, '..', 'public', 'mnist');
const dir = mkdtempSync(join(tmpdir(), 'export-'));
const mnist = mnistNode(2048, 100);

function python(args: string[]) {
  const r = spawnSync(PY, args, { encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `python failed (${PY}; CI installs python3-torch):\n${r.stderr}`);
  return r.stdout;
}

async function trainedFile(spec: ModelSpec) {
  const s = await createSession(spec, { backend: 'cpu', data: mnist, onEvent: () => {}, maxSteps: 30 });
  await s.start();
  const bytes = await s.checkpoint(false);
  // The engine's logits for the first 100 test images, through a graph of batch 100.
  const be = s.backend as CpuBackend;
  const g = new Graph(be, false);
  const x = g.alloc([100, 28, 28, 1], 'x');
  const px = new Float32Array(100 * 784);
  for (let i = 0; i < px.length; i++) px[i] = mnist.test.images[i] / 255;
  be.write(x, px);
  const y = buildModel(g, spec.layers, x, { values: s.c.params, grads: null });
  be.run(be.program('predict', g.forward), { step: 0, batchStart: 0, lr: 0, seed: 0, rows: 100 });
  const logits = await be.read(y);
  await s.dispose();
  return { bytes, logits };
}

const models: [string, ModelSpec][] = [
  ['mlp-mnist-small', presetSpec('mlp-mnist-small')],
  ['mlp with residual, gelu, dropout, sgd+nesterov, cosine, clipping', (() => {
    const sp = presetSpec('mlp-mnist-small');
    sp.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 48, activation: 'gelu' }, { kind: 'dropout', rate: 0.1 },
      { kind: 'residual', layers: [{ kind: 'dense', units: 48, activation: 'tanh' }, { kind: 'activation', fn: 'leaky_relu' }] }, { kind: 'dense', units: 10 }];
    sp.train = { ...sp.train, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, lr: 0.05, schedule: { kind: 'cosine', totalSteps: 100 }, clipNorm: 1 };
    return sp;
  })()],
];

for (const [name, spec] of models) {
  test(`export: ${name} reproduces the engine's outputs on 100 test images and trains`, { timeout: 300_000 }, async () => {
    const { bytes, logits } = await trainedFile(spec);
    const script = join(dir, `${name.replace(/\W+/g, '_')}.py`);
    const weights = join(dir, `${name.replace(/\W+/g, '_')}.safetensors`);
    writeFileSync(script, exportPyTorch(spec));
    writeFileSync(weights, bytes);
    const out = JSON.parse(python([script, '--data', DATA, '--weights', weights, '--predict', '100'])) as number[][];
    assert.equal(out.length, 100);
    let worst = 0;
    for (let i = 0; i < 100; i++)
      for (let c = 0; c < 10; c++) {
        const a = logits[i * 10 + c], b = out[i][c];
        worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), 1));
      }
    console.log(`${name}: max |engine − torch| / max(|torch|, 1) = ${worst.toExponential(2)}`);
    assert.ok(worst <= 1e-4, `logits differ by ${worst}`);

    const lines = python([script, '--data', DATA, '--steps', '40', '--batch', '32', '--save', join(dir, 'again.safetensors')])
      .trim().split('\n').map((l) => JSON.parse(l) as { loss: number });
    assert.equal(lines.length, 40);
    const first = (lines[0].loss + lines[1].loss + lines[2].loss) / 3;
    const last = (lines[37].loss + lines[38].loss + lines[39].loss) / 3;
    assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
  });
}

test('export refuses what it cannot translate, by name', () => {
  const sp = presetSpec('mlp-mnist-small') as unknown as { layers: { kind: string }[] };
  sp.layers.push({ kind: 'warp' });
  assert.throws(() => exportPyTorch(sp as unknown as ModelSpec), /does not support layer kind "warp"/);
});
