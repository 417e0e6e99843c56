// The main journey through the built page in headless Chromium on SwiftShader's WebGPU:
// pick a preset, train, see metrics on WebGPU, pause, step, and no console errors.
// Builds dist/ with Vite first; set E2E_DIST=<dir> to test an existing build instead.
// Run: node --import tsx --test e2e/app.test.ts
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright';
import { launch, ROOT } from '../scripts/lib/browser.ts';
import { servedBuild, watchErrors } from './lib.ts';

const RESULTS = join(ROOT, 'test-results');
let browser: Browser;
let noGpuBrowser: Browser | undefined;
let server: Server;
let url: string;

before(async () => {
  ({ url, server } = await servedBuild());
  browser = await launch();
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await noGpuBrowser?.close();
  server?.close();
});

async function open(width = 1280, height = 800, b = browser): Promise<{ page: Page; errors: string[] }> {
  const page = await b.newPage({ viewport: { width, height } });
  const errors = watchErrors(page);
  await page.goto(url);
  return { page, errors };
}

const stepOf = async (page: Page) => Number((await page.getByTestId('metrics-summary').textContent())?.match(/step (\d+)/)?.[1] ?? NaN);

test('train, pause and step a small MLP on WebGPU', { timeout: 240_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  await page.getByLabel('Backend').selectOption('webgpu'); // Auto would take the CPU on SwiftShader
  await page.getByRole('button', { name: 'Train', exact: true }).click();

  // Metrics arrive: a "step N" summary and a drawn loss curve (or an error panel: fail at once).
  await page.waitForFunction(
    () => /step \d+/.test(document.querySelector('[data-testid=metrics-summary]')?.textContent ?? '') || document.querySelector('[role=alert]'),
    null, { timeout: 180_000 },
  );
  const alert = page.getByRole('alert');
  if (await alert.count()) assert.fail(`error panel: ${await alert.textContent()} (console: ${errors.join(' | ')})`);
  const status = page.locator('[data-testid=backend-status][data-source=session]');
  assert.match((await status.textContent()) ?? '', /WebGPU · \S/, 'status line names WebGPU and the adapter');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= 2, null, { timeout: 120_000 });
  await page.locator('[data-testid=loss-chart] .recharts-line-curve').first().waitFor({ timeout: 10_000 });
  await page.getByRole('progressbar', { name: 'Epoch progress' }).waitFor();

  // Pause: 'Pausing…' while queued GPU steps finish, then 'Paused at step N'; no steps after that.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const runWord = page.getByTestId('run-state');
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 60_000 });
  const pausedAt = Number((await runWord.textContent())?.match(/Paused at step (\d+)/)?.[1]);
  assert.ok(pausedAt > 0, `status names the step: ${await runWord.textContent()}`);
  assert.equal(await page.getByRole('button', { name: 'Pause', exact: true }).isDisabled(), true);
  assert.equal(await page.getByRole('button', { name: 'Train', exact: true }).isEnabled(), true);
  const shown = await stepOf(page);
  assert.ok(shown <= pausedAt, `metrics step ${shown} <= paused step ${pausedAt}`);
  await page.waitForTimeout(2000);
  assert.equal(await stepOf(page), shown, 'no metrics while paused');
  assert.match((await runWord.textContent()) ?? '', new RegExp(`Paused at step ${pausedAt}$`));

  // Step: exactly one more training step, reported at once.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: `Paused at step ${pausedAt + 1}` }).waitFor({ timeout: 60_000 });
  await page.getByTestId('metrics-summary').filter({ hasText: `step ${pausedAt + 1}` }).waitFor({ timeout: 5_000 });

  await page.screenshot({ path: join(RESULTS, 'app.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(500); // let the charts' resize observers settle
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scrolling on a phone');
  await page.screenshot({ path: join(RESULTS, 'app-narrow.png'), fullPage: true });
  assert.equal(await page.getByRole('alert').count(), 0, 'no error panel');
  assert.deepEqual(errors, []);
  await page.close();
});

test('edit layers: shapes, invalid reasons, and an engine error in the alert panel', { timeout: 90_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  const totals = page.getByTestId('model-totals');
  assert.match((await totals.textContent()) ?? '', /Total 101,770 parameters/);
  // Train's state once the page has re-validated the edit (a render after the field's input event).
  const trainDisabled = async (want: boolean) => {
    for (const t0 = Date.now(); (await train.isDisabled()) !== want && Date.now() - t0 < 5_000;) await page.waitForTimeout(50);
    assert.equal(await train.isDisabled(), want);
  };

  // Palette inserts after the selected layer; the new layer is selected; move and remove.
  await page.getByRole('button', { name: /^Dense layer 2,/ }).click();
  await page.getByRole('button', { name: 'Add Dropout' }).click();
  await page.getByRole('button', { name: /^Dropout layer 3, rate 0\.2, output 128, 0 parameters$/ }).waitFor();
  await page.getByRole('button', { name: 'Add Dense' }).click(); // layer 4: 64 units after the dropout
  await page.getByRole('button', { name: /^Dense layer 4, 64 units, ReLU, output 64, 8,256 parameters$/ }).waitFor();
  await page.getByRole('button', { name: 'Move Dense layer 4 up' }).click();
  await page.getByRole('button', { name: /^Dense layer 3, 64 units/ }).waitFor();
  await page.getByRole('button', { name: 'Remove Dropout layer 4' }).click();
  assert.equal(await page.getByRole('list', { name: 'Layers' }).getByRole('listitem').filter({ has: page.locator('.layer-main') }).count(), 4);

  // An invalid field: the reason shows on the layer and on the disabled Train button.
  await page.getByRole('button', { name: /^Dense layer 3,/ }).click();
  await page.getByRole('spinbutton', { name: 'Units' }).fill('0');
  await trainDisabled(true);
  assert.match((await page.locator('#train-reason').textContent()) ?? '', /^Cannot train: layer 3: units /);
  assert.match((await page.locator('#layer-2-err').textContent()) ?? '', /units must be/);
  // A model that does not end in 10 outputs.
  await page.getByRole('spinbutton', { name: 'Units' }).fill('32');
  await trainDisabled(false);
  await page.getByRole('button', { name: /^Dense layer 4,/ }).click();
  await page.getByRole('spinbutton', { name: 'Units' }).fill('7');
  await trainDisabled(true);
  assert.match((await page.locator('#train-reason').textContent()) ?? '', /10 outputs/);
  await page.getByRole('spinbutton', { name: 'Units' }).fill('10');
  await trainDisabled(false);

  // Too big for the device: the engine refuses it and the alert panel says why.
  for (const layer of [3, 4, 5, 6]) { // four 8192-wide layers: about 3.2 GB to train, over the 2 GiB budget
    await page.getByRole('button', { name: new RegExp(`^Dense layer ${layer - 1},`) }).click();
    await page.getByRole('button', { name: 'Add Dense' }).click();
    await page.getByRole('button', { name: new RegExp(`^Dense layer ${layer},`) }).waitFor();
    await page.getByRole('spinbutton', { name: 'Units' }).fill('8192');
  }
  await train.click();
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 60_000 });
  assert.match((await alert.textContent()) ?? '', /Training failed.*needs about [\d.]+ GiB to train, over the memory budget of 2\.00 GiB/);
  await page.getByRole('button', { name: 'Dismiss and reset' }).click();
  assert.equal(await alert.count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('without a WebGPU adapter it trains on the CPU and says why', { timeout: 120_000 }, async () => {
  noGpuBrowser = await launch({ webgpu: false }); // navigator.gpu exists, requestAdapter() gives null
  const { page, errors } = await open(1280, 800, noGpuBrowser);
  const backend = page.getByTestId('backend-status');
  await backend.filter({ hasText: 'CPU fallback' }).waitFor({ timeout: 20_000 });
  assert.match((await backend.textContent()) ?? '', /CPU fallback — \S/, 'the reason is shown');
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('metrics-summary').filter({ hasText: /step \d+/ }).waitFor({ timeout: 90_000 });
  assert.match((await page.locator('[data-testid=backend-status][data-source=session]').textContent()) ?? '', /CPU fallback — \S/);
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: 'Idle' }).waitFor();
  assert.equal(await page.getByTestId('metrics-summary').textContent(), 'No steps yet.');
  assert.deepEqual(errors, []);
  await page.close();
});
