// Your own text for the character models, in the built page: a bad file (empty, over the size
// limit) is refused with its reason and the dataset in use stays; a real English text is previewed
// as the model reads it, trains the char model, and is named (never carried) by the link; a link to
// such a model asks for the file and refuses another.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeShare } from '../app/share/codec.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { encodeText, CHAR_ALPHABET } from '../kernels/data/tasks.ts';
import { readTextUpload, textSpec } from '../kernels/data/text-upload.ts';
import { linkSpec, openApp, servedApp } from './lib.ts';

const app = servedApp();

// Lincoln's Gettysburg Address (1863, public domain), its sentences rotated in each repetition.
const ADDRESS = [
  'Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal.',
  'Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure.',
  'We are met on a great battle-field of that war.',
  'We have come to dedicate a portion of that field, as a final resting place for those who here gave their lives that that nation might live.',
  'It is altogether fitting and proper that we should do this.',
  'But, in a larger sense, we can not dedicate -- we can not consecrate -- we can not hallow -- this ground.',
  'The brave men, living and dead, who struggled here, have consecrated it, far above our poor power to add or detract.',
  'The world will little note, nor long remember what we say here, but it can never forget what they did here.',
];
const speech = (copies: number, title = 'The Address') =>
  `${title}\n\n` + Array.from({ length: copies }, (_, i) => [...ADDRESS.slice(i % ADDRESS.length), ...ADDRESS.slice(0, i % ADDRESS.length)].join(' ')).join('\n\n');
const readAs = (raw: string) => Array.from(encodeText(raw), (i) => CHAR_ALPHABET[i]).join('');

const open = (hash = '') => openApp(app, hash);

const textOf = (s: ModelSpec) => (s.dataset.kind === 'task' ? s.dataset.text : undefined);

test('your own text: bad files are refused and change nothing; a real text is previewed, used, named by the link, and trains', { timeout: 240_000 }, async () => {
  const { page, errors } = await open('#preset=lstm-char');
  const before = await linkSpec(page, (s) => s.name === 'lstm-char', 'lstm-char preset');
  const file = page.getByLabel(/^Your own text \(a plain-text file/);
  const alert = page.getByRole('alert');
  // Empty: refused by name.
  await file.setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.from('  \n') });
  await alert.filter({ hasText: 'empty.txt is empty. The dataset in use is unchanged.' }).waitFor();
  // Over the size limit: refused naming the limit.
  await file.setInputFiles({ name: 'huge.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 'a') });
  await alert.filter({ hasText: 'huge.txt is 5.0 MiB, over the limit of 5 MiB. The dataset in use is unchanged.' }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual((await linkSpec(page, () => true, 'spec')).dataset, before.dataset, 'the built-in text stays');

  // A real text: previewed as the model reads it, with what it drops counted.
  const raw = speech(6);
  const expected = readTextUpload(raw, 'gettysburg.txt');
  assert.ok(expected.chars >= 2000, `${expected.chars} characters`);
  await file.setInputFiles({ name: 'gettysburg.txt', mimeType: 'text/plain', buffer: Buffer.from(raw) });
  const preview = page.getByTestId('text-preview');
  await preview.waitFor();
  const shown = (await preview.textContent()) ?? '';
  assert.equal(shown, readAs(raw).slice(0, 300));
  assert.ok(shown.startsWith('the address\nfour score and seven years ago our fathers brought forth'), shown);
  assert.equal(await page.getByTestId('text-dropped').textContent(), 'No characters are left out.');
  // Not used until asked: the link still names no file.
  assert.equal(textOf(await linkSpec(page, () => true, 'spec')), undefined);
  await page.getByRole('button', { name: 'Use this text' }).click();
  const used = await linkSpec(page, (s) => !!textOf(s), 'dataset.text');
  assert.deepEqual(textOf(used), { name: 'gettysburg.txt', hash: expected.hash, chars: expected.chars });
  assert.doesNotMatch(JSON.stringify(used), /four score/i, 'the text itself is not in the link');

  // A bad file now: refused, and the uploaded text stays in use.
  await file.setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.from('') });
  await alert.filter({ hasText: 'empty.txt is empty' }).waitFor();
  await page.waitForTimeout(500);
  assert.deepEqual(textOf(await linkSpec(page, () => true, 'spec')), textOf(used));
  assert.equal(await preview.textContent(), shown, 'the preview still shows the text in use');

  // It trains on that text: the loss falls and the sampled text continues a passage of it.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const region = page.getByRole('region', { name: 'Predictions' });
  await page.waitForFunction(() => (document.querySelector('[data-testid=sample-continuation]')?.textContent ?? '').length > 0, null, { timeout: 90_000 });
  const prompt = (await region.getByTestId('sample-prompt').textContent()) ?? '';
  assert.ok(readAs(raw).includes(prompt), `the prompt ${JSON.stringify(prompt)} is a passage of the uploaded text`);
  await page.getByRole('status').filter({ hasText: /step \d+ · loss/ }).waitFor({ timeout: 60_000 });
  await page.waitForTimeout(8000);
  console.log(`# own text: ${expected.chars} characters; prompt ${JSON.stringify(prompt)}; sample ${JSON.stringify(await region.getByTestId('sample-continuation').textContent())}; ${await page.getByTestId('train-status').textContent()}`);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('[data-testid=run-state][data-status=paused]').waitFor({ timeout: 20_000 });
  assert.deepEqual(await page.locator('[role=alert]').allTextContents(), ['empty.txt is empty. The dataset in use is unchanged.'], 'no other alert: training ran');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a link to a model of your own text says so, asks for the file, and takes only that file', { timeout: 120_000 }, async () => {
  const raw = speech(6);
  const mine = readTextUpload(raw, 'gettysburg.txt');
  const spec = presetSpec('lstm-char');
  spec.dataset = { kind: 'task', name: 'char', length: 32, trainSize: 400, testSize: 40, text: textSpec(mine) };
  const { page, errors } = await open(`#${await encodeShare(spec)}`);
  await page.getByText(`This model was trained on your own text file gettysburg.txt (${mine.chars.toLocaleString('en-US')} characters, fingerprint ${mine.hash}), which never left that browser. Choose the same file to train it.`).first().waitFor();
  const file = page.getByLabel(/^Your own text \(a plain-text file/);
  await file.setInputFiles({ name: 'other.txt', mimeType: 'text/plain', buffer: Buffer.from(speech(7, 'Another Take')) });
  await page.getByRole('alert').filter({ hasText: /this model was trained on gettysburg\.txt .* other\.txt has fingerprint [0-9a-f]{16}, so it is a different text/ }).waitFor();
  await file.setInputFiles({ name: 'gettysburg.txt', mimeType: 'text/plain', buffer: Buffer.from(raw) });
  await page.getByRole('button', { name: 'Use this text' }).click();
  await page.getByRole('status').filter({ hasText: 'Using gettysburg.txt' }).waitFor();
  assert.equal(await page.getByTestId('text-needs-file').count(), 0, 'no longer asks for the file');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.waitForFunction(() => /Paused at step 1\b|error/i.test(document.querySelector('[data-testid=run-state]')?.textContent ?? ''), null, { timeout: 60_000 });
  assert.match((await page.getByTestId('run-state').textContent()) ?? '', /Paused at step 1\b/, (await page.locator('[role=alert]').allTextContents()).join(' '));
  assert.deepEqual(errors, []);
  await page.context().close();
});
