// The Predictions region for the sine task and the character models, in the built page (on this
// machine's adapter, SwiftShader when there is no GPU): the forecast drawn over the truth for test
// sequences within the first seconds of training, and text sampled from the live char model that
// changes as it trains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

async function open(preset: string) {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/#preset=${preset}`);
  await page.getByRole('button', { name: 'Train', exact: true }).waitFor();
  return { page, errors };
}

async function pause(page: import('playwright').Page) {
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 20_000 });
}

test('sine: Predictions draws the forecast over the truth for test sequences within seconds of Train, and it follows training', { timeout: 180_000 }, async () => {
  const { page, errors } = await open('rnn-sine');
  const region = page.getByRole('region', { name: 'Predictions' });
  const charts = region.getByRole('img', { name: /^Test sequence \d+: 20 input values, then the next 12 true and forecast\. Mean absolute error [\d.]+ on the next value/ });
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await charts.nth(1).waitFor({ timeout: 60_000 });
  const firstAt = (Date.now() - t0) / 1000;
  const n = await charts.count();
  assert.ok(n >= 2, `${n} charts`);
  // A legend names the three lines; each chart draws the window, the truth and the forecast.
  for (const k of ['input window', 'true continuation', 'model’s forecast']) assert.equal(await region.getByRole('list', { name: 'Legend' }).getByText(k).count(), 1, k);
  const chart = region.getByTestId('forecast-chart').first();
  assert.equal(await chart.locator('polyline').count(), 3);
  assert.equal(await chart.locator('circle').count(), 12, 'one dot per forecast value');
  const mae = async () => Number(await chart.getAttribute('data-mae'));
  const first = await mae();
  const label0 = await chart.getAttribute('aria-label');
  // The picture follows training: the first chart's error changes between reads.
  let later = first;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && later === first) {
    await page.waitForTimeout(1000);
    later = await mae();
  }
  const caption = await region.getByTestId('forecast-mae').textContent();
  console.log(`# sine: ${n} forecast charts ${firstAt.toFixed(1)} s after Train; first chart MAE ${first.toFixed(4)} → ${later.toFixed(4)}; ${caption}; ${await page.getByTestId('train-status').textContent()}`);
  assert.ok(firstAt < 20, `charts after ${firstAt} s`);
  assert.notEqual(later, first, 'the forecast changes while training');
  assert.ok(Number.isFinite(later));
  assert.notEqual(await chart.getAttribute('aria-label'), label0);
  await pause(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('lstm-char: Predictions shows text sampled from the live model after a test passage, changing while it trains', { timeout: 240_000 }, async () => {
  const { page, errors } = await open('lstm-char');
  const region = page.getByRole('region', { name: 'Predictions' });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const cont = region.getByTestId('sample-continuation');
  await page.waitForFunction(() => (document.querySelector('[data-testid=sample-continuation]')?.textContent ?? '').length >= 100, null, { timeout: 90_000 });
  const prompt = (await region.getByTestId('sample-prompt').textContent()) ?? '';
  const first = (await cont.textContent()) ?? '';
  assert.equal(prompt.length, 32, `the prompt is a 32-character test passage: ${JSON.stringify(prompt)}`);
  assert.match(first, /^[a-z .,;:'!?\n-]{100,120}$/, JSON.stringify(first));
  const acc = (await region.getByTestId('char-accuracy').textContent()) ?? '';
  assert.match(acc, /^Next-character accuracy on 8 test passages: [\d.]+% \(\d+ of 256 characters\)\.$/);
  // The sample changes as the model learns (same prompt, same seed, new weights).
  let later = first;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && later === first) {
    await page.waitForTimeout(1000);
    later = (await cont.textContent()) ?? '';
  }
  console.log(`# lstm-char: prompt ${JSON.stringify(prompt)}\n#   first sample ${JSON.stringify(first)}\n#   later sample ${JSON.stringify(later)}\n#   ${acc}; ${await page.getByTestId('train-status').textContent()}`);
  assert.notEqual(later, first, 'the sampled text changes while training');
  assert.equal(await region.getByTestId('sample-prompt').textContent(), prompt, 'the prompt stays fixed');
  await pause(page);
  assert.deepEqual(errors, []);
  await page.close();
});
