// Issue 7's first acceptance journey, by mouse in the built page on SwiftShader: from an empty model
// build an MLP (Flatten, Dense 64 ReLU, Dense 10), train it on MNIST with a test evaluation every
// 100 steps, and see the loss fall and the test accuracy pass 90%; then Pause, which must take
// effect within 500 ms of the click (training runs in a worker, so the page answers at once).
// Run: npm test -- e2e/acceptance
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

const kinds = (page: Page) => page.locator('ol.layers > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
const summary = async (page: Page) => (await page.getByTestId('metrics-summary').textContent()) ?? '';
const num = (s: string, re: RegExp) => Number(s.match(re)?.[1] ?? NaN);

test('from an empty model, an MLP built with the mouse passes 90% on MNIST; Pause within 500 ms', { timeout: 300_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small'); // MNIST as the data
  while (await page.locator('ol.layers > li').count()) await page.locator('ol.layers > li').first().getByRole('button', { name: /^Remove / }).click();
  await page.getByText('No layers yet').waitFor();
  const train = page.getByRole('button', { name: 'Train', exact: true });

  await page.getByRole('button', { name: 'Add Flatten', exact: true }).click();
  await page.getByRole('button', { name: 'Add Dense', exact: true }).click();
  const hidden = page.getByRole('group', { name: 'Layer 2 settings' });
  await hidden.getByRole('spinbutton', { name: 'Units' }).fill('64');
  await hidden.getByLabel('Activation').selectOption('relu');
  await page.getByRole('button', { name: 'Add Dense', exact: true }).click();
  // A Dense added last is the output layer already: 10 units (one per digit), no activation.
  const out = page.getByRole('group', { name: 'Layer 3 settings' });
  const outUnits = out.getByRole('spinbutton', { name: 'Units' });
  for (const t0 = Date.now(); (await outUnits.inputValue()) !== '10' && Date.now() - t0 < 10_000;) await page.waitForTimeout(100);
  assert.equal(await outUnits.inputValue(), '10');
  assert.equal(await out.getByLabel('Activation').inputValue(), 'none');
  assert.deepEqual(await kinds(page), ['flatten', 'dense', 'dense']);
  // 784·64 + 64 + 64·10 + 10 parameters.
  await page.getByTestId('model-totals').filter({ hasText: /Total 50,890 parameters/ }).waitFor({ timeout: 10_000 });
  await page.getByRole('spinbutton', { name: 'Test every (steps)' }).fill('100');
  assert.equal(await train.isEnabled(), true);

  await train.click();
  await page.waitForFunction(() => /step \d+/.test(document.querySelector('[data-testid=metrics-summary]')?.textContent ?? ''), null, { timeout: 120_000 });
  const firstLoss = num(await summary(page), /loss ([\d.]+)/);
  await page.waitForFunction(() => {
    const m = (document.querySelector('[data-testid=metrics-summary]')?.textContent ?? '').match(/test acc ([\d.]+)%/);
    return (m && Number(m[1]) > 90) || document.querySelector('[role=alert]');
  }, null, { timeout: 240_000, polling: 250 });
  const alert = page.getByRole('alert');
  if (await alert.count()) assert.fail(`error panel: ${await alert.textContent()}`);
  const reached = await summary(page);
  console.log(`# first metrics loss ${firstLoss}; at > 90%: ${reached}`);
  assert.ok(num(reached, /test acc ([\d.]+)%/) > 90, reached);
  assert.ok(num(reached, /loss ([\d.]+)/) < firstLoss / 2, `loss fell: ${firstLoss} → ${reached}`);
  assert.ok(Number(await page.getByTestId('loss-chart').getAttribute('data-points')) >= 2, 'a loss curve is drawn');

  // Pause while it runs: the run state reads "paused" within 500 ms of the click, and no step
  // follows. Timed in the page, from the click event to the attribute's change, so that
  // Playwright's own actionability checks and polling are not counted.
  const state = page.getByTestId('run-state');
  assert.equal(await state.getAttribute('data-status'), 'running');
  const pauseButton = page.getByRole('button', { name: 'Pause', exact: true });
  await pauseButton.evaluate((b) => {
    const w = window as unknown as { __clickAt?: number; __pausedAt?: number };
    b.addEventListener('click', () => (w.__clickAt = performance.now()), { capture: true, once: true });
    const el = document.querySelector('[data-testid=run-state]')!;
    new MutationObserver(() => {
      if (el.getAttribute('data-status') === 'paused' && w.__clickAt !== undefined) w.__pausedAt ??= performance.now();
    }).observe(el, { attributes: true, attributeFilter: ['data-status'] });
  });
  await pauseButton.click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 10_000 });
  const ms = await page.evaluate(() => {
    const w = window as unknown as { __clickAt: number; __pausedAt: number };
    return Math.round(w.__pausedAt - w.__clickAt);
  });
  console.log(`# Pause took effect after ${ms} ms (${await state.textContent()})`);
  assert.ok(ms <= 500, `paused ${ms} ms after the click`);
  const pausedAt = num((await state.textContent()) ?? '', /Paused at step (\d+)/);
  await page.waitForTimeout(1000);
  assert.equal(num(await summary(page), /step (\d+)/) <= pausedAt, true, 'no step after the pause');
  assert.deepEqual(errors, []);
  await page.close();
});
