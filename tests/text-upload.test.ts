// Your own text in the spec: `dataset.text` records the file's name, fingerprint and size (never the
// text), the validator bounds every field and refuses unknown ones, a share link carries it and
// nothing of the text, and a model whose text is missing or differs says which file it needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateSpec } from '../kernels/model/validate.ts';
import { decodeShare, encodeShare } from '../app/share/codec.ts';
import { PRESETS } from '../kernels/model/presets.ts';
import type { ModelSpec, TaskDatasetSpec } from '../kernels/model/types.ts';
import { readFileSync } from 'node:fs';
import { CHAR_TEXT_FILE, generateTask } from '../kernels/data/tasks.ts';
import { readTextUpload, textMismatch, textSpec, textTaskData, TEXT_LIMITS, TextUploadError } from '../kernels/data/text-upload.ts';

// The opening of Lincoln's Gettysburg Address (public domain), repeated with a numbered variation.
const GETTYSBURG = 'Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure.';
const speech = (variant: string) => Array.from({ length: 12 }, (_, i) => `${GETTYSBURG} (${variant} ${i + 1})`).join('\n\n');

const charModel = (dataset: TaskDatasetSpec): ModelSpec => ({ ...structuredClone(PRESETS['lstm-char'].spec), dataset });
const issues = (dataset: TaskDatasetSpec) => validateSpec(charModel(dataset)).errors.map((e) => `${e.path}: ${e.message}`);

test('dataset.text: the upload is recorded by name, fingerprint and size, and the validator accepts it', () => {
  const t = readTextUpload(speech('take'), 'gettysburg.txt');
  const rec = textSpec(t);
  assert.deepEqual(Object.keys(rec).sort(), ['chars', 'hash', 'name']);
  assert.equal(rec.name, 'gettysburg.txt');
  assert.match(rec.hash, /^[0-9a-f]{16}$/);
  assert.equal(rec.chars, t.chars);
  assert.ok(rec.chars > 3000 && rec.chars < 4000, String(rec.chars));
  const d: TaskDatasetSpec = { kind: 'task', name: 'char', length: 32, trainSize: 400, testSize: 40, text: rec };
  assert.deepEqual(issues(d), []);
});

test('dataset.text: every field bounded, unknown keys and other tasks refused, each by its path', () => {
  const base: TaskDatasetSpec = { kind: 'task', name: 'char', length: 32, text: { name: 'a.txt', hash: '0123456789abcdef', chars: 5000 } };
  const bad = (patch: Record<string, unknown>, want: RegExp) => {
    const d = { ...base, text: { ...base.text, ...patch } } as TaskDatasetSpec;
    const e = issues(d);
    assert.equal(e.length, 1, e.join('; '));
    assert.match(e[0], want);
  };
  bad({ name: '' }, /^dataset\.text\.name: must be the file's name, 1 to 120 characters$/);
  bad({ name: 'x'.repeat(121) }, /^dataset\.text\.name: /);
  bad({ hash: 'ABCDEF0123456789' }, /^dataset\.text\.hash: must be 16 hexadecimal digits/);
  bad({ hash: '0123' }, /^dataset\.text\.hash: /);
  bad({ chars: TEXT_LIMITS.minChars - 1 }, /^dataset\.text\.chars: must be an integer between 2000 and 5242880, got 1999$/);
  bad({ chars: TEXT_LIMITS.bytes + 1 }, /^dataset\.text\.chars: must be an integer between 2000 and 5242880, got 5242881$/);
  bad({ chars: 2500.5 }, /^dataset\.text\.chars: /);
  bad({ text: 'the whole text smuggled in' }, /^dataset\.text\.text: dataset\.text: unknown field 'text'$/);
  // Enough characters for the file limit, too few for 20 windows of a long context.
  const long = issues({ ...base, length: 200, text: { ...base.text!, chars: 3000 } });
  assert.deepEqual(long, ['dataset.text.chars: 3000 characters are too few for windows of 201: use a shorter context or a longer text']);
  assert.deepEqual(issues({ ...base, text: 'a.txt' as never }), ['dataset.text: must be an object { name, hash, chars }']);
  const copy = validateSpec({ ...charModel(base), dataset: { kind: 'task', name: 'copy', length: 5, text: base.text } }).errors.map((e) => `${e.path}: ${e.message}`);
  assert.ok(copy.includes('dataset.text: your own text trains the char task only, not "copy"'), copy.join('; '));
});

test('a share link carries dataset.text (and never the text) and reopens it unchanged', async () => {
  const raw = speech('link');
  const t = readTextUpload(raw, 'gettysburg.txt');
  const s = charModel({ kind: 'task', name: 'char', length: 32, trainSize: 400, testSize: 40, text: textSpec(t) });
  const link = await encodeShare(s);
  const r = await decodeShare(link);
  assert.equal(r.kind, 'ok', r.kind === 'error' ? r.errors.join('; ') : '');
  if (r.kind === 'ok') assert.deepEqual(r.spec, s);
  // The link is compressed; its size is the spec's, far below the 3.5 KB of text.
  assert.ok(link.length < 1000, `link of ${link.length} characters`);
  // A link whose text record was edited out of bounds is refused, naming the field.
  const bad = await decodeShare(await encodeShare({ ...s, dataset: { ...s.dataset, text: { ...textSpec(t), chars: 12 } } as TaskDatasetSpec }));
  assert.equal(bad.kind, 'error');
  if (bad.kind === 'error') assert.match(bad.errors.join('; '), /^your text file: chars must be an integer between 2000 and 5242880, got 12$/);
});

test('another file is refused by name and fingerprint; without its file the model asks for it', () => {
  const mine = readTextUpload(speech('take'), 'gettysburg.txt');
  const other = readTextUpload(speech('draft'), 'draft.txt');
  const d: TaskDatasetSpec = { kind: 'task', name: 'char', length: 16, trainSize: 300, testSize: 30, text: textSpec(mine) };
  assert.equal(textMismatch(d.text!, mine), null);
  const why = textMismatch(d.text!, other);
  assert.equal(why, `this model was trained on gettysburg.txt (${mine.chars.toLocaleString('en-US')} characters, fingerprint ${mine.hash}); draft.txt has fingerprint ${other.hash}, so it is a different text`);
  assert.throws(() => textTaskData(d, other, 1), (e: unknown) => e instanceof TextUploadError && e.message === why);
  // The right file trains: windows of its own text.
  const ok = textTaskData(d, mine, 1);
  assert.equal(ok.train.n, 300);
  assert.match(ok.info.description, /on your own text gettysburg\.txt/);
  // The generator itself refuses any other text (the built-in one, when a trainer fetches it).
  const needs = `This model was trained on your own text file gettysburg.txt (${mine.chars.toLocaleString('en-US')} characters, fingerprint ${mine.hash}), which never left that browser. Choose the same file to train it.`;
  assert.throws(() => generateTask(d, 1, other.text), (e: unknown) => e instanceof Error && e.message === needs);
  assert.throws(() => generateTask(d, 1), (e: unknown) => e instanceof Error && e.message === needs);
  // What a trainer given no data reads, the built-in text, is refused the same way.
  const builtIn = readFileSync(new URL('../public/' + CHAR_TEXT_FILE, import.meta.url), 'utf8');
  assert.throws(() => generateTask(d, 1, builtIn), (e: unknown) => e instanceof Error && e.message === needs);
});

test('a session of a char model of your own text, given no data, asks for that file', async () => {
  const { createSession } = await import('../kernels/train/session.ts');
  const t = readTextUpload(speech('take'), 'gettysburg.txt');
  const spec = charModel({ kind: 'task', name: 'char', length: 16, trainSize: 300, testSize: 30, text: textSpec(t) });
  await assert.rejects(createSession(spec, { backend: 'cpu', onEvent: () => {} }), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^This model was trained on your own text file gettysburg\.txt \([\d,]+ characters, fingerprint [0-9a-f]{16}\), which never left that browser\. Choose the same file to train it\.$/);
    return true;
  });
  // With the file's windows as its data, the same spec trains.
  const s = await createSession(spec, { backend: 'cpu', onEvent: () => {}, data: textTaskData(spec.dataset as TaskDatasetSpec, t, spec.seed), maxSteps: 2 });
  await s.start();
  assert.equal(s.step, 2);
  await s.dispose();
});
