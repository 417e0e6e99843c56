// Toy sequence tasks, generated in code from a seed: copy, reverse, sort, multi-digit addition,
// parity, balanced parentheses, sine-wave forecasting and character-level language modelling.
// Each task declares its vocabulary, shapes, loss and metrics (`taskInfo`, from the spec alone, so
// shape inference needs no data) and generates disjoint train and test splits up front
// (`generateTask`); the session uploads them once and gathers batches on the device.
//
// Layout of one sample: inputs (T) f32 token ids (or (T, 1) values for sine); targets (T) u32
// labels with IGNORE_LABEL where a position does not count, (1) for a class, (D) f32 for regression.
import { IGNORE_LABEL } from '../backend.ts';
import { Rng } from '../rng.ts';
import { fnv1a64 } from './csv.ts';

export const TASK_NAMES = ['copy', 'reverse', 'sort', 'addition', 'parity', 'parens', 'sine', 'char'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface TaskDatasetSpec {
  kind: 'task';
  name: TaskName;
  /** copy/reverse/sort: symbols per sequence; addition: digits per operand; parity/parens: bits or
   * brackets; sine: input steps; char: characters of context. */
  length: number;
  symbols?: number; // copy/reverse/sort: alphabet size (default 8)
  horizon?: number; // sine: values to forecast (default 1)
  trainSize?: number;
  testSize?: number;
  /** char: the user's own text file, named and fingerprinted; the text itself stays in that page. */
  text?: OwnTextSpec;
}

/** What a spec (and so a link) records of an uploaded text: never the text. */
export interface OwnTextSpec {
  name: string; // the file's name, as shown
  hash: string; // fnv1a64 of the text (16 hex digits): the same file is recognised when it returns
  chars: number; // characters the model reads (after lower-casing and dropping)
}

/** What a page or trainer says when a model of your own text arrives without it. */
export function ownTextNeedsFile(t: OwnTextSpec): string {
  return `This model was trained on your own text file ${t.name} (${t.chars.toLocaleString('en-US')} characters, fingerprint ${t.hash}), which never left that browser. Choose the same file to train it.`;
}

export type TaskOutput =
  | { kind: 'tokens'; T: number; V: number } // a label per position (some masked)
  | { kind: 'class'; V: number } // one label per sequence
  | { kind: 'regression'; D: number };

export interface TaskInfo {
  name: string; // a TaskName; playground and CSV datasets describe themselves with this shape too
  inputShape: number[]; // one sample: (T) token ids, or (T, 1) values
  inputVocab: number; // 0 for real-valued inputs
  output: TaskOutput;
  loss: 'softmax_cross_entropy' | 'mse';
  symbols: string[]; // display strings of the input/output tokens
  trainSize: number;
  testSize: number;
  description: string;
}

export interface TaskSplit {
  inputs: Float32Array; // (n, inLen)
  targets: Uint32Array | Float32Array; // (n, outLen)
  n: number;
}
export interface TaskData {
  info: TaskInfo;
  train: TaskSplit;
  test: TaskSplit;
}

/** The character LM's fixed alphabet: the text is lower-cased and other characters dropped. */
export const CHAR_ALPHABET = "\nabcdefghijklmnopqrstuvwxyz .,;:'!?-";
export const CHAR_TEXT_FILE = 'text/shakespeare.txt';

const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i));

export function taskInfo(d: TaskDatasetSpec): TaskInfo {
  const L = d.length;
  const trainSize = d.trainSize ?? 8000, testSize = d.testSize ?? 1000;
  const base = { name: d.name, trainSize, testSize };
  switch (d.name) {
    case 'copy':
    case 'reverse':
    case 'sort': {
      // tokens: 0 blank, 1..S symbols, S+1 separator; input [s1..sL, SEP, blank×(L−1)], answers from the separator on.
      const S = d.symbols ?? 8;
      const V = S + 2;
      return {
        ...base, inputShape: [2 * L], inputVocab: V, output: { kind: 'tokens', T: 2 * L, V }, loss: 'softmax_cross_entropy',
        symbols: ['_', ...Array.from({ length: S }, (_, i) => String.fromCharCode(97 + (i % 26)) + (i >= 26 ? String(i) : '')), '|'],
        description: `${d.name} ${L} symbols of ${S}: read the sequence, then after the separator write it ${d.name === 'copy' ? 'again' : d.name === 'reverse' ? 'backwards' : 'sorted'}`,
      };
    }
    case 'addition': {
      // tokens 0–9 digits, 10 '+', 11 '=', 12 blank; a + b = sum written least-significant digit first.
      const T = 3 * L + 2;
      return {
        ...base, inputShape: [T], inputVocab: 13, output: { kind: 'tokens', T, V: 13 }, loss: 'softmax_cross_entropy',
        symbols: [...digits(10), '+', '=', '_'],
        description: `addition of two ${L}-digit numbers; the ${L + 1}-digit sum is written least-significant digit first after "="`,
      };
    }
    case 'parity':
      return {
        ...base, inputShape: [L], inputVocab: 2, output: { kind: 'class', V: 2 }, loss: 'softmax_cross_entropy',
        symbols: ['0', '1'], description: `parity of ${L} bits (1 if the count of ones is odd)`,
      };
    case 'parens':
      return {
        ...base, inputShape: [L], inputVocab: 2, output: { kind: 'class', V: 2 }, loss: 'softmax_cross_entropy',
        symbols: ['(', ')'], description: `is a string of ${L} brackets balanced? (half are; most others have equal counts)`,
      };
    case 'sine':
      return {
        ...base, inputShape: [L, 1], inputVocab: 0, output: { kind: 'regression', D: d.horizon ?? 1 }, loss: 'mse',
        symbols: [], description: `forecast the next ${d.horizon ?? 1} values of a sine wave from ${L} samples (random amplitude, frequency, phase)`,
      };
    case 'char':
      return {
        ...base, inputShape: [L], inputVocab: CHAR_ALPHABET.length, output: { kind: 'tokens', T: L, V: CHAR_ALPHABET.length },
        loss: 'softmax_cross_entropy', symbols: [...CHAR_ALPHABET],
        description: `character-level language model${d.text ? ` on your own text ${d.text.name}` : ''}: predict each next character from ${L} characters of context`,
      };
  }
}

/** Elements per sample of the inputs and the targets. */
export function sampleSizes(info: TaskInfo): { inLen: number; outLen: number } {
  const inLen = info.inputShape.reduce((a, b) => a * b, 1);
  const o = info.output;
  return { inLen, outLen: o.kind === 'tokens' ? o.T : o.kind === 'class' ? 1 : o.D };
}

/** One sample: input ids/values, targets, and a key that identifies it (for disjointness). */
interface Sample { x: number[]; y: number[]; key: string }

function sampler(d: TaskDatasetSpec, info: TaskInfo, text: string | undefined): (rng: Rng, split: 'train' | 'test') => Sample {
  const L = d.length;
  const I = IGNORE_LABEL;
  switch (d.name) {
    case 'copy':
    case 'reverse':
    case 'sort': {
      const S = d.symbols ?? 8, SEP = S + 1;
      return (rng) => {
        const s = Array.from({ length: L }, () => 1 + (rng.nextU32() % S));
        const ans = d.name === 'copy' ? s : d.name === 'reverse' ? [...s].reverse() : [...s].sort((a, b) => a - b);
        return { x: [...s, SEP, ...new Array(L - 1).fill(0)], y: [...new Array(L).fill(I), ...ans], key: s.join(',') };
      };
    }
    case 'addition':
      return (rng) => {
        const num = () => Array.from({ length: L }, () => rng.nextU32() % 10); // most significant first
        const a = num(), b = num();
        const sum: number[] = [];
        let carry = 0;
        for (let i = L - 1; i >= 0; i--) {
          const v = a[i] + b[i] + carry;
          sum.push(v % 10);
          carry = v >= 10 ? 1 : 0;
        }
        sum.push(carry); // least significant first, L + 1 digits
        return {
          x: [...a, 10, ...b, 11, ...new Array(L).fill(12)],
          y: [...new Array(2 * L + 1).fill(I), ...sum],
          key: `${a.join('')}+${b.join('')}`,
        };
      };
    case 'parity':
      return (rng) => {
        const bits = Array.from({ length: L }, () => rng.nextU32() & 1);
        return { x: bits, y: [bits.reduce((p, q) => p ^ q, 0)], key: bits.join('') };
      };
    case 'parens':
      return (rng) => {
        const balanced = (s: number[]) => {
          let depth = 0;
          for (const c of s) if ((depth += c === 0 ? 1 : -1) < 0) return false;
          return depth === 0;
        };
        const want = rng.next() < 0.5;
        for (;;) {
          // Equal counts, shuffled (hard negatives); 1 in 8 negatives has unequal counts.
          let s: number[];
          if (!want && rng.next() < 0.125) s = Array.from({ length: L }, () => rng.nextU32() & 1);
          else {
            s = [...new Array(L >> 1).fill(0), ...new Array(L - (L >> 1)).fill(1)];
            const p = rng.permutation(L);
            s = Array.from(p, (i) => s[i]);
          }
          if (balanced(s) === want) return { x: s, y: [want ? 1 : 0], key: s.join('') };
        }
      };
    case 'sine': {
      const D = d.horizon ?? 1;
      return (rng) => {
        const A = rng.uniform(0.5, 1), w = rng.uniform(0.2, 0.6), phi = rng.uniform(0, 2 * Math.PI);
        const f = (t: number) => Math.fround(A * Math.sin(w * t + phi));
        return {
          x: Array.from({ length: L }, (_, t) => f(t)),
          y: Array.from({ length: D }, (_, k) => f(L + k)),
          key: `${A},${w},${phi}`,
        };
      };
    }
    case 'char': {
      // A model of your own text trains on that file only: another text (the built-in one) is refused.
      if (d.text && (text === undefined || fnv1a64(text) !== d.text.hash)) throw new Error(ownTextNeedsFile(d.text));
      if (text === undefined) throw new Error('the char task needs its text (public/' + CHAR_TEXT_FILE + ')');
      const ids = encodeText(text);
      if (ids.length < 20 * (L + 1)) throw new Error(`char task: the text has ${ids.length} usable characters, too few for windows of ${L + 1}`);
      // Train windows lie in the first 90% of the text, test windows in the rest: disjoint positions.
      const cut = Math.floor(ids.length * 0.9);
      return (rng, split) => {
        const [lo, hi] = split === 'train' ? [0, cut - L - 1] : [cut, ids.length - L - 1];
        const s = lo + (rng.nextU32() % (hi - lo + 1));
        return { x: Array.from(ids.subarray(s, s + L)), y: Array.from(ids.subarray(s + 1, s + L + 1)), key: `${split}@${s}` };
      };
    }
  }
  void info;
}

/** Text → ids in CHAR_ALPHABET (lower-cased; runs of whitespace become one space, paragraph breaks one newline). */
export function encodeText(text: string): Uint8Array {
  const norm = text.toLowerCase().replace(/\r/g, '').replace(/\n{2,}/g, '\u0000').replace(/\s+/g, ' ').replace(/\u0000/g, '\n');
  const out: number[] = [];
  for (const ch of norm) {
    const i = CHAR_ALPHABET.indexOf(ch);
    if (i >= 0) out.push(i);
  }
  return Uint8Array.from(out);
}

export function decodeTokens(info: TaskInfo, ids: ArrayLike<number>): string {
  return Array.from(ids, (i) => info.symbols[i] ?? '?').join(info.name === 'char' ? '' : ' ');
}

/** Draws n samples of one split in rng order, skipping keys in `avoid` (and repeats when `unique`). */
function drawSplit(info: TaskInfo, draw: ReturnType<typeof sampler>, rng: Rng, n: number, split: 'train' | 'test', avoid: Set<string>, unique: boolean): { s: TaskSplit; keys: Set<string> } {
  const { inLen, outLen } = sampleSizes(info);
  const inputs = new Float32Array(n * inLen);
  const targets = info.loss === 'mse' ? new Float32Array(n * outLen) : new Uint32Array(n * outLen);
  const keys = new Set<string>();
  let i = 0, misses = 0;
  while (i < n) {
    const smp = draw(rng, split);
    if (avoid.has(smp.key) || (unique && keys.has(smp.key))) {
      if (++misses > 50 * n + 10000) break; // the space is exhausted
      continue;
    }
    keys.add(smp.key);
    inputs.set(smp.x, i * inLen);
    targets.set(smp.y, i * outLen);
    i++;
  }
  return { s: { inputs: inputs.subarray(0, i * inLen), targets: targets.subarray(0, i * outLen), n: i }, keys };
}

const taskRng = (seed: number) => new Rng((seed ^ 0x5eed7a5c) >>> 0);
// Char windows overlap by design (test keys are positions, disjoint by range); others are unique sequences.
const uniqueTest = (d: TaskDatasetSpec) => d.name !== 'char';

/**
 * Generates both splits. The test split is drawn first; train samples whose key is in it are
 * redrawn, so no sequence appears in both (tasks with few distinct sequences are capped at what
 * exists, and train then holds every sequence not in test).
 */
export function generateTask(d: TaskDatasetSpec, seed: number, text?: string): TaskData {
  const info = taskInfo(d);
  const draw = sampler(d, info, text);
  const rng = taskRng(seed);
  const test = drawSplit(info, draw, rng, info.testSize, 'test', new Set(), uniqueTest(d));
  const train = drawSplit(info, draw, rng, info.trainSize, 'train', test.keys, false);
  return { info: { ...info, trainSize: train.s.n, testSize: test.s.n }, train: train.s, test: test.s };
}

/**
 * The first n test samples of `generateTask(d, seed, text)`, drawing only those n (the test split
 * comes first from the seeded generator, so its prefix needs nothing else): the page's preview.
 */
export function taskExamples(d: TaskDatasetSpec, seed: number, n: number, text?: string): { info: TaskInfo; examples: TaskSplit } {
  const info = taskInfo(d);
  const k = Math.max(0, Math.min(n, info.testSize));
  return { info, examples: drawSplit(info, sampler(d, info, text), taskRng(seed), k, 'test', new Set(), uniqueTest(d)).s };
}
