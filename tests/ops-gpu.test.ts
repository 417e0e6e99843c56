// GPU op tests: every case of the shared table runs on WebGPU (headless Chromium, SwiftShader
// where no GPU exists) and on the CPU reference in the same page; every output — forward and
// backward — must agree within the case's stated tolerance. Run: node --import tsx --test tests/ops-gpu.test.ts
//
// Chromium runs with Dawn's robustness OFF and every byte of a case's buffers outside its tensors
// poisoned (kernels/testing/gpu-suite.ts): a kernel that reads past a tensor gets NaN into its
// outputs, one that writes past it changes the poison. That proves every kernel stays in bounds,
// which is what makes `npm run bench:node -- --no-robustness` sound. In-bounds kernels give the
// same results either way; the robust path a page runs is covered by every other GPU test.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright';
import { describe as describeClose } from '../kernels/testing/allclose.ts';
import type { CaseResult, Suite } from '../kernels/testing/gpu-suite.ts';
import { OP_CASES } from '../kernels/testing/op-specs.ts';
import { DISABLE_ROBUSTNESS, launch, pageWith, ROOT } from '../scripts/lib/browser.ts';

let browser: Browser;
let page: Page;
let server: Server;
let errors: string[] = [];

type G = { __suite: Suite; __suiteError?: string };

describe('GPU ops vs CPU reference', () => {
  before(async () => {
    browser = await launch({ args: [DISABLE_ROBUSTNESS] });
    ({ page, server, errors } = await pageWith(browser, join(ROOT, 'kernels/testing/gpu-suite.ts')));
    const failed = await page.evaluate(() => (globalThis as unknown as G).__suiteError ?? null);
    if (failed) throw new Error(`GPU suite did not start: ${failed}`);
    const names = await page.evaluate(() => (globalThis as unknown as G).__suite.names);
    assert.deepEqual(names, OP_CASES.map((c) => c.name), 'the page and node disagree on the case list');
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  test('adapter', async () => {
    const adapter = await page.evaluate(() => (globalThis as unknown as G).__suite.adapter);
    console.log(`# adapter: ${adapter}`);
    assert.ok(adapter.length > 0);
  });

  test('robustness is off, so the poison past each tensor is reachable', async () => {
    const r = await page.evaluate(() => (globalThis as unknown as G).__suite.robustness);
    assert.equal(r, 'off', `a read past a binding was clamped: this Chromium ignored ${DISABLE_ROBUSTNESS}, and the cases could not catch out-of-bounds reads`);
  });

  for (const c of OP_CASES) {
    test(c.name, { timeout: 60_000 }, async () => {
      const nErr = errors.length;
      const r: CaseResult = await page.evaluate((name) => (globalThis as unknown as G).__suite.run(name), c.name);
      assert.equal(r.gpuError, null, `WebGPU error: ${r.gpuError}`);
      assert.deepEqual(errors.slice(nErr), [], 'page errors');
      assert.ok(r.dispatches > 0, 'no dispatch ran');
      assert.equal(r.outputs.length, c.tensors.filter((s) => s.role !== 'in').length);
      const bad = r.outputs.filter((o) => !o.ok);
      assert.deepEqual(bad.map((o) => o.name), [], bad.map((o) => describeClose(o.name, o)).join('\n'));
      assert.deepEqual(r.checkErrors, [], 'case check on the GPU values');
      assert.deepEqual(r.slack, [], 'a kernel wrote outside its tensor');
      assert.equal(r.bytesAfter, r.bytesBefore, 'pool bytes in use after freeing the case\'s tensors');
    });
  }

  test('a freed tensor returns its bytes to the pool', async () => {
    const r = await page.evaluate(() => (globalThis as unknown as G).__suite.poolTest());
    assert.ok(r.held >= r.before + (1000 + 21 + 5000) * 4, `held ${r.held} bytes, before ${r.before}`);
    assert.equal(r.after, r.before, `bytes in use after free: ${r.after}, before: ${r.before}`);
    assert.ok(r.reused, 'a released buffer was not reused for a tensor of the same size class');
  });

  test('a matmul whose bias or batched A is shorter than its dims is refused when recorded, naming the tensor', async () => {
    const r = await page.evaluate(() => (globalThis as unknown as G).__suite.sizeRefusals());
    assert.equal(r.bias, 'matmul 2x3x4: bias (2) has 2 elements, the kernel indexes 3');
    assert.equal(r.batchedA, 'matmul 2x3x4: a3 (1,2,4) has 8 elements, the kernel indexes 24');
    assert.equal(r.dispatches, 0);
  });

  test('a u32 tensor round-trips through write and read', async () => {
    const r = await page.evaluate(() => (globalThis as unknown as G).__suite.u32RoundTrip());
    assert.ok(r.isU32, 'read() of a u32 tensor did not return a Uint32Array');
    assert.deepEqual(r.read, r.wrote);
  });
});
