// The builder's messages and fixes, and Reset with Undo, in the built page: a misplaced layer shows
// one error on its own row with a fix button that makes the model valid; a model built from an
// empty stack with the palette ends valid; no placeholder ever shows; Undo brings a reset run back.
// Run: npm run build && E2E_DIST=$PWD/dist node --import tsx --test e2e/builder-fix.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { openPreset, servedApp } from './lib.ts';

const app = servedApp();

const kinds = (page: Page) => page.locator('ol.layers > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
const row = (page: Page, re: RegExp) => page.getByRole('button', { name: re });
const errorTexts = (page: Page) => page.locator('.layer-errors > li, .model-errors > li').allTextContents();
const train = (page: Page) => page.getByRole('button', { name: 'Train', exact: true });

/** Every word the page shows or gives a screen reader: visible text and accessible names. */
async function noPlaceholders(page: Page, when: string): Promise<void> {
  const words = await page.evaluate(() => [
    document.body.innerText,
    ...[...document.querySelectorAll('[aria-label], [title]')].flatMap((e) => [e.getAttribute('aria-label') ?? '', e.getAttribute('title') ?? '']),
  ].join('\n'));
  const bad = words.split('\n').filter((l) => /\(0\)|undefined|NaN|\[object/.test(l));
  assert.deepEqual(bad, [], `placeholders ${when}`);
}

test('a misplaced Conv2D and a Dense after a Conv2D: one error on the row that causes it, fixed in one click', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPreset(app, 'mlp-mnist-small');
  // Conv2D after the Flatten: the error is the conv's alone (not repeated by the Dense layers after it).
  await row(page, /^Flatten layer 1,/).click();
  await page.getByRole('button', { name: 'Add Conv2D', exact: true }).click();
  await row(page, /^Conv2D layer 2, .*output unknown, parameters unknown, 1 problem$/).waitFor();
  await row(page, /^Dense layer 3, 128 units, ReLU, output unknown, parameters unknown$/).waitFor();
  assert.deepEqual(await errorTexts(page), [
    'needs an image input (height, width, channels), but gets one vector of 784 values; it must come before any Flatten Move it before layer 1 (Flatten)',
  ]);
  assert.equal(await page.locator('#layer-1-err > li').count(), 1);
  assert.match((await page.getByTestId('model-totals').textContent()) ?? '', /Totals appear once every layer takes its input \(layer 2 does not yet\)/);
  assert.match((await page.getByRole('group', { name: 'Layer 2 settings' }).textContent()) ?? '', /Layer 2 has 1 problem: it is shown on its row in the layer list, with a fix\./);
  assert.equal(await train(page).isDisabled(), true);
  await noPlaceholders(page, 'with a Conv2D after the Flatten');
  await page.getByRole('button', { name: 'Move it before layer 1 (Flatten) (fix for layer 2)' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'flatten', 'dense', 'dense']);
  await row(page, /^Conv2D layer 1, 8 filters 3×3, stride 1, same, ReLU, output 28×28×8, 80 parameters$/).waitFor();
  assert.deepEqual(await errorTexts(page), []);
  assert.equal(await train(page).isEnabled(), true);

  // Without the Flatten the first Dense reads the image pixel by pixel: one error, on that Dense.
  await page.getByRole('button', { name: 'Remove Flatten layer 2' }).click();
  await row(page, /^Dense layer 2, 128 units, ReLU, output 28×28×128, 1,152 parameters, 1 problem$/).waitFor();
  await row(page, /^Dense layer 3, 10 units, output 28×28×10, 1,290 parameters$/).waitFor();
  const texts = await errorTexts(page);
  assert.equal(texts.length, 1, String(texts));
  assert.match(texts[0], /^this Dense gets an image \(28, 28, 8\) and works on each pixel's channels, so the model ends in an image \(28, 28, 10\); it must end in 10 outputs per sample \(one per digit\): add a Flatten before it Add Flatten$/);
  assert.equal(await page.locator('#layer-1-err > li').count(), 1);
  assert.equal(await train(page).isDisabled(), true);
  await noPlaceholders(page, 'with a Dense after a Conv2D');
  await page.locator('#layer-1-err').getByRole('button', { name: 'Add Flatten (fix for layer 2)' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'flatten', 'dense', 'dense']);
  await row(page, /^Flatten layer 2, output 6272, 0 parameters$/).waitFor();
  assert.deepEqual(await errorTexts(page), []);
  assert.equal(await train(page).isEnabled(), true);
  assert.match((await page.getByTestId('model-totals').textContent()) ?? '', /Total 804,314 parameters/);

  // An LSTM on the image: the message says what fits instead, and no fix is pretended.
  await row(page, /^Conv2D layer 1,/).click();
  await page.getByRole('button', { name: 'Move Conv2D layer 1 down' }).click(); // Flatten first again
  await row(page, /^Flatten layer 1,/).click();
  await page.getByRole('button', { name: 'Remove Flatten layer 1' }).click();
  await page.getByRole('button', { name: 'Remove Conv2D layer 1' }).click();
  await page.getByRole('button', { name: 'Add LSTM', exact: true }).click();
  assert.deepEqual(await kinds(page), ['dense', 'lstm', 'dense']);
  assert.deepEqual(await errorTexts(page), ['needs a sequence (T, features), got an image (28, 28, 128): use Conv2D on images, or choose a sequence task']);
  assert.equal(await page.getByTestId('fix').count(), 0);
  await noPlaceholders(page, 'with an LSTM on an image');
  assert.deepEqual(errors, []);
  await page.close();
});

test('from an empty stack, palette layers end in a valid model sized to the task; counts read in words', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPreset(app, 'mlp-mnist-small');
  while (await page.locator('ol.layers > li').count()) await page.locator('ol.layers > li').first().getByRole('button', { name: /^Remove / }).click();
  assert.deepEqual(await errorTexts(page), ['the model is empty; it must end in 10 outputs per sample (one per digit) Add Flatten and output layer']);
  await noPlaceholders(page, 'with no layers');
  for (const k of ['Conv2D', 'MaxPool2D', 'Flatten', 'Dense']) await page.getByRole('button', { name: `Add ${k}`, exact: true }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'flatten', 'dense']);
  // The Dense went in last, so it is the output layer: 10 units, no activation (14·14·8 = 1568 inputs).
  await row(page, /^Dense layer 4, 10 units, output 10, 15,690 parameters$/).waitFor();
  assert.deepEqual(await errorTexts(page), []);
  assert.equal(await train(page).isEnabled(), true);
  assert.match((await page.getByTestId('model-totals').textContent()) ?? '', /^Total 15,770 parameters · about [\d.]+ [KMG]iB while training$/);

  // One unit and one parameter are singular; a hidden Dense set to 1 unit before the output.
  await row(page, /^Flatten layer 3,/).click();
  await page.getByRole('button', { name: 'Add Dense', exact: true }).click(); // not last: the palette's 64 ReLU
  await row(page, /^Dense layer 4, 64 units, ReLU, output 64, 100,416 parameters$/).waitFor();
  await page.getByRole('group', { name: 'Layer 4 settings' }).getByRole('spinbutton', { name: 'Units' }).fill('1');
  await row(page, /^Dense layer 4, 1 unit, ReLU, output 1, 1,569 parameters$/).waitFor();
  await row(page, /^Dense layer 5, 10 units, output 10, 20 parameters$/).waitFor();

  // The output layer made too wide: one error on it, and "Set units to 10" puts it right.
  await row(page, /^Dense layer 5,/).click();
  await page.getByRole('group', { name: 'Layer 5 settings' }).getByRole('spinbutton', { name: 'Units' }).fill('12');
  assert.deepEqual(await errorTexts(page), ['the model must end in 10 outputs per sample (one per digit), but it ends in (12) Set units to 10']);
  await page.getByRole('button', { name: 'Set units to 10 (fix for layer 5)' }).click();
  await row(page, /^Dense layer 5, 10 units, output 10, 20 parameters$/).waitFor();
  assert.equal(await train(page).isEnabled(), true);
  await noPlaceholders(page, 'after the fixes');
  assert.deepEqual(errors, []);
  await page.close();
});

test('Reset clears the run at once; Undo (keyboard, announced) brings back the same session, step and curves', { timeout: 120_000 }, async () => {
  const { page, errors } = await openPreset(app, 'mlp-mnist-small');
  const state = page.getByTestId('run-state');
  const note = page.getByTestId('reset-undo');
  assert.equal(await note.getAttribute('role'), 'status');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await state.filter({ hasText: 'Paused at step 1' }).waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await state.filter({ hasText: 'Paused at step 2' }).waitFor({ timeout: 30_000 });
  await page.getByTestId('train-status').filter({ hasText: /^step 2 · loss \d/ }).waitFor({ timeout: 10_000 });
  const layers = await kinds(page);

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await state.filter({ hasText: 'Idle' }).waitFor();
  assert.equal(await page.getByTestId('train-status').textContent(), 'No steps yet.');
  assert.match((await note.textContent()) ?? '', /^Training reset: weights and curves cleared\. Undo/);
  // Reset is disabled once idle, so the focus moves to Undo; Enter there undoes.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Undo');
  await page.keyboard.press('Enter');
  await state.filter({ hasText: 'Paused at step 2' }).waitFor({ timeout: 10_000 });
  assert.match((await page.getByTestId('train-status').textContent()) ?? '', /^step 2 · loss \d/);
  assert.equal(await note.textContent(), '');
  assert.deepEqual(await kinds(page), layers);
  // The same session goes on: the next step is step 3, not a fresh run's step 1.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await state.filter({ hasText: 'Paused at step 3' }).waitFor({ timeout: 30_000 });

  // A reset that is not undone: the next Step starts a new run at step 1, and Undo is gone.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await note.filter({ hasText: 'Undo' }).waitFor();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await state.filter({ hasText: 'Paused at step 1' }).waitFor({ timeout: 90_000 });
  assert.equal(await note.textContent(), '');
  await noPlaceholders(page, 'after Reset and Undo');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a preset chosen over an edited model: Undo (announced, keyboard) brings back its layers and field values', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPreset(app, 'mlp-mnist-small');
  await row(page, /^Dense layer 2,/).click();
  await page.getByRole('group', { name: 'Layer 2 settings' }).getByRole('spinbutton', { name: 'Units' }).fill('96');
  await row(page, /^Dense layer 2, 96 units, ReLU, output 96, 75,360 parameters$/).waitFor();
  const note = page.getByTestId('preset-undo');
  assert.equal(await note.getAttribute('role'), 'status');
  assert.equal(await note.textContent(), '');
  await page.getByLabel('Preset').selectOption('cnn-mnist-small');
  const swapped = await kinds(page);
  assert.notDeepEqual(swapped, ['flatten', 'dense', 'dense']);
  assert.equal(await note.textContent(), 'Your edited model (from mlp-mnist-small) was replaced by cnn-mnist-small. Undo');
  await page.getByRole('button', { name: 'Undo the preset change' }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await kinds(page), ['flatten', 'dense', 'dense']);
  await row(page, /^Dense layer 2, 96 units, ReLU, output 96, 75,360 parameters$/).waitFor();
  assert.equal(await note.textContent(), '');
  assert.match((await page.getByLabel('Preset').locator('option:checked').textContent()) ?? '', /^Custom \(from mlp-mnist-small\)$/);
  assert.deepEqual(errors, []);
  await page.close();
});
