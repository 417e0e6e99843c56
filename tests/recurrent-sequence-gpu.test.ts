// The persistent recurrence kernels (kernels/ops/recurrent/seq.wgsl.ts) in Chromium's WebGPU
// (SwiftShader where no GPU exists): a case recorded with the whole-sequence kernels runs 2·(T − 1)
// fewer dispatches than its twin recorded step by step, and both agree with the CPU reference; at
// H = 257, over the kernels' bound, the op falls back to the steps (the same count as the twin).
// The values of every such case are also checked by tests/ops-gpu.test.ts.
// Run: node --import tsx --test tests/recurrent-sequence-gpu.test.ts
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright';
import { describe as describeClose } from '../kernels/testing/allclose.ts';
import type { CaseResult, Suite } from '../kernels/testing/gpu-suite.ts';
import { launch, pageWith, ROOT } from '../scripts/lib/browser.ts';

let browser: Browser;
let page: Page;
let server: Server;

type G = { __suite: Suite; __suiteError?: string };

async function run(name: string): Promise<CaseResult> {
  const r = await page.evaluate((n) => (globalThis as unknown as G).__suite.run(n), name);
  assert.equal(r.gpuError, null, `${name}: WebGPU error: ${r.gpuError}`);
  const bad = r.outputs.filter((o) => !o.ok);
  assert.deepEqual(bad.map((o) => o.name), [], `${name}:\n${bad.map((o) => describeClose(o.name, o)).join('\n')}`);
  assert.deepEqual(r.checkErrors, [], `${name}: case check`);
  return r;
}

describe('recurrent sequence kernels: dispatch counts against the step kernels', () => {
  before(async () => {
    browser = await launch();
    ({ page, server } = await pageWith(browser, join(ROOT, 'kernels/testing/gpu-suite.ts')));
    const failed = await page.evaluate(() => (globalThis as unknown as G).__suiteError ?? null);
    if (failed) throw new Error(`GPU suite did not start: ${failed}`);
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  for (const cell of ['lstm', 'gru', 'rnn']) {
    test(`${cell} B=33 T=17 H=5: one dispatch each way instead of 17`, { timeout: 120_000 }, async () => {
      const seq = await run(`${cell} B=33 T=17 H=5 last state one dispatch`);
      const steps = await run(`${cell} B=33 T=17 H=5 last state`);
      assert.equal(steps.dispatches - seq.dispatches, 2 * (17 - 1), `steps ${steps.dispatches}, sequence ${seq.dispatches}`);
    });

    test(`${cell} H=257: over the bound, the steps`, { timeout: 120_000 }, async () => {
      const seq = await run(`${cell} B=2 T=3 H=257 last state one dispatch`);
      const steps = await run(`${cell} B=2 T=3 H=257 last state`);
      assert.equal(seq.dispatches, steps.dispatches);
    });
  }
});
