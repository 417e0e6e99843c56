// Run history and keyboard shortcuts in the built page: two short runs with different learning
// rates (Reset between them) are both kept and overlaid dashed on the charts, each with its own legend entry; a run
// can be hidden and deleted; S steps and Space trains and pauses.
// Run: npm test -- e2e/runs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

const paused = (page: Page, step: number) =>
  page.getByTestId('run-state').filter({ hasText: `Paused at step ${step}` }).waitFor({ timeout: 60_000 });

/** Dashed curves drawn on a chart (earlier runs), by stroke colour. */
const dashed = (page: Page, chart: string) => page.locator(`[data-testid=${chart}] path.recharts-curve[stroke-dasharray]`)
  .evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').length > 10).map((p) => p.getAttribute('stroke')));

test('two runs with different learning rates are overlaid; hide and delete a run', { timeout: 120_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  const lr = page.getByRole('spinbutton', { name: 'Learning rate' });

  // Run 1: lr 0.01, three steps with the S key (focus on the page, not in a field).
  await lr.fill('0.01');
  await page.locator('h1').click();
  for (let k = 1; k <= 3; k++) {
    await page.keyboard.press('s');
    await paused(page, k);
  }
  await page.getByTestId('loss-chart').and(page.locator('[data-points="3"]')).waitFor({ timeout: 10_000 });
  // Reset keeps run 1; a new learning rate and two steps make run 2 (a change while paused would
  // only retune the live run).
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await lr.fill('0.0005');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page, 1);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page, 2);
  const runs = page.getByRole('list', { name: 'Earlier runs' }).getByRole('listitem');
  assert.equal(await runs.count(), 1);
  assert.match((await runs.first().textContent()) ?? '', /Run 1: mlp-mnist-small.*adam lr 0\.01, batch 64, 1 epoch, seed 1 · 3 steps · loss \d/);
  await page.locator('[data-testid=loss-chart][data-overlays="1"][data-points="2"]').waitFor({ timeout: 10_000 });
  // The first run's curve is dashed in its colour on both charts, with a legend entry.
  assert.deepEqual(await dashed(page, 'loss-chart'), ['#7c3aed']);
  assert.deepEqual(await dashed(page, 'accuracy-chart'), ['#7c3aed']);
  assert.match((await page.locator('[data-testid=loss-chart] .recharts-legend-wrapper').textContent()) ?? '', /Run 1: mlp-mnist-small \(train loss\)/);

  // Reset archives run 2 as well: two dashed series overlaid, one per learning rate.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.locator('[data-testid=loss-chart][data-overlays="2"]').waitFor();
  assert.equal(await runs.count(), 2);
  assert.match((await runs.nth(1).textContent()) ?? '', /Run 2: .*lr 0\.0005,.* · 2 steps/);
  assert.deepEqual((await dashed(page, 'loss-chart')).sort(), ['#047857', '#7c3aed']);

  // Hide run 1, then delete run 2.
  await page.getByRole('checkbox', { name: 'Show Run 1: mlp-mnist-small on the charts' }).uncheck();
  await page.locator('[data-testid=loss-chart][data-overlays="1"]').waitFor();
  assert.deepEqual(await dashed(page, 'loss-chart'), ['#047857']);
  await page.getByRole('button', { name: 'Delete Run 2: mlp-mnist-small' }).click();
  assert.equal(await runs.count(), 1);
  await page.locator('[data-testid=loss-chart][data-overlays="0"]').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('Space trains and pauses; keys are announced on the buttons', { timeout: 120_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  assert.equal(await train.getAttribute('aria-keyshortcuts'), 'Space Control+Enter Meta+Enter');
  assert.equal(await page.getByRole('button', { name: 'Step', exact: true }).getAttribute('aria-keyshortcuts'), 'S');
  assert.match((await page.locator('#keys-hint').textContent()) ?? '', /Space or Ctrl\+Enter train \/ pause, S step/);
  // Space in a field types (the field keeps focus, nothing starts).
  await page.getByRole('spinbutton', { name: 'Seed' }).press('Space');
  assert.equal(await page.getByTestId('run-state').getAttribute('data-status'), 'idle');
  await page.locator('h1').click();
  await page.keyboard.press('Space');
  await page.getByTestId('metrics-summary').filter({ hasText: /step \d+/ }).waitFor({ timeout: 90_000 });
  await page.locator('[data-testid=run-state][data-status=running]').waitFor();
  await page.keyboard.press('Space');
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 30_000 });
  // Ctrl+Enter works from inside a field too.
  await page.getByRole('spinbutton', { name: 'Seed' }).press('Control+Enter');
  await page.locator('[data-testid=run-state][data-status=running]').waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});
