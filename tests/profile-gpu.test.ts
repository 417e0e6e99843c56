// The profiler on WebGPU in headless Chromium (SwiftShader here, which offers 'timestamp-query'):
// per-kernel GPU times from timestamp queries, one per dispatch, attributed to the model's layers;
// a second profile makes no new GPU objects; a profiled step trains like a plain one.
// Run: node --import tsx --test tests/profile-gpu.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';
import type { StepProfile } from '../kernels/train/profile.ts';

const run = browserSuite('profile-suite.ts');

test('profileStep times every kernel of mlp-mnist-small with GPU timestamps', { timeout: 300_000 }, async () => {
  const r = await run('mlp-mnist-small profile');
  const p = r.second as StepProfile;
  console.log(`${r.adapter}\n${r.text}`);
  assert.ok(r.features.includes('timestamp-query'), `features ${r.features}`);
  assert.equal(p.source, 'timestamp-query');
  assert.equal(p.step, 3);
  assert.equal(r.step, 3);
  // One time per dispatch of the step, in program order, each a real positive duration.
  assert.equal(p.dispatches, r.dispatches);
  assert.equal(p.kernels.length, r.dispatches);
  assert.deepEqual(p.kernels.map((k) => k.label), r.trainKernels);
  for (const k of p.kernels) assert.ok(Number.isFinite(k.ms) && k.ms > 0, `${k.label}: ${k.ms} ms`);
  assert.deepEqual(p.byLayer.map((l) => l.layer), ['data', '2 · dense', '3 · dense', 'loss', 'optimizer']);
  const sum = p.kernels.reduce((a, k) => a + k.ms, 0);
  assert.ok(Math.abs(sum - p.totalMs!) < 1e-9 && p.totalMs! > 0, `total ${p.totalMs} vs ${sum}`);
  assert.ok(Math.abs(p.byLayer.reduce((a, l) => a + l.ms, 0) - p.totalMs!) < 1e-9);
  assert.ok(Number.isFinite(p.wallMs) && p.wallMs > 0);
  // A step is still one submission; the only upload is the 32-byte step uniform.
  assert.equal(p.submits, 1);
  assert.equal(p.bytesUploaded, 32);
  // The first profile made the query set and its buffers; the second reuses them.
  assert.equal(r.buffers, 0, `${r.buffers} buffers created by the second profile`);
  assert.equal(r.querySets, 0, `${r.querySets} query sets created by the second profile`);
  assert.equal(r.bytesAfter, r.bytesBefore);
  assert.equal((r.first as StepProfile).kernels.length, r.dispatches);
  // One pass per kernel changes nothing in what the step computes.
  assert.ok(r.sameWeightsAsPlainSteps, 'weights after profiled steps differ from plain steps');
  // Without timestamp queries: no made-up times, but a real step with its counts.
  const w = r.without as StepProfile;
  assert.equal(w.source, 'none');
  assert.equal(w.totalMs, null);
  assert.deepEqual([w.kernels, w.byLayer, w.byOp], [[], [], []]);
  assert.equal(w.step, 4);
  assert.equal(r.stepAfterWithout, 4);
  assert.deepEqual([w.dispatches, w.submits, w.bytesUploaded], [r.dispatches, 1, 32]);
});

test('the headless trainer prints the profile of the last step with --profile', { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'scripts', 'train.ts'),
    '--preset', 'mlp-mnist-small', '--steps', '3', '--train-limit', '640', '--test-limit', '128', '--profile'], { encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /^profile of step 3 on webgpu \(.+\): per-kernel times from GPU timestamps$/m);
  assert.match(out, /^kernel time [\d.]+ ms, wall [\d.]+ ms; 8 dispatches, 1 submission, 32 bytes uploaded this step$/m);
  for (const layer of ['data', '2 · dense', '3 · dense', 'loss', 'optimizer'])
    assert.match(out, new RegExp(`^${layer} +[\\d.]+ +[\\d.]+ % +\\d+ +[\\d.]+ +[\\d.]+$`, 'm'), `no row for ${layer}`);
  assert.match(out, /^matmul +[\d.]+ +[\d.]+ % +5$/m);
  // The profiled step is the run's last: it is evaluated, and the run finishes as without --profile.
  assert.match(out, /^step=3 .*test_accuracy=/m);
  assert.match(out, /^final=true .*steps=3 reason=finished .*submits_per_step=1 /m);
});
