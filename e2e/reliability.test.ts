// Faults the page survives: a lost GPU device (rebuilt from the last checkpoint, steps lost shown),
// a diverging run (paused, resumed from the last good checkpoint with a lower learning rate), any
// uncaught error (a panel with a copyable report, state kept), and the production CSP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { encodeShare } from '../app/share/codec.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

const watch = watchErrors;
const lastStep = async (page: Page) => Number((await page.getByTestId('metrics-summary').textContent())?.match(/step (\d+)/)?.[1] ?? NaN);

test('a lost GPU device: the page rebuilds the run on a new device from the last checkpoint and says how many steps were lost', { timeout: 240_000 }, async () => {
  const page = await app.browser.newPage();
  const errors = watch(page);
  await page.goto(`${app.url}/?autosave=1000&backend=webgpu#preset=mlp-mnist-small`); // a GPU device to lose
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('metrics-summary').filter({ hasText: /step \d+/ }).waitFor({ timeout: 120_000 });
  // Wait for a checkpoint in IndexedDB (the autosave runs every second in this test).
  const savedStep = () => page.evaluate(() => new Promise<number>((r) => {
    const q = indexedDB.open('playground', 1);
    q.onerror = () => r(0);
    q.onsuccess = () => {
      const t = q.result.transaction('kv').objectStore('kv').getAll();
      t.onsuccess = () => r(Math.max(0, ...t.result.map((v: { step?: number }) => v.step ?? 0)));
      t.onerror = () => r(0);
    };
  }));
  for (let i = 0; i < 120 && (await savedStep()) === 0; i++) await page.waitForTimeout(500);
  assert.ok((await savedStep()) > 0, 'a checkpoint was saved');
  await page.evaluate(() => (globalThis as unknown as { __playground: { loseDevice(): void } }).__playground.loseDevice());
  const msg = page.getByRole('status', { name: 'Weights message' });
  await msg.filter({ hasText: 'The GPU device was lost' }).waitFor({ timeout: 60_000 });
  const m = (await msg.textContent())!.match(/lost at step (\d+)\. Training resumed on WebGPU · .+ from the checkpoint at step (\d+): (\d+) steps? lost/);
  assert.ok(m, await msg.textContent() ?? '');
  const [lostAt, from, lost] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.equal(lost, lostAt - from);
  assert.ok(from > 0, `resumed from a checkpoint, not from scratch: ${await msg.textContent()}`);
  // Training goes on past the point of loss.
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=metrics-summary]')?.textContent?.match(/step (\d+)/)?.[1]) > n, lostAt, { timeout: 120_000 });
  assert.deepEqual(await page.getByRole('alert').allTextContents(), [], 'no alert after the resume'); // their texts, if any: once seen in CI
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('a backgrounded tab (frozen through the page lifecycle, as Chrome does to hidden tabs) resumes the run where it was', { timeout: 240_000 }, async () => {
  // Headless Chromium never reports visibilityState "hidden" (bringing another tab to the front or
  // minimising the window does not change it), so this uses the strongest thing a hidden tab
  // undergoes: the page lifecycle's freeze, which stops its timers, tasks and rendering.
  const page = await app.browser.newPage();
  const errors = watch(page);
  // Five epochs: the run must still be going after the freeze (the CPU backend finishes one in seconds).
  await page.goto(`${app.url}/#preset=mlp-mnist-small&epochs=5`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=metrics-summary]')?.textContent?.match(/step (\d+)/)?.[1]) >= 40, null, { timeout: 120_000 });
  const cdp = await page.context().newCDPSession(page);
  const before = await lastStep(page);
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await new Promise((r) => setTimeout(r, 5000));
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  // The run goes on from where it was: steps only increase, the page answers, Pause still works.
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=metrics-summary]')?.textContent?.match(/step (\d+)/)?.[1]) > n + 20, before, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Train', exact: true }).waitFor();
  const paused = await lastStep(page);
  assert.ok(paused > before, `step ${before} before the freeze, ${paused} after`);
  assert.equal(await page.getByRole('alert').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a diverging run pauses, names the layer, and resumes from its last good checkpoint at a lower learning rate', { timeout: 240_000 }, async () => {
  const page = await app.browser.newPage();
  const errors = watch(page);
  const spec = presetSpec('mlp-mnist-small');
  spec.train.optimizer = { kind: 'sgd' };
  spec.train.lr = 10;
  spec.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 64 }, { kind: 'dense', units: 64 }, { kind: 'dense', units: 10 }];
  await page.goto(`${app.url}/#${await encodeShare(spec)}`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Training diverged' });
  await alert.waitFor({ timeout: 120_000 });
  assert.match((await alert.textContent()) ?? '', /non-finite .* first non-finite values appeared in layers\.\d\.dense/);
  assert.match((await page.getByTestId('run-state').textContent()) ?? '', /Paused/);
  await page.getByLabel('Learning rate', { exact: true }).fill('0.01');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('status', { name: 'Weights message' }).filter({ hasText: /Went back to the last good checkpoint \(step \d+\) and resumed/ }).waitFor({ timeout: 60_000 });
  assert.equal(await alert.count(), 0);
  const before = (await lastStep(page)) || 0; // 'No steps yet' when the first snapshot was already non-finite
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=metrics-summary]')?.textContent?.match(/step (\d+)/)?.[1]) > n, before, { timeout: 120_000 });
  assert.match((await page.getByTestId('metrics-summary').textContent()) ?? '', /loss \d+\.\d+/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.deepEqual(errors, []);
  await page.close();
});

test('an uncaught error shows a panel with a copyable report and keeps the state', { timeout: 60_000 }, async () => {
  const ctx = await app.browser.newContext();
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/#preset=mlp-mnist`);
  await page.getByRole('button', { name: 'Copy link' }).waitFor();
  await page.evaluate(() => setTimeout(() => { throw new Error('boom from a test'); }, 0));
  await page.evaluate(() => { void Promise.reject(new Error('rejected in a test')); });
  const panel = page.getByRole('alert', { name: 'Unexpected error' });
  await panel.waitFor();
  assert.match((await panel.textContent()) ?? '', /Something went wrong \(2 errors\)\.rejected in a test/);
  await page.getByRole('button', { name: 'Copy report' }).click();
  await page.getByText('Report copied.').waitFor();
  const report = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
  assert.equal(report.spec.name, 'mlp-mnist');
  assert.deepEqual(report.errors.map((e: { message: string }) => e.message), ['boom from a test', 'rejected in a test']);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await panel.count(), 0);
  assert.equal(await page.getByLabel('Preset').inputValue(), 'mlp-mnist', 'the design is kept');
  await ctx.close();
});

test('the production build sets a Content-Security-Policy without inline script or eval', () => {
  const html = readFileSync(join(app.dist, 'index.html'), 'utf8');
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline <script> in the page');
});
