// Your own text for the character models: a plain-text file read in the browser, checked and
// reported before it replaces the built-in text. The char task keeps its fixed alphabet
// (CHAR_ALPHABET, so a model's output layer does not change with the file): the text is lower-cased,
// whitespace runs collapse, and characters outside the alphabet are dropped and counted, so the
// user sees what the model will read. The result feeds `generateTask` as the char task's text.
//
// A spec records the file as `dataset.text` (OwnTextSpec: name, fingerprint, characters), never the
// text, so a link to such a model asks for the file and refuses any other (`textMismatch`).
import { CHAR_ALPHABET, encodeText, generateTask, ownTextNeedsFile, type OwnTextSpec, type TaskData, type TaskDatasetSpec } from './tasks.ts';
import { CSV_LIMITS, fnv1a64 } from './csv.ts';

export const TEXT_LIMITS = { bytes: 5 * 1024 * 1024, minChars: 2000, previewChars: 300, nameLength: CSV_LIMITS.nameLength } as const;
export { ownTextNeedsFile as textNeedsFile };

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
  const why = d.text ? textMismatch(d.text, t) : null;
  if (why) throw new TextUploadError(why);
  if (t.chars < 20 * (d.length + 1)) throw new TextUploadError(`${t.name} has ${t.chars} usable characters, too few for windows of ${d.length + 1}: use a shorter context or a longer text`);
  return generateTask(d, seed, t.text);
}

/** What the spec records of an upload (name, fingerprint, characters read): `dataset.text`. */
export function textSpec(t: TextUpload): OwnTextSpec {
  return { name: t.name.slice(0, TEXT_LIMITS.nameLength), hash: t.hash, chars: t.chars };
}

/** Why an upload cannot stand for the text a model names (another file), or null. */
export function textMismatch(want: OwnTextSpec, t: TextUpload): string | null {
  if (t.hash === want.hash) return null;
  return `this model was trained on ${want.name} (${want.chars.toLocaleString('en-US')} characters, fingerprint ${want.hash}); ${t.name} has fingerprint ${t.hash}, so it is a different text`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field problems of a task's `text` (dataset.text.*), as [path, message] pairs; strict keys. */
export function ownTextIssues(d: Record<string, unknown>): [string, string][] {
  const t = d.text;
  if (t === undefined) return [];
  if (d.name !== 'char') return [['dataset.text', `your own text trains the char task only, not "${String(d.name).slice(0, 40)}"`]];
  if (!isObj(t)) return [['dataset.text', 'must be an object { name, hash, chars }']];
  const out: [string, string][] = [];
  for (const k of Object.keys(t)) if (!['name', 'hash', 'chars'].includes(k)) out.push([`dataset.text.${k}`, `dataset.text: unknown field '${k.slice(0, 40)}'`]);
  if (typeof t.name !== 'string' || t.name.length < 1 || t.name.length > TEXT_LIMITS.nameLength) out.push(['dataset.text.name', `must be the file's name, 1 to ${TEXT_LIMITS.nameLength} characters`]);
  if (typeof t.hash !== 'string' || !/^[0-9a-f]{16}$/.test(t.hash)) out.push(['dataset.text.hash', "must be 16 hexadecimal digits (the text's fnv1a64)"]);
  const c = t.chars;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < TEXT_LIMITS.minChars || c > TEXT_LIMITS.bytes)
    out.push(['dataset.text.chars', `must be an integer between ${TEXT_LIMITS.minChars} and ${TEXT_LIMITS.bytes}, got ${JSON.stringify(c)}`]);
  else if (typeof d.length === 'number' && c < 20 * (d.length + 1))
    out.push(['dataset.text.chars', `${c} characters are too few for windows of ${d.length + 1}: use a shorter context or a longer text`]);
  return out;
}
