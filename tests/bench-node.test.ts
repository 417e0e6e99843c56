// The Node benchmark's two halves, cheaply: our matmul through Dawn in Node (SwiftShader here)
// against a CPU product (with Dawn's robustness on, the default, and off: --no-robustness), and torch_bench.py on the benchmark's own data (one short step per
// model, matmul n = 64). Each skips, saying why, where its runtime is missing (no Dawn adapter;
// no python with torch).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchDataFrom } from '../scripts/bench/data.ts';
import { MODELS } from '../scripts/bench/ours.ts';
import { findPython, runTorch } from '../scripts/bench-node/torch.ts';
import { lossRefusal } from '../scripts/bench/loss.ts';
import { mnistNode } from './lib/mnist-node.ts';

const ROOT = join(import.meta.dirname, '..');

test('matmul n=64 through Dawn in Node matches a CPU product within 1e-4, and the dot kernel with subgroups within 3e-5', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench-node.ts'), '--check', '64', '--json'],
    { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (r.status === 3) return void t.skip(`Dawn found no WebGPU adapter: ${r.stdout.trim()}`);
  assert.equal(r.status, 0, `bench-node --check failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; max_rel_err: number; dot_max_rel_err: number; subgroup_size: number; dots: { subgroups: boolean }[]; adapter: string; robustness: string };
  assert.ok(res.ok && res.max_rel_err <= 1e-4, JSON.stringify(res));
  assert.equal(res.robustness, 'on', 'by default Dawn keeps its robustness, as a page does');
  assert.ok(res.dot_max_rel_err <= 3e-5, JSON.stringify(res));
  // Dawn's SwiftShader offers subgroups of 4 (headless Chromium offers none), so here the dot
  // kernel's 4 lanes add by subgroupShuffleXor (a wrong shuffle would leave each lane's partial
  // sum) and its 16 and 32 lanes in workgroup memory.
  if (/swiftshader/i.test(res.adapter)) assert.ok(res.subgroup_size >= 4 && res.dots.some((d) => d.subgroups), `subgroups: ${JSON.stringify(res)}`);
});

test('--no-robustness turns Dawn\'s bounds clamps off (measured by a read past a binding) and the matmuls stay within 1e-4 and 3e-5', (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'bench-node.ts'), '--check', '64', '--json', '--no-robustness'],
    { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (r.status === 3) return void t.skip(`Dawn found no WebGPU adapter: ${r.stdout.trim()}`);
  assert.equal(r.status, 0, `bench-node --check --no-robustness failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ok: boolean; robustness: string; max_rel_err: number; dot_max_rel_err: number };
  assert.equal(res.robustness, 'off', JSON.stringify(res));
  assert.ok(res.ok && res.max_rel_err <= 1e-4 && res.dot_max_rel_err <= 3e-5, JSON.stringify(res));
});

test('torch_bench.py trains the four reference models on the benchmark data, its loss falls, and every line records TF32 off', async (t) => {
  const { python, tried } = findPython();
  if (!python) return void t.skip(`no python with torch (tried ${tried.join(', ')})`);
  const data = benchDataFrom(mnistNode(2048, 256));
  const o = { reps: 1, targetMs: 1, maxIters: 1 };
  const res = await runTorch(python, join(ROOT, 'scripts', 'bench-node', 'torch_bench.py'),
    { matmul: [64], models: [...MODELS], ops: o, train: o, quiet: true }, data);
  assert.equal(res.meta.synthetic_data, false);
  assert.equal(res.meta.fp32_verified, true);
  assert.equal(res.meta.fp32_conv_verified, true);
  const names = res.items.map((i) => `${i.name} ${i.variant}`);
  for (const want of ['matmul n=64', ...MODELS.map((m) => `train ${m}`)]) assert.ok(names.includes(`${want} eager`), `${want}: ${names.join(', ')}`);
  for (const i of res.items) {
    assert.equal(i.error, undefined, `${i.name} ${i.variant}: ${i.error}`);
    assert.ok(i.value! > 0, `${i.name}: ${i.value}`);
    assert.equal(i.tf32_off, true, `${i.name}: ${JSON.stringify(i.tf32)}`);
    assert.equal(i.tf32?.matmul_allow_tf32, false);
    assert.equal(i.tf32?.cudnn_allow_tf32, false);
    if (!i.name.startsWith('train ')) continue;
    // The same batches before and after: a fall the bench would accept (scripts/bench/loss.ts).
    assert.equal(lossRefusal(i.loss_start, i.loss_end), null, `${i.name}: loss ${i.loss_start} → ${i.loss_end}`);
  }
});
