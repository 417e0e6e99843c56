// The data preview under the dataset settings (MNIST digits with their labels; a sequence task's
// examples, following its settings) and the feature maps of a chosen test image in "See inside",
// in the built page. Run: npm test -- e2e/data-preview
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright';
import { openPreset, servedApp } from './lib.ts';

const app = servedApp();

const open = (preset: string) => openPreset(app, preset);

/** Per canvas: the red channel's min, max and a position-weighted checksum (to tell images apart). */
const pixels = (canvases: Locator) => canvases.evaluateAll((cs) => cs.map((c) => {
  const cv = c as HTMLCanvasElement;
  const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
  let lo = 255, hi = 0, sum = 0;
  for (let i = 0; i < d.length; i += 4) {
    lo = Math.min(lo, d[i]);
    hi = Math.max(hi, d[i]);
    sum += d[i] * ((i >> 2) % 97 + 1);
  }
  return { lo, hi, sum };
}));

test('MNIST: the first training and test images, labelled as in the idx files', { timeout: 60_000 }, async () => {
  const { page, errors } = await open('mlp-mnist-small');
  const train = page.getByRole('list', { name: 'First training images' });
  await train.waitFor({ timeout: 20_000 });
  const items = train.getByRole('listitem');
  assert.equal(await items.count(), 24);
  const labels = await items.evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-label'))));
  assert.deepEqual(labels.slice(0, 10), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.equal(await items.nth(3).getByRole('img').getAttribute('aria-label'), 'Training image 3: a 1');
  assert.equal((await items.nth(0).textContent())?.trim(), '5');
  // Each canvas holds a digit: black background, white strokes, a digit's worth of ink.
  const px = await pixels(train.locator('canvas'));
  assert.ok(px.every((p) => p.lo === 0 && p.hi > 200), JSON.stringify(px.slice(0, 3)));
  assert.equal(new Set(px.map((p) => p.sum)).size, 24, 'every image differs');

  await page.getByLabel('Split', { exact: true }).selectOption('test');
  const test = page.getByRole('list', { name: 'First test images' });
  await test.waitFor({ timeout: 20_000 });
  const testLabels = await test.getByRole('listitem').evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-label'))));
  assert.deepEqual(testLabels.slice(0, 10), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  assert.equal(await test.getByRole('img').first().getAttribute('aria-label'), 'Test image 0: a 7');
  assert.deepEqual(errors, []);
  await page.close();
});

interface Example { input: string[]; target: string[] }
async function examples(page: Page, task: string): Promise<Example[]> {
  const list = page.locator(`[data-testid=task-examples][data-task=${task}]`);
  await list.waitFor({ timeout: 10_000 });
  return list.getByRole('listitem').evaluateAll((ls) => ls.map((l) => ({
    input: (l.querySelector('.seq-in')!.textContent ?? '').split(' '),
    target: (l.querySelector('.seq-out')!.textContent ?? '').split(' '),
  })));
}

test('sequence tasks: examples follow the task and its settings', { timeout: 60_000 }, async () => {
  const { page, errors } = await open('lstm-reverse');
  const rev = await examples(page, 'reverse');
  assert.equal(rev.length, 5);
  for (const e of rev) {
    // Input: 5 symbols, the separator, 4 blanks; target: the symbols backwards.
    assert.equal(e.input.length, 10, e.input.join(' '));
    assert.equal(e.input[5], '|');
    assert.ok(e.input.slice(0, 5).every((c) => /^[a-h]$/.test(c)), e.input.join(' '));
    assert.deepEqual(e.target, e.input.slice(0, 5).reverse());
  }
  const settings = page.locator('.task-settings');
  assert.match((await settings.textContent()) ?? '', /10 tokens: _ a b c d e f g h \|.*8,000 training, 500 test · seed \d+/);

  // Length 7: longer examples, still reversed; different sequences.
  await page.getByLabel('Sequence length').fill('7');
  await page.locator('[data-testid=task-examples] li .seq-out').first().filter({ hasText: /^(\S+ ){6}\S+$/ }).waitFor({ timeout: 10_000 });
  const rev7 = await examples(page, 'reverse');
  for (const e of rev7) {
    assert.equal(e.input.length, 14);
    assert.deepEqual(e.target, e.input.slice(0, 7).reverse());
  }
  // 3 symbols: only a, b, c appear.
  await page.getByLabel('Symbols', { exact: true }).fill('3');
  await page.locator('.task-settings').filter({ hasText: '5 tokens: _ a b c |' }).waitFor({ timeout: 10_000 });
  const abc = await examples(page, 'reverse');
  assert.ok(abc.every((e) => e.input.slice(0, 7).every((c) => /^[abc]$/.test(c))), JSON.stringify(abc));

  // Sort and addition, checked from the inputs.
  await page.getByLabel('Dataset', { exact: true }).selectOption('sort');
  for (const e of await examples(page, 'sort')) assert.deepEqual(e.target, e.input.slice(0, 5).sort());
  await page.getByLabel('Dataset', { exact: true }).selectOption('addition');
  for (const e of await examples(page, 'addition')) {
    // "a2 a1 a0 + b2 b1 b0 = _ _ _": the sum's digits least significant first.
    const a = Number(e.input.slice(0, 3).join('')), b = Number(e.input.slice(4, 7).join(''));
    assert.equal(Number([...e.target].reverse().join('')), a + b, e.input.join(' '));
  }
  // Char: windows of the text (fetched once), the target the input shifted by one character.
  await page.getByLabel('Dataset', { exact: true }).selectOption('char');
  const list = page.locator('[data-testid=task-examples][data-task=char]');
  await list.waitFor({ timeout: 10_000 });
  const chars = await list.getByRole('listitem').evaluateAll((ls) => ls.map((l) => [l.querySelector('.seq-in')!.textContent!, l.querySelector('.seq-out')!.textContent!]));
  assert.equal(chars.length, 5);
  for (const [x, y] of chars) {
    assert.equal([...x].length, 32);
    assert.equal([...x].slice(1).join(''), [...y].slice(0, -1).join(''));
  }
  // Sine: the wave drawn with its forecast point.
  await page.getByLabel('Dataset', { exact: true }).selectOption('sine');
  await page.locator('[data-testid=task-examples][data-task=sine]').waitFor();
  assert.equal(await page.locator('.task-example svg circle').count(), 5);
  assert.match((await page.locator('.task-example svg').first().getAttribute('aria-label')) ?? '', /20 values of a sine wave/);
  assert.deepEqual(errors, []);
  await page.close();
});

async function paused(page: Page): Promise<void> {
  // Loading MNIST and compiling the CNN on a software GPU: about 30 s on an idle machine.
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 150_000 }).catch(async (e: Error) => {
    throw new Error(`${e.message}\nrun state: ${await page.getByTestId('run-state').textContent()}`);
  });
}

test('CNN: feature maps of the chosen test image, one per channel', { timeout: 240_000 }, async () => {
  const { page, errors } = await open('cnn-mnist-small');
  await page.getByRole('button', { name: 'Show inside' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await paused(page);
  const img = page.getByTestId('feature-image');
  await img.waitFor({ timeout: 60_000 });
  assert.equal(await img.getAttribute('aria-label'), 'Test image 0: a 7');
  const l0 = page.getByTestId('features-0'), l1 = page.getByTestId('features-1');
  assert.equal(await l0.getAttribute('data-channels'), '8');
  assert.equal(await l0.locator('canvas').count(), 8);
  assert.equal(await l1.locator('canvas').count(), 16);
  assert.match((await l0.textContent()) ?? '', /Layer 1 · Conv2D 8 filters 3×3, stride 2: 14×14, 8 channels/);
  const a = await pixels(l0.locator('canvas'));
  // Not constant: most maps have light and dark cells (ReLU zeros are white, 255).
  assert.ok(a.filter((p) => p.hi - p.lo > 40).length >= 4, JSON.stringify(a));

  await page.getByLabel('Test image', { exact: true }).fill('1');
  await page.locator('[data-testid=feature-image][data-index="1"]').waitFor({ timeout: 30_000 });
  assert.equal(await img.getAttribute('aria-label'), 'Test image 1: a 2');
  const b = await pixels(l0.locator('canvas'));
  assert.equal(b.length, 8);
  assert.ok(b.filter((p, i) => p.sum !== a[i].sum).length >= 4, 'another image, other maps');
  assert.deepEqual(errors, []);
  await page.close();
});
