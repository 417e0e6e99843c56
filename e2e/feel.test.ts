// Issue 20, "a page that feels instant and shows learning", checked as a new user on this machine
// would (built page, SwiftShader): the status live region shows step, loss and an ETA within 5 s
// of Train; Auto picks the faster backend and says why; the charts' data table gains test points
// while training; Predictions shows digits for MNIST and input → target → prediction rows for
// transformer-reverse; Train, the layers and the loss chart fit the first 1280×800 screen.
// Run: E2E_DIST=$PWD/dist node --import tsx --test e2e/feel.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

async function inViewport(page: Page, what: string, loc: ReturnType<Page['locator']>): Promise<void> {
  const box = await loc.boundingBox();
  const vp = page.viewportSize()!;
  assert.ok(box, `${what} is rendered`);
  assert.ok(box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height && box.x + box.width <= vp.width,
    `${what} lies within the ${vp.width}×${vp.height} screen: ${JSON.stringify(box)}`);
}

test('mlp-mnist at 1280×800: live status within 5 s, Auto on the faster backend, test points, digits, all on one screen', { timeout: 300_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/#preset=mlp-mnist`);
  await page.getByTestId('backend-status').filter({ hasText: /WebGPU ·|CPU/ }).waitFor();
  const backendSelect = page.getByLabel('Backend');
  assert.equal(await backendSelect.inputValue(), 'auto');
  assert.deepEqual(await backendSelect.locator('option').allTextContents(), ['Auto', 'WebGPU', 'CPU']);

  const train = page.getByRole('button', { name: 'Train', exact: true });
  await inViewport(page, 'Train', train);
  await inViewport(page, 'the layer list', page.locator('ol.layers'));
  await inViewport(page, 'the loss chart', page.getByTestId('loss-chart'));

  // Timed in the page, from the click to the first "step N · loss X" in the status live region.
  await train.evaluate((b) => {
    const w = window as unknown as { __clickAt?: number; __lossAt?: number };
    b.addEventListener('click', () => (w.__clickAt = performance.now()), { capture: true, once: true });
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid=train-status]')?.textContent ?? '';
      if (/step \d+ · loss [\d.]+/.test(t) && w.__clickAt !== undefined) w.__lossAt ??= performance.now();
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await train.click();
  const status = page.getByRole('status').filter({ hasText: /step \d+ · loss/ });
  await status.waitFor({ timeout: 30_000 });
  const ms = await page.evaluate(() => {
    const w = window as unknown as { __clickAt: number; __lossAt: number };
    return Math.round(w.__lossAt - w.__clickAt);
  });
  console.log(`# first loss ${ms} ms after the click: ${await status.textContent()}`);
  assert.ok(ms <= 5000, `first loss after ${ms} ms`);
  await page.getByRole('status').filter({ hasText: /step [\d,]+ · loss [\d.]+ · [\d,]+ samples\/s · ETA \d+:\d\d/ }).waitFor({ timeout: 15_000 });

  // Auto: on a software adapter the CPU backend is faster, and the page says so.
  const backend = (await page.getByTestId('backend-status').textContent()) ?? '';
  console.log(`# backend: ${backend}`);
  const software = await page.evaluate(async () => {
    const a = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
    const i = a?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    return !a || Boolean(i?.isFallbackAdapter) || /swiftshader/i.test(`${i?.vendor} ${i?.architecture} ${i?.device}`);
  });
  if (software) assert.match(backend, /^CPU — CPU: faster than this software WebGPU adapter/);
  else assert.match(backend, /^WebGPU · .+ — WebGPU/);

  // Predictions: at least 8 test digits with their predicted labels.
  const digits = page.getByRole('region', { name: 'Predictions' }).getByRole('img', { name: /^Test digit \d+: a \d, predicted \d/ });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=prediction-digits] canvas').length >= 8, null, { timeout: 30_000 });
  assert.ok((await digits.count()) >= 8);

  // The data table: test points from the first seconds, at least 3 within 60 s of training (the
  // wait allows 120 s: this machine is shared and its load varies tenfold; the log says how long).
  const table = page.getByRole('table', { name: /Loss and accuracy by step/ });
  const t0 = Date.now();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=chart-data]')?.getAttribute('data-test-points')) >= 3, null, { timeout: 120_000, polling: 500 });
  const testRows = await table.locator('tbody tr[data-test]').count();
  console.log(`# ${testRows} test points ${Math.round((Date.now() - t0) / 1000)} s after the first loss; ${await page.getByTestId('train-status').textContent()}`);
  assert.ok(testRows >= 3);
  const cells = await table.locator('tbody tr[data-test]').first().locator('td').allTextContents();
  assert.match(cells[1], /^\d/, `a test loss in the row: ${cells}`);
  assert.match(cells[3], /%$/, `a test accuracy in the row: ${cells}`);
  await page.getByRole('button', { name: 'Data', exact: true }).click();
  assert.equal(await table.isVisible(), true);

  // Still one screen with the run going, and no internal tensor names anywhere.
  await inViewport(page, 'the loss chart while training', page.getByTestId('loss-chart').locator('.recharts-wrapper'));
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /layers\.\d+\.|\b\d+\.b\d+\.attn/, 'no tensor keys on the page');
  console.log(`# at the end: ${await page.getByTestId('train-status').textContent()}`);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('transformer-reverse: the header names the task; Predictions shows input → target → prediction rows; no tensor keys', { timeout: 300_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/#preset=transformer-reverse`);
  assert.match((await page.getByTestId('tagline').textContent()) ?? '', /the reverse task/);
  assert.doesNotMatch((await page.locator('header').innerText()), /MNIST/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('status').filter({ hasText: /step \d+ · loss/ }).waitFor({ timeout: 60_000 });
  const region = page.getByRole('region', { name: 'Predictions' });
  const rows = region.getByRole('table').locator('tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=prediction-rows] tbody tr').length >= 3, null, { timeout: 60_000 });
  assert.ok((await rows.count()) >= 3);
  assert.deepEqual(await region.getByRole('columnheader').allTextContents(), ['Input', 'Target', 'Prediction', 'Right?']);
  const first = await rows.first().locator('td').allTextContents();
  assert.match(first[0], /^[a-h]+\|_+$/, `input: symbols, the separator, blanks: ${first[0]}`);
  assert.equal(first[1], [...first[0].split('|')[0]].reverse().join(''), 'the target is the input reversed');
  assert.equal(first[2].length, first[1].length, 'one predicted token per target token');
  // Early in training most predictions are wrong, and wrong tokens are marked.
  const marked = await region.locator('mark').count();
  const wrongRows = await rows.filter({ hasText: '✗' }).count();
  console.log(`# ${await rows.count()} rows, ${wrongRows} wrong, ${marked} wrong tokens marked; ${await page.getByTestId('train-status').textContent()}`);
  assert.ok(wrongRows === 0 || marked > 0, 'a wrong row has its wrong tokens marked');
  // Whole-sequence accuracy is charted (and in the data table).
  await page.getByTestId('accuracy-chart').filter({ hasText: 'whole sequences right' }).waitFor({ timeout: 30_000 });
  assert.ok(await page.getByRole('columnheader', { name: 'Test sequences right' }).count() >= 1);

  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByTestId('norms').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  const text = await page.locator('body').innerText();
  assert.doesNotMatch(text, /layers\.\d+\.|\b\d+\.b\d+\.attn/, 'no tensor keys on the page');
  assert.match(text, /Layer \d+ · Transformer/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 20_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a cnn-mnist link reopens as cnn-mnist, after a reload too, and reads "Custom (from cnn-mnist)" once edited', { timeout: 60_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/#preset=cnn-mnist`);
  const preset = page.getByLabel('Preset');
  assert.equal(await preset.inputValue(), 'cnn-mnist');
  await page.waitForFunction(() => location.hash.startsWith('#m='), null, { timeout: 10_000 }); // the link now carries the spec
  await page.reload();
  await page.getByTestId('backend-status').waitFor();
  assert.equal(await preset.inputValue(), 'cnn-mnist', 'the reloaded spec is recognised as the preset');
  // On a phone, Train is on the first screen.
  await inViewport(page, 'Train on a phone', page.getByRole('button', { name: 'Train', exact: true }));
  await page.getByRole('spinbutton', { name: 'Learning rate' }).fill('0.002');
  await page.waitForFunction(() => (document.querySelector('select') as HTMLSelectElement | null)?.selectedOptions[0]?.textContent === 'Custom (from cnn-mnist)', null, { timeout: 5_000 });
  assert.equal(await preset.inputValue(), '');
  assert.deepEqual(errors, []);
  await page.close();
});
