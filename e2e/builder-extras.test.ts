// Builder extras in the built page: duplicate a layer, wrap layers in a residual block whose inner
// layers are edited in the inspector (a shape mismatch flagged, then fixed), the diagram drawn
// from the spec with its skip arc, unwrap, and a residual model that trains a step.
// Run: npm test -- e2e/builder-extras
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();

test('duplicate, wrap in a residual, edit inner layers, diagram, unwrap, train', { timeout: 90_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  const row = (re: RegExp) => page.getByRole('button', { name: re });
  const kinds = () => page.locator('ol.layers > li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
  const train = page.getByRole('button', { name: 'Train', exact: true });
  const totals = page.getByTestId('model-totals');

  // Duplicate Dense 128: a second Dense 128 (128·128 + 128 = 16512 parameters) right after it, selected.
  await row(/^Dense layer 2,/).click();
  await page.getByRole('group', { name: 'Layer actions' }).getByRole('button', { name: 'Duplicate' }).click();
  await row(/^Dense layer 3, 128 units, ReLU, output 128, 16,512 parameters$/).waitFor();
  assert.equal(await row(/^Dense layer 3,/).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await kinds(), ['flatten', 'dense', 'dense', 'dense']);
  assert.match((await totals.textContent()) ?? '', /Total 118,282 parameters/);

  // Wrap it: a residual block of one Dense, 128 → 128, same parameters.
  await page.getByRole('button', { name: 'Wrap in residual' }).click();
  await row(/^Residual layer 3, 1 inner layer, output added to input, output 128, 16,512 parameters$/).waitFor();
  assert.deepEqual(await kinds(), ['flatten', 'dense', 'residual', 'dense']);
  const inspector = page.getByRole('group', { name: 'Layer 3 settings' });
  const inner = inspector.getByRole('list', { name: 'Inner layers' }).getByRole('listitem');
  assert.equal(await inner.count(), 1);

  // Inner fields are editable: 64 units no longer match the block's input, flagged on the layer.
  await inner.first().getByRole('spinbutton', { name: 'Units' }).fill('64');
  assert.equal(await train.isDisabled(), true);
  assert.match((await page.locator('#layer-2-err').textContent()) ?? '', /maps \(128\) to \(64\); a residual needs its output shape equal to its input shape/);
  // A second inner Dense back to 128 makes it valid: 128·64+64 + 64·128+128 = 16576 parameters.
  await inspector.getByLabel('Inner layer kind').selectOption('dense');
  await inspector.getByRole('button', { name: 'Add inside' }).click();
  assert.equal(await inner.count(), 2);
  await inner.nth(1).getByRole('spinbutton', { name: 'Units' }).fill('128');
  await row(/^Residual layer 3, 2 inner layers, output added to input, output 128, 16,576 parameters$/).waitFor();
  assert.equal(await train.isEnabled(), true);
  assert.equal(await page.locator('#layer-2-err').count(), 0);

  // The diagram: input, the layers in order, the block's inner layers and the ⊕ with its skip arc.
  const diagram = page.getByTestId('diagram');
  assert.equal(await diagram.getAttribute('aria-label'),
    'Network diagram: Input 28×28×1 → 1. Flatten 784 → 2. Dense 128 → Dense → Dense → add the residual input, 128 → 4. Dense 10');
  assert.equal(await diagram.locator('g[data-kind=add]').count(), 1);
  assert.equal(await diagram.locator('g[data-kind=box]').count(), 6);
  assert.equal(await diagram.locator('g[data-kind=add] path[stroke-dasharray]').count(), 1, 'the skip arc');

  // The residual model trains a step.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: 'Paused at step 1' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Reset', exact: true }).click();

  // Unwrap (the block is still selected) puts the inner layers back in place.
  assert.equal(await row(/^Residual layer 3,/).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Unwrap residual' }).click();
  assert.deepEqual(await kinds(), ['flatten', 'dense', 'dense', 'dense', 'dense']);
  await row(/^Dense layer 3, 64 units, ReLU, output 64, 8,256 parameters$/).waitFor();
  await row(/^Dense layer 4, 128 units, ReLU, output 128, 8,320 parameters$/).waitFor();
  assert.equal(await diagram.locator('g[data-kind=add]').count(), 0);
  // Wrapping two layers at once.
  await page.getByRole('group', { name: 'Layer 3 settings' }).getByRole('spinbutton', { name: 'Layers to wrap' }).fill('2');
  await page.getByRole('button', { name: 'Wrap in residual' }).click();
  await row(/^Residual layer 3, 2 inner layers,/).waitFor();
  assert.deepEqual(await kinds(), ['flatten', 'dense', 'residual', 'dense']);
  assert.deepEqual(errors, []);
  await page.close();
});
