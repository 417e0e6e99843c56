// "How it works" on the built page: the first dense layer of mlp-mnist shows its real sizes, the
// LSTM's card names its gates, the training card shows the optimizer's numbers, and the page with
// the cards open has no serious or critical axe violations; KaTeX (styles, fonts) passes the CSP.
// Run: E2E_DIST=$PWD/dist node --import tsx --test e2e/how.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { ROOT } from '../scripts/lib/browser.ts';
import { servedApp, watchErrors } from './lib.ts';

const app = servedApp();
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** bypassCSP for the axe scan (an inline script); without it, anything the page's CSP blocks is an error. */
async function open(preset: string, bypassCSP: boolean): Promise<{ page: Page; errors: string[] }> {
  const ctx = await app.browser.newContext({ bypassCSP, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption(preset);
  return { page, errors };
}

const card = (page: Page, layer: number) =>
  page.getByRole('group', { name: `Layer ${layer} settings` }).getByRole('region', { name: 'How it works' });

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  });
}

test('mlp-mnist: the first dense layer\'s card shows W as 1024 × 784; the training card shows Adam\'s numbers, under the page\'s CSP (KaTeX\'s fonts load)', { timeout: 90_000 }, async () => {
  const { page, errors } = await open('mlp-mnist', false);
  await page.getByRole('button', { name: /^Dense layer 2,/ }).click();
  const how = card(page, 2);
  await how.waitFor();
  const text = (await how.textContent()) ?? '';
  assert.match(text, /W is 1024 × 784, so this layer learns 803840 numbers/);
  // KaTeX's MathML carries the TeX source: the formula itself has the sizes.
  const math = await how.locator('annotation[encoding="application/x-tex"]').allTextContents();
  assert.ok(math.some((t) => t.includes('W \\in \\mathbb{R}^{1024 \\times 784}')), math.join('\n'));
  assert.equal(await how.locator('.katex-error').count(), 0);
  await how.getByRole('link', { name: /See this layer live/ }).waitFor();
  await page.getByText('How it works: loss and optimizer').click();
  const train = page.locator('details.how-train');
  assert.match((await train.textContent()) ?? '', /Adam \(β1 = 0\.9, β2 = 0\.999, ε = 1e-8, η = 0\.001\)/);
  assert.match((await train.textContent()) ?? '', /softmax cross-entropy/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('lstm-reverse: the LSTM\'s card names its gates and a conv card draws its window', { timeout: 90_000 }, async () => {
  const { page, errors } = await open('lstm-reverse', true);
  await page.getByRole('button', { name: /^LSTM layer 2,/ }).click();
  const how = card(page, 2);
  await how.waitFor();
  const text = (await how.textContent()) ?? '';
  for (const g of ['input gate', 'forget gate', 'output gate', 'candidate']) assert.ok(text.includes(g), `${g} in ${text}`);
  assert.match(text, /previous state hₜ₋₁ \(64\)/);
  await page.getByLabel('Preset').selectOption('cnn-mnist');
  await page.getByRole('button', { name: /^Conv2D layer 3,/ }).click();
  const conv = card(page, 3);
  await conv.locator('figure.how-window svg').waitFor();
  assert.match((await conv.locator('figcaption').textContent()) ?? '', /A 5 × 5 window sliding over the 12 × 12 input with stride 1, giving 8 × 8 outputs/);
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(errors, []);
  await page.context().close();
});
