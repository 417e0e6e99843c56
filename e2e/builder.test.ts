// The builder for every layer kind, and the "see inside" panel, in the built page:
// shapes and parameter counts per row, field and shape errors on the layer, reordering (buttons,
// keyboard, drag and drop), a transformer on a sequence task, then a short real training run whose
// first-layer weights are drawn as tiles and whose model classifies a digit drawn with the mouse.
// Run: npm test -- e2e/builder   (or node --import tsx --test e2e/builder.test.ts)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright';
import { openPreset, servedApp } from './lib.ts';

const app = servedApp();

const open = () => openPreset(app, 'mlp-mnist-small');

const kinds = (page: Page) => page.locator('ol.layers > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
const row = (page: Page, re: RegExp) => page.getByRole('button', { name: re });
/** Distinct opaque colours on a canvas: a blank or one-colour map has 0 or 1. */
const colours = (canvas: Locator) => canvas.evaluate((c: HTMLCanvasElement) => {
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set<number>();
  for (let i = 0; i < d.length; i += 4) if (d[i + 3]) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return seen.size;
});

test('every kind in the palette; conv shapes, errors and reordering', { timeout: 60_000 }, async () => {
  const { page, errors } = await open();
  const families = page.getByRole('group', { name: 'Add layer' }).getByRole('group');
  assert.deepEqual(await families.evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label'))),
    ['Core layers', 'Convolution layers', 'Sequence layers', 'Transformer layers']);
  for (const label of ['Dense', 'Activation', 'Dropout', 'Flatten', 'LayerNorm', 'Conv2D', 'MaxPool2D', 'AvgPool2D', 'Global avg pool',
    'BatchNorm', 'Embedding', 'LSTM', 'GRU', 'RNN', 'Positions', 'Transformer', 'Patches', 'Unembed'])
    await page.getByRole('button', { name: `Add ${label}`, exact: true }).waitFor();

  // Conv2D before the Flatten: 28×28×8 (3×3 'same', 8 filters: 3·3·1·8 + 8 = 80 parameters), and the
  // Dense after the Flatten now sees 6272 inputs (6272·128 + 128 parameters).
  const totals = page.getByTestId('model-totals');
  assert.match((await totals.textContent()) ?? '', /Total 101,770 parameters/);
  await page.getByRole('button', { name: 'Add Conv2D' }).click(); // inserted before the output layer, selected
  await row(page, /^Conv2D layer 3,/).waitFor();
  await page.getByRole('button', { name: 'Move Conv2D layer 3 up' }).click();
  await row(page, /^Conv2D layer 2,/).focus();
  await page.keyboard.press('Alt+ArrowUp'); // the row's keyboard move
  await row(page, /^Conv2D layer 1, 8 filters 3×3, stride 1, same, ReLU, output 28×28×8, 80 parameters$/).waitFor();
  await row(page, /^Flatten layer 2, output 6272, 0 parameters$/).waitFor();
  await row(page, /^Dense layer 3, 128 units, ReLU, output 128, 802,944 parameters$/).waitFor();
  assert.deepEqual(await kinds(page), ['conv2d', 'flatten', 'dense', 'dense']);
  assert.match((await totals.textContent()) ?? '', /Total 804,314 parameters/);

  // Every field of the conv is editable; an out-of-range one shows its reason on the field and the layer.
  const inspector = page.getByRole('group', { name: 'Layer 1 settings' });
  for (const f of ['Filters', 'Kernel height', 'Kernel width', 'Stride', 'Dilation']) await inspector.getByRole('spinbutton', { name: f, exact: true }).waitFor();
  await inspector.getByLabel('Padding', { exact: true }).selectOption('valid');
  await row(page, /^Conv2D layer 1, .*output 26×26×8, 80 parameters$/).waitFor();
  await inspector.getByRole('spinbutton', { name: 'Filters' }).fill('0');
  assert.match((await page.locator('#layer-0-err').textContent()) ?? '', /filters must be an integer between 1 and 1024, got 0/);
  assert.equal(await inspector.getByRole('spinbutton', { name: 'Filters' }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled(), true);
  await inspector.getByRole('spinbutton', { name: 'Filters' }).fill('4');
  await row(page, /^Conv2D layer 1, 4 filters 3×3, stride 1, valid, ReLU, output 26×26×4, 40 parameters$/).waitFor();
  assert.equal(await page.locator('#layer-0-err').count(), 0);

  // A shape error: an LSTM on images names what it needs, on its own row.
  await row(page, /^Flatten layer 2,/).click();
  await page.getByRole('button', { name: 'Add LSTM' }).click();
  await row(page, /^LSTM layer 3, .*output unknown, parameters unknown, 1 problem$/).waitFor();
  assert.match((await page.locator('#layer-2-err').textContent()) ?? '', /needs a sequence \(T, features\), got \(2704\): a flattened image is one vector, not a sequence; use Conv2D on images/);
  assert.equal(await page.locator('.layer-errors > li').count(), 1, 'one error, not one more per layer after it');
  await page.getByRole('button', { name: 'Remove LSTM layer 3' }).click();

  // Move down, then drag and drop back.
  await page.getByRole('button', { name: 'Move Conv2D layer 1 down' }).click();
  assert.deepEqual(await kinds(page), ['flatten', 'conv2d', 'dense', 'dense']);
  await page.locator('ol.layers > li').nth(1).dragTo(page.locator('ol.layers > li').nth(0));
  assert.deepEqual(await kinds(page), ['conv2d', 'flatten', 'dense', 'dense']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a transformer on a sequence task: Embedding + Positions + Transformer + Dense is valid', { timeout: 60_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Dataset', { exact: true }).selectOption('reverse'); // 5 symbols of 8: input 10 tokens, 10-way output per position
  assert.equal(await page.getByTestId('input-shape').textContent(), '10');
  while (await page.locator('ol.layers > li').count()) await page.locator('ol.layers > li').first().getByRole('button', { name: /^Remove / }).click();
  for (const k of ['Embedding', 'Positions', 'Transformer', 'Dense']) await page.getByRole('button', { name: `Add ${k}`, exact: true }).click();
  const inspector = page.getByRole('group', { name: 'Layer 4 settings' });
  await inspector.getByRole('spinbutton', { name: 'Units' }).fill('10');
  await inspector.getByLabel('Activation').selectOption('none');
  await row(page, /^Embedding layer 1, 32 dims, output 10×32, 320 parameters$/).waitFor();
  await row(page, /^Positions layer 2, sinusoidal, added, output 10×32, 0 parameters$/).waitFor();
  await row(page, /^Transformer layer 3, 1 block, 4 heads, bidirectional, pre-LN, output 10×32, [\d,]+ parameters$/).waitFor();
  await row(page, /^Dense layer 4, 10 units, output 10×10, 330 parameters$/).waitFor();
  assert.equal(await page.locator('.layer.invalid').count(), 0, await page.locator('.layer-errors, .model-errors').allTextContents().then(String));
  assert.equal(await page.getByRole('button', { name: 'Train', exact: true }).isEnabled(), true);

  // Transformer fields: heads that do not divide the width are a shape error on that layer.
  await row(page, /^Transformer layer 3,/).click();
  const t = page.getByRole('group', { name: 'Layer 3 settings' });
  await t.getByRole('checkbox', { name: /Causal/ }).check();
  await t.getByLabel('Norm').selectOption('post');
  await row(page, /^Transformer layer 3, 1 block, 4 heads, causal, post-LN,/).waitFor();
  await t.getByRole('spinbutton', { name: 'Heads' }).fill('5');
  assert.match((await page.locator('#layer-2-err').textContent()) ?? '', /the width 32 must divide evenly into 5 heads/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('see inside while training, then draw a digit', { timeout: 150_000 }, async () => {
  const { page, errors } = await open();
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  // Tiles of the Dense layer after the Flatten, read from the worker while it trains.
  const tiles = page.getByTestId('weight-tiles');
  await tiles.waitFor({ timeout: 120_000 });
  // About 80 steps of Adam (10 s here) already classify a clear "1".
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=inside-views]')?.getAttribute('data-step')) >= 80, null, { timeout: 90_000 });
  assert.match((await tiles.getAttribute('aria-label')) ?? '', /32 of 128 units, 28×28 each/);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 60_000 });
  const spread = await colours(tiles);
  assert.ok(spread > 50, `weight tiles are not blank (${spread} distinct colours)`);

  // A "1": one vertical stroke down the middle of the pad.
  const pad = page.getByLabel(/^Drawing pad/);
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (0.52 - 0.01 * k), box.y + box.height * (0.15 + 0.07 * k));
  await page.mouse.up();
  const probs = page.getByTestId('digit-probs');
  await page.locator('[data-testid=digit-probs][data-ready=true]').waitFor({ timeout: 30_000 })
    .catch(async (e) => assert.fail(`${e}: ${await page.getByRole('group', { name: 'Draw a digit' }).textContent()}`));
  const ps = await probs.locator('li').evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-p'))));
  assert.equal(ps.length, 10);
  assert.ok(ps.every((p) => p >= 0 && p <= 1), String(ps));
  assert.ok(Math.abs(ps.reduce((a, b) => a + b, 0) - 1) < 1e-3, `probabilities sum to 1: ${ps}`);
  assert.match((await probs.getByRole('listitem').first().getAttribute('aria-label')) ?? '', /^0: \d+\.\d%$/);
  assert.equal(ps.indexOf(Math.max(...ps)), 1, `a drawn 1 is read as 1: ${ps.map((p) => p.toFixed(3))}`);
  assert.match((await probs.locator('li.best').getAttribute('aria-label')) ?? '', /^1: \d+\.\d%$/);
  await page.getByRole('button', { name: 'Clear' }).click();
  assert.equal(await probs.getAttribute('data-ready'), 'false');
  assert.deepEqual(errors, []);
  await page.close();
});

test('see inside a recurrent model: LSTM gates and states over a test sequence', { timeout: 90_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('lstm-reverse');
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: 'Paused at step 1' }).waitFor({ timeout: 60_000 });
  const gates = page.getByRole('group', { name: 'LSTM activations' });
  for (const name of ['input gate i', 'forget gate f', 'candidate g', 'output gate o', 'hidden state h'])
    await gates.getByRole('img', { name, exact: true }).waitFor({ timeout: 20_000 });
  // Units down (64), time across (10 tokens: 5 symbols, the separator, 4 blanks).
  const h = gates.getByRole('img', { name: 'hidden state h' });
  assert.ok(await colours(h) > 20, 'the hidden-state map is not blank');
  assert.deepEqual(await h.evaluate((c: HTMLCanvasElement) => [c.width % 10, c.height % 64]), [0, 0]);
  await page.getByRole('spinbutton', { name: 'Test sequence' }).fill('3');
  await page.waitForTimeout(500);
  assert.deepEqual(errors, []);
  await page.close();
});
