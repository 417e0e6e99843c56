// Nothing lost: a paused run is saved in the browser and resumes after a reload with its curve;
// weights download as .safetensors and load into a fresh page; bad files change nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();
const tmp = mkdtempSync(join(tmpdir(), 'weights-'));

const watch = watchErrors;
const pausedAt = async (page: Page) => {
  const state = page.getByTestId('run-state');
  await state.filter({ hasText: /Paused at step \d+/ }).waitFor({ timeout: 120_000 });
  return Number((await state.textContent())!.match(/Paused at step (\d+)/)![1]);
};
const points = async (page: Page) => Number(await page.getByTestId('loss-chart').getAttribute('data-points'));

test('a paused run survives a reload and resumes where it stopped, curve included; weights round-trip through a file', { timeout: 300_000 }, async () => {
  const ctx = await app.browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watch(page);
  await page.goto(`${app.url}/#preset=mlp-mnist-small`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('metrics-summary').filter({ hasText: /step (4\d|[5-9]\d|\d{3,})\b/ }).waitFor({ timeout: 180_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const n = await pausedAt(page);
  const curve = await points(page);
  assert.ok(curve >= 2, `curve points ${curve}`);

  // Download the weights while the run is here.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
  const file = join(tmp, 'w.safetensors');
  await download.saveAs(file);
  assert.match(download.suggestedFilename(), /^mlp-mnist-small-step\d+\.safetensors$/);
  await page.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Downloaded the weights at step ${n}` }).waitFor();

  // Reload: the same design, and the saved run offered at the same step.
  await page.waitForTimeout(1500); // the autosave after Pause
  await page.reload();
  const resume = page.getByRole('button', { name: `Resume saved run (step ${n})` });
  await resume.waitFor({ timeout: 20_000 });
  await resume.click();
  await page.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Resumed the saved run at step ${n}` }).waitFor({ timeout: 60_000 });
  assert.equal(await pausedAt(page), n);
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= c, curve);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: `Paused at step ${n + 1}` }).waitFor({ timeout: 60_000 });
  assert.deepEqual(errors, []);
  await ctx.close();

  // A fresh browser profile: load the downloaded file.
  const p2 = await app.browser.newPage();
  const e2 = watch(p2);
  await p2.goto(`${app.url}/#preset=mlp-mnist-small`);
  await p2.getByLabel('Weights file').setInputFiles(file);
  await p2.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Loaded weights and optimizer state (step ${n})` }).waitFor({ timeout: 60_000 });
  assert.equal(await pausedAt(p2), n);

  // A truncated file is refused and the loaded weights stay.
  const bytes = readFileSync(file);
  writeFileSync(join(tmp, 'cut.safetensors'), bytes.subarray(0, bytes.length - 100));
  await p2.getByLabel('Weights file').setInputFiles(join(tmp, 'cut.safetensors'));
  const alert = p2.getByRole('alert', { name: 'Weights message' });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Not a usable weights file: it is truncated/);
  assert.equal(await pausedAt(p2), n);
  assert.deepEqual(e2, []);
  await p2.close();

  // A model of another shape names the tensors that differ.
  const p3 = await app.browser.newPage();
  await p3.goto(`${app.url}/#preset=mlp-mnist-small`);
  await p3.getByRole('button', { name: /^Dense layer 2,/ }).click();
  await p3.getByRole('spinbutton', { name: 'Units' }).fill('64');
  await p3.getByLabel('Weights file').setInputFiles(file);
  const a3 = p3.getByRole('alert', { name: 'Weights message' });
  await a3.waitFor({ timeout: 60_000 });
  assert.match((await a3.textContent()) ?? '', /do not fit the current model, so nothing was changed: layers\.1\.W is \(784, 128\) in the file but \(784, 64\) in the model/);
  await p3.close();
});
