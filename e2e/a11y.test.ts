// An axe-core scan of each main view of the built page (no serious or critical violations), and a
// screenshot of each at 1280×800 and 390×844 under test-artifacts/screens/ (look at them).
// axe is injected as an inline script, which the build's CSP forbids: the context bypasses CSP.
// Run: npm test -- e2e/a11y
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Page } from 'playwright';
import { ROOT } from '../scripts/lib/browser.ts';
import { servedApp, watchErrors } from './lib.ts';

const SCREENS = join(ROOT, 'test-artifacts', 'screens');
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

const app = servedApp();
before(() => mkdirSync(SCREENS, { recursive: true }));

async function open(): Promise<{ page: Page; errors: string[] }> {
  const ctx = await app.browser.newContext({ bypassCSP: true, viewport: WIDE });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').waitFor();
  return { page, errors };
}

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] }

/** Serious and critical axe violations of the page as it is now, as readable lines. */
async function scan(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const vs = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: Violation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return vs.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]?.trim() ?? ''})`).join('; ')}`);
}

/** Scans and screenshots at both sizes; the narrow one must not scroll sideways. */
async function check(page: Page, name: string): Promise<void> {
  const found: string[] = [];
  for (const [size, vp] of [['wide', WIDE], ['narrow', NARROW]] as const) {
    await page.setViewportSize(vp);
    await page.waitForTimeout(400); // chart resize observers
    found.push(...(await scan(page)).map((v) => `${size}: ${v}`));
    await page.screenshot({ path: join(SCREENS, `${name}-${size}.png`), fullPage: true });
    if (size === 'narrow') assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), NARROW.width, `${name}: no sideways scrolling`);
  }
  await page.setViewportSize(WIDE);
  assert.deepEqual(found, [], `${name}: serious or critical accessibility violations`);
}

const paused = (page: Page, step: number) =>
  page.getByTestId('run-state').filter({ hasText: `Paused at step ${step}` }).waitFor({ timeout: 90_000 });

test('default page', { timeout: 60_000 }, async () => {
  const { page, errors } = await open();
  await check(page, 'default');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('MNIST model with See inside open after a few steps', { timeout: 150_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('mlp-mnist-small');
  await page.getByRole('button', { name: 'Show inside' }).click();
  const stepBtn = page.getByRole('button', { name: 'Step', exact: true });
  for (let k = 1; k <= 3; k++) {
    await stepBtn.click();
    await paused(page, k);
  }
  await page.getByTestId('weight-tiles').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=confusion][data-step="3"]').waitFor({ timeout: 60_000 });
  await page.getByTestId('norms').waitFor({ timeout: 30_000 });
  await check(page, 'mnist-inside');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('CNN preset with the feature maps of a test image', { timeout: 180_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('cnn-mnist-small');
  await page.getByRole('list', { name: 'First training images' }).waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page, 1);
  await page.getByRole('group', { name: 'Feature maps', exact: true }).waitFor({ timeout: 30_000 });
  await check(page, 'cnn-features');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('transformer preset with the inspector and attention maps', { timeout: 150_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('transformer-reverse');
  await page.getByRole('button', { name: /^Transformer layer \d+,/ }).click();
  await page.getByRole('group', { name: /^Layer \d+ settings$/ }).getByRole('spinbutton', { name: 'Heads' }).waitFor();
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page, 1);
  await page.getByRole('group', { name: 'Attention weights' }).or(page.getByText(/Attention weights are not available/)).first().waitFor({ timeout: 30_000 });
  await check(page, 'transformer');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('character model page', { timeout: 150_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('lstm-char');
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page, 1);
  await page.getByRole('group', { name: 'LSTM activations' }).waitFor({ timeout: 30_000 });
  await page.getByRole('group', { name: 'Generate text' }).getByRole('button', { name: 'Generate' }).click();
  await page.getByTestId('generated-text').filter({ hasText: /\S{3}/ }).waitFor({ timeout: 30_000 });
  await check(page, 'char-model');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('playground model paused after training: boundary, unit pictures in the diagram, prediction rows', { timeout: 150_000 }, async () => {
  const { page, errors } = await open();
  await page.getByLabel('Preset').selectOption('playground-spiral');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('region', { name: 'Predictions' }).getByTestId('prediction-feature-rows').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: /Paused at step/ }).waitFor({ timeout: 30_000 });
  await check(page, 'playground');
  assert.deepEqual(errors, []);
  await page.context().close();
});
