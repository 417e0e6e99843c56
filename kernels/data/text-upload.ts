// Your own text for the character models: a plain-text file read in the browser, checked and
// reported before it replaces the built-in text. The char task keeps its fixed alphabet
// (CHAR_ALPHABET, so a model's output layer does not change with the file): the text is lower-cased,
// whitespace runs collapse, and characters outside the alphabet are dropped and counted, so the
// user sees what the model will read. The result feeds `generateTask` as the char task's text.
import { CHAR_ALPHABET, encodeText, generateTask, type TaskData, type TaskDatasetSpec } from './tasks.ts';
import { fnv1a64 } from './csv.ts';

export const TEXT_LIMITS = { bytes: 5 * 1024 * 1024, minChars: 2000, previewChars: 300 } as const;

export class TextUploadError extends Error {}

export interface TextUpload {
  name: string;
  hash: string; // fnv1a64 of the text as given
  text: string; // as given (the BOM removed); the task encodes it
  chars: number; // characters the model will read (after lower-casing and dropping)
  dropped: { char: string; count: number }[]; // characters outside the alphabet, most frequent first
  vocabulary: { char: string; count: number }[]; // the alphabet's characters in the text, most frequent first
  preview: string; // the start of the text as the model sees it
}

const show = (c: string) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === ' ' ? '␠' : c);

/** Reads and checks a text file; throws a TextUploadError naming the line or the limit. */
export function readTextUpload(raw: string, name: string): TextUpload {
  const bytes = new TextEncoder().encode(raw).length;
  if (bytes > TEXT_LIMITS.bytes) throw new TextUploadError(`${name} is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the limit of ${TEXT_LIMITS.bytes / 1024 / 1024} MiB`);
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  if (text.trim() === '') throw new TextUploadError(`${name} is empty`);
  // A NUL or the replacement character means a binary file (or one that is not UTF-8).
  const bad = text.search(/[\u0000\uFFFD]/);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new TextUploadError(`${name} does not look like UTF-8 text: line ${line} holds ${text[bad] === '\u0000' ? 'a NUL byte' : 'bytes that are not UTF-8'}`);
  }
  const ids = encodeText(text);
  if (ids.length < TEXT_LIMITS.minChars)
    throw new TextUploadError(`${name} has ${ids.length} usable characters (letters, digits aside, and ${JSON.stringify(CHAR_ALPHABET.replace(/[a-z\n]/g, ''))}), fewer than the ${TEXT_LIMITS.minChars} needed to train and test on`);
  const counts = new Map<string, number>(), dropped = new Map<string, number>();
  for (const ch of text.toLowerCase()) {
    if (CHAR_ALPHABET.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    else if (!/\s/.test(ch)) dropped.set(ch, (dropped.get(ch) ?? 0) + 1);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, count]) => ({ char: show(c), count }));
  return {
    name, hash: fnv1a64(text), text, chars: ids.length, dropped: sorted(dropped), vocabulary: sorted(counts),
    preview: Array.from(ids.subarray(0, TEXT_LIMITS.previewChars), (i) => CHAR_ALPHABET[i]).join(''),
  };
}

/** The char task's splits from an uploaded text (train from its first 90%, test from the rest). */
export function textTaskData(d: TaskDatasetSpec, t: TextUpload, seed: number): TaskData {
  if (d.name !== 'char') throw new TextUploadError(`an uploaded text trains the char task, not "${d.name}"`);
  if (t.chars < 20 * (d.length + 1)) throw new TextUploadError(`${t.name} has ${t.chars} usable characters, too few for windows of ${d.length + 1}: use a shorter context or a longer text`);
  return generateTask(d, seed, t.text);
}
