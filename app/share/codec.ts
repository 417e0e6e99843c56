// Share links: the whole ModelSpec in the URL fragment, versioned and compressed.
//   #m=<version>.<base64url(deflate-raw(JSON))>      the full form, written by the page
//   #preset=cnn-mnist&lr=0.01&batch=64&epochs=3&seed=2&optimizer=sgd   a readable short form
// Decoding treats the fragment as hostile: sizes are capped before and during decompression, the
// JSON text's size and depth are bounded and its version read as written before it is parsed
// (kernels/io/spec-json.ts), old versions are migrated, and the result is validated field by field
// by the same validator as the builder and the trainer (unknown fields refused, bounds, shapes,
// total parameters) and against the memory budget and per-buffer limit with the session's own
// estimate (kernels/model/memory.ts), naming the layer that does not fit. Nothing in it is ever executed.
import {
  DEFAULT_BINDING_LIMIT, DEFAULT_MEMORY_BUDGET, inferShapes, issueLine, memoryProblem, parseSpecText, presetSpec, PRESETS, validateSpec,
  type Limits, type ModelSpec,
} from '../engine.ts';

export const SHARE_VERSION = 1;
export const LIMITS = { fragmentChars: 32_768, jsonBytes: 262_144, depth: 24, params: 50_000_000 };

export type ShareResult =
  | { kind: 'empty' }
  | { kind: 'ok'; spec: ModelSpec; notices: string[]; presetId: string | null }
  | { kind: 'error'; errors: string[] };

/** Migrations from each older format version to the next; version 1 is the first. */
const MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {};

function toB64url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('the link data has characters that are not base64url');
  const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

async function pump(stream: ReadableStream<Uint8Array>, cap: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > cap) {
      await reader.cancel();
      throw new Error(`the link expands to more than ${cap} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const through = (bytes: Uint8Array, t: CompressionStream | DecompressionStream, cap: number) =>
  pump(new Blob([bytes as BlobPart]).stream().pipeThrough(t as unknown as TransformStream<Uint8Array, Uint8Array>), cap);

export async function encodeShare(spec: ModelSpec): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(spec));
  const packed = await through(json, new CompressionStream('deflate-raw'), Infinity);
  return `m=${SHARE_VERSION}.${toB64url(packed)}`;
}

/** The limits a session would apply; the page's sessions use the defaults. */
const DEVICE: Limits = { memoryBudgetBytes: DEFAULT_MEMORY_BUDGET, maxBindingBytes: DEFAULT_BINDING_LIMIT };

/** Reads a fragment (with or without '#'); never throws. */
export async function decodeShare(fragment: string, limits: Limits = DEVICE): Promise<ShareResult> {
  try {
    return await decode(fragment.replace(/^#/, ''), limits);
  } catch (e) {
    return { kind: 'error', errors: [e instanceof Error ? e.message : String(e)] };
  }
}

/** Short-form numbers as people write them: digits (and for lr a decimal point or exponent), nothing JS would also read. */
const INTEGER = /^-?[0-9]{1,15}$/;
const DECIMAL = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]{1,3})?$/i;

async function decode(f: string, limits: Limits): Promise<ShareResult> {
  if (!f) return { kind: 'empty' };
  if (f.length > LIMITS.fragmentChars) return { kind: 'error', errors: [`the link is ${f.length} characters long; at most ${LIMITS.fragmentChars} are accepted`] };
  const params = new URLSearchParams(f);
  const m = params.get('m');
  if (m !== null) {
    const dot = m.indexOf('.');
    if (dot < 1) return { kind: 'error', errors: ['the link has no format version'] };
    // As written: Number() would also read 01, 0x1, 1e0 and 1.0 as 1.
    const written = m.slice(0, dot);
    if (!/^(0|[1-9][0-9]{0,5})$/.test(written)) return { kind: 'error', errors: [`the link's format version must be a whole number such as ${SHARE_VERSION}, but it is "${written.slice(0, 12)}"`] };
    const version = Number(written);
    if (version > SHARE_VERSION) return { kind: 'error', errors: [`the link is from a newer version of the playground (format ${version}; this page reads up to ${SHARE_VERSION})`] };
    if (version < 1) return { kind: 'error', errors: [`unknown link format ${version}`] };
    let raw: Uint8Array;
    try {
      raw = await through(fromB64url(m.slice(dot + 1)), new DecompressionStream('deflate-raw'), LIMITS.jsonBytes);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return { kind: 'error', errors: [/expands to more/.test(msg) || /base64url/.test(msg) ? msg : 'the link data is corrupt (it does not decompress)'] };
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return { kind: 'error', errors: ['the link data is corrupt (not valid UTF-8 text)'] };
    }
    const parsed = parseSpecText(text, "the link's spec", { chars: LIMITS.jsonBytes, depth: LIMITS.depth });
    if (!parsed.ok) return { kind: 'error', errors: [parsed.error] };
    let obj = parsed.value;
    for (let v = version; v < SHARE_VERSION; v++) obj = MIGRATIONS[v](obj as Record<string, unknown>);
    return finish(obj, [], null, limits);
  }
  const preset = params.get('preset');
  if (preset === null) return { kind: 'error', errors: ['the link has neither a model (m=…) nor a preset (preset=…)'] };
  if (!Object.hasOwn(PRESETS, preset)) return { kind: 'error', errors: [`unknown preset "${preset.slice(0, 40)}"; known: ${Object.keys(PRESETS).join(', ')}`] };
  const spec = presetSpec(preset) as unknown as { train: Record<string, unknown>; seed: number };
  const notices: string[] = [];
  const bad: string[] = [];
  const badFields: string[] = [];
  const num = (k: string, field: string, re: RegExp) => {
    const v = params.get(k);
    if (v === null) return undefined;
    if (!re.test(v)) badFields.push(field), bad.push(`${k}= must be ${re === INTEGER ? 'a whole number in digits' : 'a number in digits'}, got "${v.slice(0, 24)}"`);
    return Number(v);
  };
  const set = { lr: num('lr', 'train.lr', DECIMAL), batchSize: num('batch', 'train.batchSize', INTEGER), epochs: num('epochs', 'train.epochs', INTEGER) };
  for (const [k, v] of Object.entries(set)) if (v !== undefined) spec.train[k] = v;
  const seed = num('seed', 'seed', INTEGER);
  if (bad.length) {
    // With the validator's word on the other fields, so one look shows everything wrong.
    const v = validateSpec(spec);
    const other = v.ok ? [] : v.errors.filter((e) => !badFields.includes(e.path)).map((e) => issueLine(e, layersOf(spec)));
    return { kind: 'error', errors: [...bad, ...other] };
  }
  if (seed !== undefined) spec.seed = seed;
  const opt = params.get('optimizer');
  if (opt !== null) spec.train.optimizer = { kind: opt };
  for (const k of params.keys()) if (!['preset', 'lr', 'batch', 'epochs', 'seed', 'optimizer'].includes(k)) notices.push(`ignored unknown parameter ${k.slice(0, 40)}`);
  return finish(spec, notices, preset, limits);
}

/** The layer list of a not yet valid spec, for naming a layer in a message. */
const layersOf = (o: unknown) => {
  const l = (o as { layers?: unknown } | null)?.layers;
  return Array.isArray(l) ? (l as { kind: string }[]) : undefined;
};

function finish(obj: unknown, notices: string[], presetId: string | null, limits: Limits): ShareResult {
  // The same validator as the builder and the trainer: an unknown field anywhere is refused, by path.
  const clean = obj;
  const v = validateSpec(clean);
  if (!v.ok) return { kind: 'error', errors: v.errors.map((e) => issueLine(e, layersOf(clean))) };
  const spec = clean as ModelSpec;
  const shapes = inferShapes(spec);
  if (shapes.errors.length) return { kind: 'error', errors: shapes.errors.map((e) => issueLine(e, spec.layers)) };
  const tooBig = memoryProblem(spec, shapes, limits);
  if (tooBig) return { kind: 'error', errors: [tooBig] };
  if (shapes.totalParams > LIMITS.params)
    return { kind: 'error', errors: [`the model has ${shapes.totalParams.toLocaleString('en-US')} parameters; links may carry at most ${LIMITS.params.toLocaleString('en-US')}`] };
  return { kind: 'ok', spec, notices, presetId };
}
