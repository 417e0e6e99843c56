// The profiler in the built page: after a Step, "Profile a step" runs the next step with GPU
// timestamps (SwiftShader offers them) and shows the time per layer and per op, and the step's
// counts; the step counter moves on by one; the panel has no serious axe violations.
// Run: npm test -- e2e/profiler
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../scripts/lib/browser.ts';
import { servedApp, watchErrors } from './lib.ts';

const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const app = servedApp();

test('profile a step of mlp-mnist-small: layers, ops, counts, one step more', { timeout: 300_000 }, async () => {
  // axe is injected inline, which the build's CSP forbids: this context bypasses CSP.
  const ctx = await app.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  await page.getByLabel('Backend').selectOption('webgpu'); // GPU timestamps (Auto takes the CPU on SwiftShader)
  const profileButton = page.getByRole('button', { name: 'Profile a step' });
  assert.equal(await profileButton.isDisabled(), true, 'no session yet: nothing to profile');

  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const runState = page.getByTestId('run-state');
  await page.waitForFunction(
    () => /Paused at step 1$/.test(document.querySelector('[data-testid=run-state]')?.textContent ?? '') || document.querySelector('[role=alert]'),
    null, { timeout: 180_000 },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) assert.fail(`error panel: ${await alert.textContent()} (console: ${errors.join(' | ')})`);
  await page.getByTestId('metrics-summary').filter({ hasText: 'step 1' }).waitFor({ timeout: 10_000 });

  await profileButton.click();
  const layers = page.getByRole('table', { name: 'GPU time per layer, step 2' });
  await layers.waitFor({ timeout: 120_000 });
  assert.match((await runState.textContent()) ?? '', /Paused at step 2$/);
  await page.getByTestId('metrics-summary').filter({ hasText: 'step 2' }).waitFor({ timeout: 10_000 });
  assert.equal(await profileButton.isEnabled(), true, 'paused again: another step can be profiled');

  const summary = (await page.getByTestId('profile-summary').textContent()) ?? '';
  assert.match(summary, /Step 2 · source: GPU timestamps · total GPU time [\d.]+ ms/);
  const total = Number((await page.getByTestId('profile-total').textContent())?.replace(' ms', ''));
  assert.ok(total > 0 && Number.isFinite(total), `total ${total}`);

  // One row per layer with kernels: the batch gather, both dense layers, the loss, the optimizer.
  const rows = await layers.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  assert.deepEqual(rows.map((r) => r[0]), ['data', '2 · dense', '3 · dense', 'loss', 'optimizer']);
  for (const r of rows) {
    assert.ok(Number(r[1]) > 0, `${r[0]}: ${r[1]} ms`);
    assert.match(r[2], /^\d+\.\d%$/, `${r[0]} share ${r[2]}`);
  }
  const sum = rows.reduce((a, r) => a + Number(r[1]), 0);
  assert.ok(Math.abs(sum - total) <= 0.05 * total + 0.01, `layer rows sum to ${sum}, total ${total}`);
  const foot = await layers.locator('tfoot tr').evaluate((tr) => [...tr.children].map((c) => c.textContent ?? ''));
  assert.equal(foot[0], 'Total');
  assert.equal(foot[5], '8', 'kernels in the step');
  // The dense layers do the work: their matmuls lead the op table.
  const ops = page.getByRole('table', { name: /^Top \d+ ops by GPU time/ });
  const opRows = await ops.locator('tbody tr th').allTextContents();
  assert.equal(opRows[0], 'matmul');
  assert.deepEqual([...opRows].sort(), ['gatherBatch', 'matmul', 'optimizer adam', 'softmaxCrossEntropy']);
  // The step's counts: 8 dispatches, one submission, the 32-byte step uniform.
  assert.equal(await page.getByTestId('profile-dispatches').textContent(), '8');
  assert.equal(await page.getByTestId('profile-submits').textContent(), '1');
  assert.equal(await page.getByTestId('profile-bytes').textContent(), '32 B');

  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Element, o: object): Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
    const r = await axe.run(document.querySelector('[data-testid=profiler]')!, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
  });
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  await page.getByTestId('profiler').screenshot({ path: join(ROOT, 'test-results', 'profiler.png') });
  await ctx.close();
});
