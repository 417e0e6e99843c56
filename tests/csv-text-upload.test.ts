// Your own text for the character models: checked before use (empty, binary, too short, too big,
// each named), its vocabulary and the characters the fixed alphabet drops reported, and a char task
// generated from it with disjoint train/test windows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAR_ALPHABET, encodeText, sampleSizes } from '../kernels/data/tasks.ts';

const decoded = (raw: string) => Array.from(encodeText(raw), (i) => CHAR_ALPHABET[i]).join('');
import { readTextUpload, TEXT_LIMITS, TextUploadError, textTaskData } from '../kernels/data/text-upload.ts';

const poem = Array.from({ length: 80 }, (_, i) => `Line ${i}: The quick brown fox — jumps over the lazy dog; «again»!`).join('\n');

test('a text file: usable characters counted, dropped ones listed, the preview as the model reads it', () => {
  const t = readTextUpload('\uFEFF' + poem, 'fox.txt');
  assert.equal(t.name, 'fox.txt');
  assert.equal(t.text, poem);
  assert.match(t.hash, /^[0-9a-f]{16}$/);
  // Digits, the em dash and the guillemets fall outside the alphabet.
  assert.deepEqual(t.dropped.map((d) => d.char).sort(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '«', '»', '—'].sort());
  assert.equal(t.dropped.find((d) => d.char === '—')!.count, 80);
  assert.equal(t.vocabulary[0].char, '␠'); // spaces are the most frequent
  // What the char task reads: lower case, single newlines as spaces, the dropped characters gone.
  assert.equal(t.preview, decoded(poem).slice(0, 300));
  assert.ok(t.preview.startsWith('line : the quick brown fox  jumps over the lazy dog; again! line : '), t.preview);
  assert.equal(t.chars, encodeText(poem).length);
  assert.equal(t.chars, 80 * 'line : the quick brown fox  jumps over the lazy dog; again! '.length - 1);
});

test('bad text files are refused with the line or the limit', () => {
  const refused = (raw: string, re: RegExp) => assert.throws(() => readTextUpload(raw, 'x.txt'), (e: unknown) => e instanceof TextUploadError && re.test(e.message));
  refused('', /^x\.txt is empty$/);
  refused(' \n\t\n', /^x\.txt is empty$/);
  refused('hello\nworld\nbad\u0000byte', /^x\.txt does not look like UTF-8 text: line 3 holds a NUL byte$/);
  refused('ok\n\uFFFD', /line 2 holds bytes that are not UTF-8/);
  refused('short text', /^x\.txt has 10 usable characters .* fewer than the 2000 needed/);
  refused('a'.repeat(TEXT_LIMITS.bytes + 1), /^x\.txt is 5\.0 MiB, over the limit of 5 MiB$/);
});

test('the char task trains on the uploaded text: seeded, windows from the text, test after train', () => {
  const t = readTextUpload(poem, 'fox.txt');
  const d = { kind: 'task' as const, name: 'char' as const, length: 16, trainSize: 300, testSize: 50 };
  const a = textTaskData(d, t, 4), b = textTaskData(d, t, 4);
  assert.deepEqual(a.train.inputs, b.train.inputs);
  assert.equal(a.train.n, 300);
  const { inLen } = sampleSizes(a.info);
  const first = Array.from(a.train.inputs.subarray(0, inLen), (i) => CHAR_ALPHABET[i]).join('');
  assert.ok(decoded(poem).includes(first), first);
  assert.throws(() => textTaskData({ ...d, length: 250 }, t, 1), /too few for windows of 251/);
  assert.throws(() => textTaskData({ ...d, name: 'copy' as never }, t, 1), /an uploaded text trains the char task, not "copy"/);
});
