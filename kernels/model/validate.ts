// Field-by-field validation of a ModelSpec with bounds. Messages name the layer index, kind and
// field, so the builder can flag the exact layer and the URL loader can say what is wrong.
import type { LayerSpec, ModelSpec } from './types.ts';
import { TASK_NAMES } from '../data/tasks.ts';
import { LIMITS } from './limits.ts';

export { LIMITS };

export interface SpecIssue {
  path: string; // e.g. "layers[2].units"
  layer?: number; // top-level layer index, when the issue is inside a layer
  message: string;
}

export class SpecError extends Error {
  constructor(readonly issues: SpecIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

const ACTS = ['relu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid'];
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateSpec(spec: unknown): { ok: boolean; errors: SpecIssue[] } {
  const errors: SpecIssue[] = [];
  const err = (path: string, message: string, layer?: number) => errors.push({ path, message, layer });
  if (!isObj(spec)) return { ok: false, errors: [{ path: '', message: 'spec must be an object' }] };
  if (spec.version !== 1) err('version', `unsupported version ${String(spec.version)} (expected 1)`);
  if (spec.name !== undefined && (typeof spec.name !== 'string' || spec.name.length > LIMITS.nameLength))
    err('name', `must be a string of at most ${LIMITS.nameLength} characters`);
  if (!isObj(spec.dataset) || (spec.dataset.kind !== 'mnist' && spec.dataset.kind !== 'task')) err('dataset.kind', `must be "mnist" or "task"`);
  else if (spec.dataset.kind === 'task') validateTask(spec.dataset, err);
  if (spec.loss !== 'softmax_cross_entropy' && spec.loss !== 'mse') err('loss', 'must be "softmax_cross_entropy" or "mse"');
  int(spec.seed, 'seed', 0, 2 ** 32 - 1, err);

  const checkLayers = (layers: unknown, prefix: string, depth: number, top: number | undefined) => {
    if (!Array.isArray(layers)) return err(prefix, 'must be a list of layers', top);
    if (layers.length > LIMITS.layers) err(prefix, `at most ${LIMITS.layers} layers, got ${layers.length}`, top);
    layers.slice(0, LIMITS.layers).forEach((l, i) => {
      const idx = top ?? i;
      const p = `${prefix}[${i}]`;
      if (!isObj(l)) return err(p, 'must be a layer object', idx);
      const where = `${p} (${String(l.kind)})`;
      switch (l.kind) {
        case 'dense':
          int(l.units, `${where}.units`, 1, LIMITS.units, err, idx);
          if (l.activation !== undefined && l.activation !== 'none' && !ACTS.includes(l.activation as string))
            err(`${where}.activation`, `must be one of none, ${ACTS.join(', ')}`, idx);
          break;
        case 'activation':
          if (!ACTS.includes(l.fn as string)) err(`${where}.fn`, `must be one of ${ACTS.join(', ')}`, idx);
          break;
        case 'dropout':
          num(l.rate, `${where}.rate`, 0, 0.95, err, idx);
          break;
        case 'embedding':
          if (l.vocab !== undefined) int(l.vocab, `${where}.vocab`, 1, LIMITS.vocab, err, idx);
          int(l.dim, `${where}.dim`, 1, LIMITS.units, err, idx);
          break;
        case 'lstm':
        case 'gru':
        case 'rnn':
          int(l.hidden, `${where}.hidden`, 1, LIMITS.hidden, err, idx);
          if (l.layers !== undefined) int(l.layers, `${where}.layers`, 1, LIMITS.recurrentLayers, err, idx);
          if (l.returnSequences !== undefined && typeof l.returnSequences !== 'boolean') err(`${where}.returnSequences`, 'must be true or false', idx);
          if (l.learnInitialState !== undefined && typeof l.learnInitialState !== 'boolean') err(`${where}.learnInitialState`, 'must be true or false', idx);
          if (l.kind === 'lstm' && l.forgetBias !== undefined) num(l.forgetBias, `${where}.forgetBias`, -10, 10, err, idx);
          break;
        case 'flatten':
          break;
        case 'conv2d': {
          int(l.filters, `${where}.filters`, 1, LIMITS.filters, err, idx);
          const k = l.kernel;
          if (Array.isArray(k)) {
            if (k.length !== 2) err(`${where}.kernel`, 'must be a size or [height, width]', idx);
            else k.forEach((v, j) => int(v, `${where}.kernel[${j}]`, 1, LIMITS.kernel, err, idx));
          } else int(k, `${where}.kernel`, 1, LIMITS.kernel, err, idx);
          if (l.stride !== undefined) int(l.stride, `${where}.stride`, 1, LIMITS.stride, err, idx);
          if (l.dilation !== undefined) int(l.dilation, `${where}.dilation`, 1, LIMITS.dilation, err, idx);
          padding(l.padding, `${where}.padding`, err, idx);
          if (l.activation !== undefined && l.activation !== 'none' && !ACTS.includes(l.activation as string))
            err(`${where}.activation`, `must be one of none, ${ACTS.join(', ')}`, idx);
          break;
        }
        case 'maxpool2d':
        case 'avgpool2d':
          int(l.size, `${where}.size`, 1, LIMITS.kernel, err, idx);
          if (l.stride !== undefined) int(l.stride, `${where}.stride`, 1, LIMITS.stride, err, idx);
          padding(l.padding, `${where}.padding`, err, idx);
          break;
        case 'globalavgpool':
          break;
        case 'batchnorm':
          if (l.momentum !== undefined) num(l.momentum, `${where}.momentum`, 0, 1, err, idx);
          if (l.eps !== undefined) num(l.eps, `${where}.eps`, 1e-12, 1, err, idx);
          break;
        case 'layernorm':
          if (l.eps !== undefined) num(l.eps, `${where}.eps`, 1e-12, 1, err, idx);
          break;
        case 'posenc':
          if (l.type !== 'sinusoidal' && l.type !== 'learned') err(`${where}.type`, 'must be "sinusoidal" or "learned"', idx);
          break;
        case 'transformer':
          int(l.heads, `${where}.heads`, 1, LIMITS.heads, err, idx);
          if (l.layers !== undefined) int(l.layers, `${where}.layers`, 1, LIMITS.blocks, err, idx);
          if (l.mlp !== undefined) int(l.mlp, `${where}.mlp`, 1, LIMITS.units, err, idx);
          if (l.causal !== undefined && typeof l.causal !== 'boolean') err(`${where}.causal`, 'must be true or false', idx);
          if (l.norm !== undefined && l.norm !== 'pre' && l.norm !== 'post') err(`${where}.norm`, 'must be "pre" or "post"', idx);
          if (l.dropout !== undefined) num(l.dropout, `${where}.dropout`, 0, 0.95, err, idx);
          if (l.attnDropout !== undefined) num(l.attnDropout, `${where}.attnDropout`, 0, 0.95, err, idx);
          break;
        case 'patches':
          int(l.size, `${where}.size`, 1, LIMITS.patch, err, idx);
          int(l.dim, `${where}.dim`, 1, LIMITS.units, err, idx);
          break;
        case 'unembed':
          break;
        case 'residual':
          if (depth >= LIMITS.residualDepth) err(`${where}`, `residual blocks nest at most ${LIMITS.residualDepth} deep`, idx);
          else checkLayers(l.layers, `${p}.layers`, depth + 1, idx);
          break;
        default:
          err(`${p}.kind`, `unknown layer kind "${String(l.kind)}"`, idx);
      }
    });
  };
  checkLayers(spec.layers, 'layers', 0, undefined);

  const t = spec.train;
  if (!isObj(t)) err('train', 'must be an object');
  else {
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
        num(a.shift, 'train.augment.shift', 0, LIMITS.augShift, err);
        num(a.rotate, 'train.augment.rotate', 0, LIMITS.augRotate, err);
        num(a.scale, 'train.augment.scale', 0, LIMITS.augScale, err);
        if (typeof a.flip !== 'boolean') err('train.augment.flip', 'must be true or false');
      }
    }
    const o = t.optimizer;
    if (!isObj(o) || !['sgd', 'adam', 'adamw'].includes(o.kind as string)) err('train.optimizer.kind', 'must be sgd, adam or adamw');
    else {
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
  }
  return { ok: errors.length === 0, errors };
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

function padding(v: unknown, path: string, err: (p: string, m: string, l?: number) => void, layer?: number) {
  if (v === undefined || v === 'same' || v === 'valid') return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > LIMITS.padding)
    err(path, `must be "same", "valid" or an integer between 0 and ${LIMITS.padding}, got ${JSON.stringify(v)}`, layer);
}

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
}
