// bench:node's --batch and --paths (scripts/bench-node/batches.ts), in seconds: the options'
// parsing and refusals, our training step at batch 8 (the CPU backend: the same compiled step
// as on a GPU, minus the device) with its loss windows, torch_bench.py at batch 8 (eager), and
// the table script on the row both make.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchDataFrom } from '../scripts/bench/data.ts';
import { lossRefusal } from '../scripts/bench/loss.ts';
import { comparison, measure, type Side } from '../scripts/bench/measure.ts';
import { MODELS, ourModel, referenceBatch } from '../scripts/bench/ours.ts';
import { MAX_BATCH, parseBatches, parsePaths, trainRows } from '../scripts/bench-node/batches.ts';
import { tables } from '../scripts/bench-node/table.ts';
import { findPython, runTorch } from '../scripts/bench-node/torch.ts';
import { mnistNode } from './lib/mnist-node.ts';

const ROOT = join(import.meta.dirname, '..');
const FEW = { reps: 1, targetMs: 1, maxIters: 1 }; // the fewest steps: the loss windows' hardest case

test('--batch takes one comma list of whole sizes from 1 to 512, and refuses anything else naming the entry', () => {
  assert.deepEqual(parseBatches(undefined), []);
  assert.deepEqual(parseBatches(['512,8, 8']), [8, 512]);
  assert.equal(MAX_BATCH, 512); // 2,048 MNIST images: 4 batches
  assert.throws(() => parseBatches(['8', '512']), /--batch was given 2 times .*one comma-separated list/);
  assert.throws(() => parseBatches(['8,x']), /--batch 8,x: "x" is not a whole number/);
  assert.throws(() => parseBatches(['8,0']), /--batch 8,0: 0 is outside 1 … 512/);
  assert.throws(() => parseBatches(['1024']), /1024 is outside 1 … 512 .*2,048 MNIST images must make at least 4 batches/);
  assert.equal(parsePaths(undefined), undefined);
  assert.equal(parsePaths('fallback'), 'fallback');
  assert.throws(() => parsePaths('fast'), /--paths fast: expected fallback, hardware or auto/);
});

test('the rows: each model at its reference batch plus the other sizes; --only filters by row name', () => {
  assert.deepEqual(MODELS.map(referenceBatch), [128, 64, 32, 32]);
  const all = trainRows(MODELS, referenceBatch, [8, 128], () => true).map((r) => r.name);
  assert.deepEqual(all, [
    'train mlp-mnist', 'train mlp-mnist batch=8',
    'train cnn-mnist', 'train cnn-mnist batch=8', 'train cnn-mnist batch=128',
    'train lstm', 'train lstm batch=8', 'train lstm batch=128',
    'train transformer', 'train transformer batch=8', 'train transformer batch=128',
  ]);
  const only = trainRows(MODELS, referenceBatch, [8, 512], (n) => /batch=/.test(n));
  assert.equal(only.length, 8);
  assert.ok(only.every((r) => !r.reference));
});

test('bench:node refuses a bad --batch before doing anything, with exit 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench-node.ts'), '--batch', '8,0'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /bench:node: --batch 8,0: 0 is outside 1 … 512/);
});

test('at batch 8, ours (LSTM and MLP) and torch_bench.py (MLP) train at that batch, their loss falls, and the table shows the row', async (t) => {
  const data = benchDataFrom(mnistNode(2048, 256));
  const timing = async (m: 'mlp-mnist' | 'lstm') => {
    const w = await ourModel(m, 'cpu', data, { batch: 8 });
    try {
      assert.equal(w.batch, 8);
      const tm = await measure(w, FEW);
      assert.equal(lossRefusal(tm.lossStart, tm.lossEnd), null, `${m} ours: loss ${tm.lossStart} → ${tm.lossEnd}`);
      return { tm, value: (1000 * w.batch) / tm.ms };
    } finally {
      await w.dispose();
    }
  };
  await timing('lstm');
  const mlp = await timing('mlp-mnist');
  await assert.rejects(ourModel('lstm', 'cpu', data, { batch: 2048 }), /train lstm: batch 2048 must be a whole number from 1 to the 1024 training rows/);

  const { python, tried } = findPython();
  if (!python) return void t.skip(`no python with torch (tried ${tried.join(', ')})`);
  const res = await runTorch(python, join(ROOT, 'scripts', 'bench-node', 'torch_bench.py'),
    { matmul: [], models: [], runs: [['mlp-mnist', 8], ['lstm', 2048]], ops: FEW, train: FEW, quiet: true }, data);
  const it = res.items.find((i) => i.name === 'train mlp-mnist batch=8' && i.variant === 'eager');
  assert.ok(it, res.items.map((i) => i.name).join(', '));
  assert.equal(it.error, undefined, it.error);
  assert.equal(it.batch, 8);
  assert.equal(it.tf32_off, true);
  assert.equal(lossRefusal(it.loss_start, it.loss_end), null, `torch: loss ${it.loss_start} → ${it.loss_end}`);
  const bad = res.items.find((i) => i.name === 'train lstm batch=2048');
  assert.match(bad?.error ?? '', /train lstm: batch 2048 must be from 1 to the 1024 training rows/);

  // The row bench:node writes, from these two real sides, and the table script's line for it.
  const ours: Side = { value: mlp.value, ms: mlp.tm.ms, timing: mlp.tm };
  const peer: Side = { value: it.value!, ms: it.ms!, timing: { ms: it.ms!, all: it.all!, iters: it.iters!, lossStart: it.loss_start, lossEnd: it.loss_end } };
  const row = { ...comparison('train mlp-mnist batch=8', 'samples/s', ours, peer), batch: 8, peer_backend: 'torch-cpu eager' };
  const md = tables([`${JSON.stringify({ meta: true, adapter: 'cpu', paths: 'auto', dawn_flags: [] })}\n${JSON.stringify(row)}\n`]);
  const line = md.split('\n').find((l) => l.startsWith('| mlp-mnist | 8 |'));
  assert.ok(line, md);
  const ratio = Number(line.split('|')[5].trim().replace('×', ''));
  assert.ok(Math.abs(ratio - mlp.value / it.value!) <= 0.01 * (mlp.value / it.value!), `${line} vs ${mlp.value} / ${it.value}`);
});

test('the table sets a --no-convpool run (meta conv_pool_fusion false) against the default run, item by item, and nowhere else', () => {
  const meta = (m: object) => JSON.stringify({ meta: true, adapter: 'gpu', paths: 'auto', dawn_flags: [], ...m });
  const row = (ours: number) => JSON.stringify({ name: 'train cnn-mnist', unit: 'samples/s', ours, peer: null, batch: 64, peer_backend: 'torch-cuda eager' });
  // The unfused run first: a table that took it for a default run would show its figure.
  const md = tables([`${meta({ conv_pool_fusion: false })}\n${row(2400)}\n`, `${meta({})}\n${row(3000)}\n`]);
  const at = md.indexOf('Conv + max pool: ours with the plain pair');
  assert.ok(at >= 0, md);
  assert.match(md.slice(at), /\| train cnn-mnist \| 3,?000 \| 2,?400 \| 1\.25× \|/);
  // The unfused run is not a default run: the main table's cnn row is the fused one alone.
  assert.equal(md.split('\n').filter((l) => l.startsWith('| cnn-mnist |')).length, 1, md);
  assert.match(md.split('\n').find((l) => l.startsWith('| cnn-mnist |'))!, /\| 3,?000 \|/);
});
