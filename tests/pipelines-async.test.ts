// Pipelines compiled in the background with createComputePipelineAsync (#12), on WebGPU in
// headless Chromium (SwiftShader here): a session waits for them before its first step, so no
// pipeline is made at encode time; encoding before ready() still works (made synchronously,
// counted); a shader that fails to compile makes ready() reject with an Error naming the kernel.
// Run: node --import tsx --test tests/pipelines-async.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSuite } from './lib/browser-suite.ts';

const run = browserSuite('pipelines-suite.ts');

test('a session has every pipeline compiled after ready(); its steps make none synchronously', { timeout: 200_000 }, async () => {
  const r = await run('session after ready');
  assert.ok(r.compiled > 0, JSON.stringify(r));
  assert.equal(r.compilingAfterCreate, 0, 'compiles still pending after createSession');
  assert.equal(r.kernelsWithPipeline, r.kernels, 'kernels without a pipeline after createSession');
  assert.equal(r.stepAfter, r.stepBefore + 2);
  assert.equal(r.fallbacks, 0, `${r.fallbacks} pipelines made synchronously at encode time`);
  assert.ok(r.readyAgain);
  assert.deepEqual(r.errors, []);
});

test('a program run before ready() makes its pending pipelines synchronously and computes the same', { timeout: 120_000 }, async () => {
  const r = await run('encode before ready');
  assert.ok(r.compilingBefore >= 1, JSON.stringify(r));
  assert.equal(r.fallbacksAfterRun, 1, JSON.stringify(r));
  assert.equal(r.fallbacksAfterProfile, 2, JSON.stringify(r));
  assert.equal(r.fallbacksAfterReady, 2);
  assert.equal(r.compilingAfterReady, 0);
  assert.ok(r.reluRight, 'relu result');
  assert.ok(r.fillRight, 'fill result');
});

test('a shader that fails to compile rejects ready() with an Error naming its kernel', { timeout: 120_000 }, async () => {
  const r = await run('broken wgsl');
  console.log(`ready(): ${r.readyError}\nidle(): ${r.idleError}\nready() after idle(): ${r.readyError2}`);
  assert.ok(r.readyError, 'ready() resolved for a broken shader');
  assert.match(r.readyError, new RegExp(`^pipeline "${r.label}" failed to compile`));
  // The existing path: the shader module's error reaches onuncapturederror and idle() throws it.
  assert.ok(r.idleError, 'idle() resolved after a broken shader');
  assert.match(r.idleError, /^WebGPU error/);
  assert.ok(r.idleError.includes(r.label2), r.idleError);
  assert.match(r.readyError2 ?? '', new RegExp(`^pipeline "${r.label2}" failed to compile`));
  assert.equal(r.readyAfter, null, 'a failure is reported once');
});
