// Field-by-field validation of a ModelSpec with bounds. Messages name the layer index, kind and
// field, so the builder can flag the exact layer and the URL loader can say what is wrong.
import type { LayerSpec, ModelSpec } from './types.ts';
import { findLayerDef, type FieldDef } from '../layers/index.ts';
import { TASK_NAMES } from '../data/tasks.ts';
import { ownDataIssues } from '../data/datasets.ts';
import { ownTextIssues } from '../data/text-upload.ts';
import { LIMITS } from './limits.ts';
import { issueLine } from './issues.ts';

export { LIMITS };

export interface SpecIssue {
  path: string; // e.g. "layers[2].units"
  layer?: number; // top-level layer index, when the issue is inside a layer
  message: string;
  /** A one-click repair the builder offers: its button's words and the whole layer list after it. */
  fix?: SpecFix;
}
export interface SpecFix { label: string; layers: LayerSpec[] }

export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((i) => issueLine(i)).join('; '));
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
type Err = (p: string, m: string, l?: number) => void;

// The keys each object may hold. A key outside these is refused, named by its path: a hand-edited
// link or spec file cannot smuggle a field past the validator, and a typo is not silently ignored.
const SPEC_KEYS = ['version', 'name', 'dataset', 'layers', 'loss', 'train', 'seed'];
const TRAIN_KEYS = ['optimizer', 'lr', 'schedule', 'warmupSteps', 'batchSize', 'epochs', 'clipNorm', 'evalEverySteps', 'earlyStopPatience', 'augment'];
const AUGMENT_KEYS = ['shift', 'rotate', 'scale', 'flip'];
const DATASET_KEYS: Record<string, string[]> = {
  mnist: ['kind'],
  task: ['kind', 'name', 'length', 'symbols', 'horizon', 'trainSize', 'testSize', 'text'],
  playground: ['kind', 'name', 'noise', 'trainRatio', 'points', 'features'],
  csv: ['kind', 'name', 'hash', 'rows', 'inputs', 'target', 'task', 'classes', 'trainRatio'],
  images: ['kind', 'name', 'hash', 'classes', 'counts', 'size'],
};
const OPTIMIZER_KEYS: Record<string, string[]> = {
  sgd: ['kind', 'momentum', 'nesterov', 'weightDecay'],
  adam: ['kind', 'beta1', 'beta2', 'eps', 'weightDecay'],
  adamw: ['kind', 'beta1', 'beta2', 'eps', 'weightDecay'],
};
const SCHEDULE_KEYS: Record<string, string[]> = {
  constant: ['kind'], step: ['kind', 'everySteps', 'gamma'], exponential: ['kind', 'gamma'], cosine: ['kind', 'totalSteps', 'minLr'],
};

/** Refuses every own key of `o` not in `known`: "train.optimizer: unknown field 'x'". */
function unknownKeys(o: Record<string, unknown>, known: readonly string[], path: string, who: string, err: Err, layer?: number): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) err(path ? `${path}.${k}` : k, `${who}: unknown field '${k.slice(0, 40)}'`, layer);
}

export function validateSpec(spec: unknown): { ok: boolean; errors: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const err = (path: string, message: string, layer?: number) => errors.push({ path, message, layer });
  if (!isObj(spec)) return { ok: false, errors: [{ path: '', message: 'spec must be an object' }] };
  unknownKeys(spec, SPEC_KEYS, '', 'spec', err);
  if (spec.version !== 1) err('version', `is ${String(spec.version).slice(0, 20)}; this page reads version 1`);
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length > LIMITS.nameLength))
    err('name', `must be a string of at most ${LIMITS.nameLength} characters`);
  if (!isObj(spec.dataset) || !Object.hasOwn(DATASET_KEYS, spec.dataset.kind as string)) err('dataset.kind', `must be "mnist", "task", "playground", "csv" or "images"`);
  else {
    unknownKeys(spec.dataset, DATASET_KEYS[spec.dataset.kind as string], 'dataset', 'dataset', err);
    if (spec.dataset.kind === 'task') validateTask(spec.dataset, err);
    else if (spec.dataset.kind !== 'mnist') for (const [f, m] of ownDataIssues(spec.dataset)) err(`dataset.${f}`, m);
  }
  if (spec.loss !== 'softmax_cross_entropy' && spec.loss !== 'mse') err('loss', 'must be "softmax_cross_entropy" or "mse"');
  int(spec.seed, 'seed', 0, 2 ** 32 - 1, err);

  // who: the layer in people's words, "Layer 3" or "Layer 3, inner layer 2"; paths stay machine paths.
  const checkLayers = (layers: unknown, prefix: string, depth: number, top: number | undefined, who: string) => {
    if (!Array.isArray(layers)) return err(prefix, 'must be a list of layers', top);
    if (layers.length > LIMITS.layers) err(prefix, `at most ${LIMITS.layers} layers, got ${layers.length}`, top);
    layers.slice(0, LIMITS.layers).forEach((l, i) => {
      const idx = top ?? i;
      const p = `${prefix}[${i}]`;
      const name = top === undefined ? `Layer ${i + 1}` : `${who}, inner layer ${i + 1}`;
      if (!isObj(l)) return err(p, 'must be a layer object', idx);
      const def = findLayerDef(l.kind);
      if (!def) return err(`${p}.kind`, `unknown layer kind "${String(l.kind).slice(0, 40)}"`, idx);
      const where = `${p} (${def.kind})`;
      for (const [k, f] of Object.entries(def.fields as Record<string, FieldDef>)) checkField(l[k], f, `${where}.${k}`, err, idx);
      unknownKeys(l, ['kind', ...Object.keys(def.fields)], where, `${name} (${def.title})`, err, idx);
      def.check?.(l as unknown as LayerSpec, {
        depth, prefix: p,
        err: (field, message) => err(field ? `${where}.${field}` : where, message, idx),
        checkLayers: (ls, pre, d) => checkLayers(ls, pre, d, idx, name),
      });
    });
  };
  checkLayers(spec.layers, 'layers', 0, undefined, '');

  const t = spec.train;
  if (!isObj(t)) err('train', 'must be an object');
  else {
    unknownKeys(t, TRAIN_KEYS, 'train', 'train', err);
    num(t.lr, 'train.lr', 1e-8, LIMITS.lr, err);
    int(t.batchSize, 'train.batchSize', 1, LIMITS.batchSize, err);
    int(t.epochs, 'train.epochs', 1, LIMITS.epochs, err);
    if (t.clipNorm !== undefined) num(t.clipNorm, 'train.clipNorm', 0, 1e6, err);
    if (t.warmupSteps !== undefined) int(t.warmupSteps, 'train.warmupSteps', 0, 1e7, err);
    if (t.evalEverySteps !== undefined) int(t.evalEverySteps, 'train.evalEverySteps', 0, 1e7, err);
    if (t.earlyStopPatience !== undefined) int(t.earlyStopPatience, 'train.earlyStopPatience', 0, 1000, err);
    if (t.augment !== undefined) {
      const a = t.augment;
      if (!isObj(a)) err('train.augment', 'must be an object { shift, rotate, scale, flip }');
      else {
        unknownKeys(a, AUGMENT_KEYS, 'train.augment', 'train.augment', err);
        num(a.shift, 'train.augment.shift', 0, LIMITS.augShift, err);
        num(a.rotate, 'train.augment.rotate', 0, LIMITS.augRotate, err);
        num(a.scale, 'train.augment.scale', 0, LIMITS.augScale, err);
        if (typeof a.flip !== 'boolean') err('train.augment.flip', 'must be true or false');
      }
    }
    const o = t.optimizer;
    if (!isObj(o) || !['sgd', 'adam', 'adamw'].includes(o.kind as string)) err('train.optimizer.kind', 'must be sgd, adam or adamw');
    else {
      unknownKeys(o, OPTIMIZER_KEYS[o.kind as string], 'train.optimizer', 'train.optimizer', err);
      if (o.momentum !== undefined) num(o.momentum, 'train.optimizer.momentum', 0, 0.9999, err);
      if (o.nesterov !== undefined && typeof o.nesterov !== 'boolean') err('train.optimizer.nesterov', 'must be true or false');
      if (o.nesterov === true && !((o.momentum as number) > 0)) err('train.optimizer.nesterov', 'Nesterov needs momentum > 0');
      if (o.beta1 !== undefined) num(o.beta1, 'train.optimizer.beta1', 0, 0.9999, err);
      if (o.beta2 !== undefined) num(o.beta2, 'train.optimizer.beta2', 0, 0.99999, err);
      if (o.eps !== undefined) num(o.eps, 'train.optimizer.eps', 1e-12, 1, err);
      if (o.weightDecay !== undefined) num(o.weightDecay, 'train.optimizer.weightDecay', 0, 1, err);
    }
    const s = t.schedule;
    if (!isObj(s)) err('train.schedule', 'must be an object');
    else if (s.kind === 'step') {
      int(s.everySteps, 'train.schedule.everySteps', 1, 1e7, err);
      num(s.gamma, 'train.schedule.gamma', 0, 1, err);
    } else if (s.kind === 'exponential') num(s.gamma, 'train.schedule.gamma', 0, 1, err);
    else if (s.kind === 'cosine') {
      int(s.totalSteps, 'train.schedule.totalSteps', 1, 1e8, err);
      if (s.minLr !== undefined) num(s.minLr, 'train.schedule.minLr', 0, LIMITS.lr, err);
    } else if (s.kind !== 'constant') err('train.schedule.kind', 'must be constant, step, exponential or cosine');
    if (isObj(s) && Object.hasOwn(SCHEDULE_KEYS, s.kind as string)) unknownKeys(s, SCHEDULE_KEYS[s.kind as string], 'train.schedule', 'train.schedule', err);
  }
  return { ok: errors.length === 0, errors };
}

/** True when every field of a layer (not its inner layers) is within its declaration: shape inference reads only such layers. */
export function layerFieldsOk(l: LayerSpec): boolean {
  const def = findLayerDef(l.kind);
  if (!def) return false;
  let ok = true;
  for (const [k, f] of Object.entries(def.fields as Record<string, FieldDef>))
    checkField((l as unknown as Record<string, unknown>)[k], f, k, () => (ok = false), 0);
  return ok;
}

/** One layer field against its declaration: type, bounds, options. Absent optional fields pass. */
function checkField(v: unknown, f: FieldDef, path: string, err: Err, layer: number): void {
  if (v === undefined && !f.required) return;
  const lo = f.min ?? -Infinity, hi = f.max ?? Infinity;
  switch (f.type) {
    case 'int': return int(v, path, lo, hi, err, layer);
    case 'number': return num(v, path, lo, hi, err, layer);
    case 'bool':
      if (typeof v !== 'boolean') err(path, 'must be true or false', layer);
      return;
    case 'enum': {
      const vals = (f.options ?? []).map((o) => o.value);
      if (!vals.includes(v as string))
        err(path, vals.length === 2 ? `must be "${vals[0]}" or "${vals[1]}"` : `must be one of ${vals.join(', ')}`, layer);
      return;
    }
    case 'kernel':
      if (!Array.isArray(v)) return int(v, path, lo, hi, err, layer);
      if (v.length !== 2) return err(path, 'must be a size or [height, width]', layer);
      return v.forEach((x, j) => int(x, `${path}[${j}]`, lo, hi, err, layer));
    case 'padding':
      if (v === 'same' || v === 'valid') return;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
        err(path, `must be "same", "valid" or an integer between ${lo} and ${hi}, got ${JSON.stringify(v)}`, layer);
      return;
    case 'layers': return; // the kind's own check walks them
  }
}

function num(v: unknown, path: string, lo: number, hi: number, err: (p: string, m: string, l?: number) => void, layer?: number) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi)
    err(path, `must be a number between ${lo} and ${hi}, got ${JSON.stringify(v)}`, layer);
}
function int(v: unknown, path: string, lo: number, hi: number, err: (p: string, m: string, l?: number) => void, layer?: number) {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    err(path, `must be an integer between ${lo} and ${hi}, got ${JSON.stringify(v)}`, layer);
}

/** Throws a SpecError listing every issue, including shape errors. */
export function assertValid(spec: unknown): asserts spec is ModelSpec {
  const r = validateSpec(spec);
  if (!r.ok) throw new SpecError(r.errors);
}

export type { LayerSpec };

/** A task dataset: known name, length within what the task can generate, sizes. */
function validateTask(d: Record<string, unknown>, err: (p: string, m: string, l?: number) => void): void {
  if (!(TASK_NAMES as readonly string[]).includes(d.name as string)) return err('dataset.name', `must be one of ${TASK_NAMES.join(', ')}`);
  // Minimum lengths keep the disjoint test split possible (parity: 2^10 strings; parens: Catalan(7) = 429 balanced).
  const minLen: Record<string, number> = { copy: 1, reverse: 1, sort: 1, addition: 1, parity: 10, parens: 14, sine: 2, char: 2 };
  const maxLen: Record<string, number> = { addition: 40, copy: 120, reverse: 120, sort: 120 };
  int(d.length, 'dataset.length', minLen[d.name as string], maxLen[d.name as string] ?? LIMITS.seqLength, err);
  if (d.name === 'parens' && typeof d.length === 'number' && d.length % 2) err('dataset.length', 'balanced brackets need an even length');
  if (d.symbols !== undefined) int(d.symbols, 'dataset.symbols', 2, 64, err);
  if (d.horizon !== undefined) int(d.horizon, 'dataset.horizon', 1, 64, err);
  if (d.trainSize !== undefined) int(d.trainSize, 'dataset.trainSize', 1, LIMITS.taskSize, err);
  if (d.testSize !== undefined) int(d.testSize, 'dataset.testSize', 1, LIMITS.taskSize, err);
  for (const [p, m] of ownTextIssues(d)) err(p, m); // char: your own text's name, fingerprint, size
}
