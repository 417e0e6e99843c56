// Block templates and multi-selection in the built page: from an empty model, Conv → ReLU → Pool × 2
// then Flatten and Dense 10 (28×28×1 → 7×7×8 → 392 → 10, 4,594 parameters); Shift-click two layers
// and wrap them (a pooling block changes the shape: flagged, Train disabled), a refused wrap of a
// Ctrl-click selection with a gap, bulk duplicate and remove, and a Shift+↑ run wrapped validly.
// Run: npm test -- e2e/builder-blocks
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

const kinds = (page: Page) => page.locator('ol.layers > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
const row = (page: Page, re: RegExp) => page.getByRole('button', { name: re });

test('insert blocks × N, multi-select, wrap, duplicate and remove a selection', { timeout: 90_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  const train = page.getByRole('button', { name: 'Train', exact: true });
  const totals = page.getByTestId('model-totals');
  const summary = page.getByRole('group', { name: 'Selected layers' });
  while (await page.locator('ol.layers > li').count()) await page.locator('ol.layers > li').first().getByRole('button', { name: /^Remove / }).click();
  await page.getByText('No layers yet').waitFor();

  // Conv → ReLU → Pool × 2 with the mouse: four ordinary layers, selected together.
  const blocks = page.getByRole('group', { name: 'Add block' });
  await blocks.getByRole('spinbutton', { name: 'Repeat ×' }).fill('2');
  await blocks.getByRole('button', { name: 'Insert Conv → ReLU → Pool × 2' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d']);
  assert.equal(await summary.getByRole('heading').textContent(), '4 layers selected');
  assert.equal(await page.getByRole('checkbox', { checked: true }).count(), 4);

  // Flatten and Dense 10 after them (each new layer is selected, the next goes after it).
  await page.getByRole('button', { name: 'Add Flatten', exact: true }).click();
  await page.getByRole('button', { name: 'Add Dense', exact: true }).click();
  const dense = page.getByRole('group', { name: 'Layer 6 settings' });
  await dense.getByRole('spinbutton', { name: 'Units' }).fill('10');
  await dense.getByLabel('Activation').selectOption('none');
  assert.equal(await page.getByTestId('input-shape').textContent(), '28×28×1');
  // 3·3·1·8 + 8 = 80; 3·3·8·8 + 8 = 584; 7·7·8 = 392 inputs · 10 + 10 = 3930.
  await row(page, /^Conv2D layer 1, 8 filters 3×3, stride 1, same, ReLU, output 28×28×8, 80 parameters$/).waitFor();
  await row(page, /^MaxPool2D layer 2, 2×2, stride 2, output 14×14×8, 0 parameters$/).waitFor();
  await row(page, /^Conv2D layer 3, 8 filters 3×3, stride 1, same, ReLU, output 14×14×8, 584 parameters$/).waitFor();
  await row(page, /^MaxPool2D layer 4, 2×2, stride 2, output 7×7×8, 0 parameters$/).waitFor();
  await row(page, /^Flatten layer 5, output 392, 0 parameters$/).waitFor();
  await row(page, /^Dense layer 6, 10 units, output 10, 3,930 parameters$/).waitFor();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'flatten', 'dense']);
  assert.match((await totals.textContent()) ?? '', /Total 4,594 parameters/);
  assert.equal(await train.isEnabled(), true);

  // Shift-click layers 3 and 4, wrap: conv + pool maps 14×14×8 to 7×7×8, which a residual cannot add.
  await row(page, /^Conv2D layer 3,/).click();
  await row(page, /^MaxPool2D layer 4,/).click({ modifiers: ['Shift'] });
  assert.equal(await summary.getByRole('heading').textContent(), '2 layers selected');
  assert.equal(await row(page, /^Conv2D layer 3,/).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('checkbox', { name: 'Select MaxPool2D layer 4' }).isChecked(), true);
  assert.equal(await page.getByRole('checkbox', { name: 'Select Conv2D layer 1' }).isChecked(), false);
  await summary.getByRole('button', { name: 'Wrap selected in residual' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'residual', 'flatten', 'dense']);
  await row(page, /^Residual layer 3, 2 inner layers, output added to input, output 14×14×8, 584 parameters, 1 problem$/).waitFor();
  assert.equal(await page.locator('#layer-2-err').textContent(),
    'the residual block at layer 3 (conv2d → maxpool2d) maps (14, 14, 8) to (7, 7, 8); a residual needs its output shape equal to its input shape');
  assert.equal(await train.isDisabled(), true);
  await page.getByRole('button', { name: 'Unwrap residual' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'flatten', 'dense']);
  assert.equal(await train.isEnabled(), true);

  // Ctrl/⌘-click builds a selection with a gap: wrapping it is refused, with the reason, and nothing changes.
  await row(page, /^Conv2D layer 1,/).click();
  await row(page, /^Conv2D layer 3,/).click({ modifiers: ['ControlOrMeta'] });
  assert.equal(await summary.getByRole('heading').textContent(), '2 layers selected');
  await summary.getByRole('button', { name: 'Wrap selected in residual' }).click();
  assert.equal(await summary.getByRole('alert').textContent(),
    'A residual block wraps consecutive layers: layers 1 and 3 are not one run (layer 2 is not selected).');
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'flatten', 'dense']);

  // Duplicate layers 3–4 (the checkbox adds layer 4): a third conv block, 7×7 → 3×3, so the Dense sees 72 inputs.
  await row(page, /^Conv2D layer 3,/).click();
  await page.getByRole('checkbox', { name: 'Select MaxPool2D layer 4' }).check();
  await summary.getByRole('button', { name: 'Duplicate selected' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'flatten', 'dense']);
  await row(page, /^Conv2D layer 5, .*output 7×7×8, 584 parameters$/).waitFor();
  await row(page, /^Flatten layer 7, output 72, 0 parameters$/).waitFor();
  await row(page, /^Dense layer 8, 10 units, output 10, 730 parameters$/).waitFor();
  assert.match((await totals.textContent()) ?? '', /Total 1,978 parameters/); // 80 + 584 + 584 + 730
  // The copies are selected: remove them again.
  assert.equal(await summary.getByRole('heading').textContent(), '2 layers selected');
  await summary.getByRole('button', { name: 'Remove selected' }).click();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'conv2d', 'maxpool2d', 'flatten', 'dense']);
  assert.match((await totals.textContent()) ?? '', /Total 4,594 parameters/);

  // A run that keeps its shape: Conv2D 3 + a BatchNorm after it, selected by Shift+↑ from the BatchNorm row.
  await row(page, /^Conv2D layer 3,/).click();
  await page.getByRole('button', { name: 'Add BatchNorm', exact: true }).click();
  await row(page, /^BatchNorm layer 4, momentum 0\.1, output 14×14×8, 16 parameters$/).focus();
  await page.keyboard.press('Shift+ArrowUp');
  assert.equal(await summary.getByRole('heading').textContent(), '2 layers selected');
  assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^Conv2D layer 3,/);
  await summary.getByRole('button', { name: 'Wrap selected in residual' }).click();
  await row(page, /^Residual layer 3, 2 inner layers, output added to input, output 14×14×8, 600 parameters$/).waitFor();
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'residual', 'maxpool2d', 'flatten', 'dense']);
  assert.equal(await page.locator('.layer.invalid').count(), 0);
  assert.equal(await train.isEnabled(), true);

  // By keyboard: Conv → BN → ReLU × 1 after the selected residual (3·3·8·8 + 8 + 2·8 = 600 more).
  await blocks.getByRole('spinbutton', { name: 'Repeat ×' }).fill('1');
  await blocks.getByRole('button', { name: 'Insert Conv → BN → ReLU × 1' }).focus();
  await page.keyboard.press('Enter');
  assert.deepEqual(await kinds(page), ['conv2d', 'maxpool2d', 'residual', 'conv2d', 'batchnorm', 'activation', 'maxpool2d', 'flatten', 'dense']);
  await row(page, /^Activation layer 6, ReLU, output 14×14×8, 0 parameters$/).waitFor();
  assert.match((await totals.textContent()) ?? '', /Total 5,210 parameters/); // 80 + 600 + 600 + 3930
  assert.deepEqual(errors, []);
  await page.close();
});
