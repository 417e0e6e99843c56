// Checkpoints: parameters, the non-trained buffers (BatchNorm running mean/variance, under their
// describeBuffers names) and optimizer state of a compiled model as a safetensors file whose
// metadata carries the spec and the step, so a file explains itself. Loading is two steps:
// planCheckpoint parses and checks ALL of a file against the model (structure, names, shapes,
// completeness, values) without touching anything, then applyCheckpoint writes all of it. A file
// that fails any check changes nothing and says which tensor, in people's words, and why.
import type { Tensor } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor, WeightsFileError } from '../io/safetensors.ts';
import { describeBuffers, describeParams, type ParamInfo } from '../nn/model.ts';
import { optimizerConfig } from '../optim/config.ts';
import { parseSpecText } from '../io/spec-json.ts';
import { shapeWords, tensorWords } from '../io/tensor-words.ts';
import { datasetInfo, resolveLayers } from '../model/shapes.ts';
import type { ModelSpec } from '../model/types.ts';
import type { Compiled } from './compile.ts';

export const CHECKPOINT_FORMAT = 'webgpu-nn-playground/1';

export interface CheckpointInfo {
  step: number;
  spec: ModelSpec | null;
  hasOptimizer: boolean;
  /** Whether every buffer of the model (BatchNorm running stats) came from the file; true when it has none. */
  hasBuffers: boolean;
  /** What was loaded only in part, for the user: e.g. running statistics kept from before the load. */
  notes: string[];
}

/** The model's buffers with their file names: c.buffers holds a 1-element placeholder when there are none. */
function buffers(c: Compiled): { info: ParamInfo; t: Tensor }[] {
  return describeBuffers(resolveLayers(c.spec), datasetInfo(c.spec).inputShape).map((info, i) => ({ info, t: c.buffers[i] }));
}

/** The same view over another flat buffer: `be.flat` lays out identical shape lists identically. */
const viewIn = (v: Tensor, flat: Tensor): Tensor => ({ ...v, store: flat.store, name: `${flat.name}:${v.name}` });

function slots(c: Compiled): { prefix: string; flat: Tensor; used: boolean }[] {
  const stateUsed = (t: Tensor) => t.size >= c.paramsFlat.size; // a 1-element placeholder when the optimizer keeps no such state
  return [
    { prefix: '', flat: c.paramsFlat, used: true },
    { prefix: 'optimizer.m.', flat: c.state1, used: stateUsed(c.state1) },
    { prefix: 'optimizer.v.', flat: c.state2, used: stateUsed(c.state2) },
  ];
}

/** Reads weights, buffers (and optimizer state) back asynchronously and encodes them. */
export async function saveCheckpoint(c: Compiled, step: number, withOptimizer = true): Promise<Uint8Array> {
  const tensors: NamedTensor[] = [];
  const wanted = slots(c).filter((s) => s.used && (!s.prefix || withOptimizer));
  const bufs = buffers(c);
  // All reads are issued before any is awaited: one consistent point in the queue.
  const [flats, bufVals] = await Promise.all([
    Promise.all(wanted.map((s) => c.be.read(s.flat))),
    Promise.all(bufs.map((b) => c.be.read(b.t))),
  ]);
  wanted.forEach((s, k) => {
    const flat = flats[k] as Float32Array;
    c.paramInfo.forEach((p, i) => {
      const v = c.params[i];
      tensors.push({ name: s.prefix + p.name, shape: p.shape, data: flat.slice(v.offset, v.offset + v.size) });
    });
    // The running statistics follow the weights (they belong to the model, not to the optimizer).
    if (!s.prefix) bufs.forEach((b, i) => tensors.push({ name: b.info.name, shape: b.info.shape, data: Float32Array.from(bufVals[i] as Float32Array) }));
  });
  return encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT, spec: JSON.stringify(c.spec), step: String(step) });
}

type Problem = { kind: 'fit' | 'optimizer' | 'values'; text: string };

/** What a checked file will write: every array already validated, in the model's order. */
export interface CheckpointPlan {
  /** Parameter values in paramInfo order. */
  params: Float32Array[];
  /** Optimizer state per slot (m, v) in paramInfo order; null: reset to zero (the file has none). */
  state: { m: Float32Array[] | null; v: Float32Array[] | null };
  /** BatchNorm running statistics in describeBuffers order; null: keep the current ones. */
  buffers: Float32Array[] | null;
  info: CheckpointInfo;
}

const HEAD: Record<Problem['kind'], string> = {
  fit: 'These weights do not fit the current model, so nothing was changed',
  optimizer: 'The optimizer state in this file is incomplete, so nothing was changed',
  values: 'These weights hold values that cannot be right, so nothing was changed',
};

/** First offending value, for the message: "NaN at index 3". */
function badValue(d: Float32Array, ok: (x: number) => boolean): string | null {
  for (let i = 0; i < d.length; i++) if (!ok(d[i])) return `${d[i]} at index ${i}`;
  return null;
}

/**
 * Parses and checks a whole checkpoint against a model built from `spec`, touching nothing: the
 * file's structure (decodeSafetensors), every model tensor present with its shape, BatchNorm
 * statistics all there or all absent, optimizer state complete with a step count or absent,
 * every value finite, variances (Adam v, running variance) ≥ 0. Throws a WeightsFileError naming
 * each tensor in people's words and the reason. Every door (file picker, drop, IndexedDB resume,
 * device-loss recovery, the CLI's --weights) goes through here.
 */
export function planCheckpoint(spec: ModelSpec, bytes: Uint8Array): CheckpointPlan {
  const file = decodeSafetensors(bytes);
  const layers = resolveLayers(spec);
  const inShape = datasetInfo(spec).inputShape;
  const params = describeParams(layers, inShape);
  const bufs = describeBuffers(layers, inShape);
  const opt = optimizerConfig(spec.train);
  const used = { m: opt.kind !== 'sgd' || opt.momentum > 0, v: opt.kind !== 'sgd' }; // as compile() allocates
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const words = (n: string) => tensorWords(n, spec.layers);
  const problems: Problem[] = [];
  const add = (kind: Problem['kind'], text: string) => problems.push({ kind, text });
  const shapeOk = (name: string, shape: number[]) => {
    const t = byName.get(name)!;
    if (t.shape.join('x') === shape.join('x')) return true;
    add('fit', `${words(name)}: shape ${shapeWords(shape)} expected, file has ${shapeWords(t.shape)}`);
    return false;
  };
  const badParams = new Set<string>(); // their optimizer state is not listed again
  for (const p of params) {
    if (!byName.has(p.name)) add('fit', `${words(p.name)}: missing from the file`);
    else if (!shapeOk(p.name, p.shape)) badParams.add(p.name);
  }
  const bufsHere = bufs.filter((b) => byName.has(b.name));
  if (bufsHere.length && bufsHere.length < bufs.length)
    for (const b of bufs) if (!byName.has(b.name)) add('fit', `${words(b.name)}: missing from the file, which has the other running statistics`);
  for (const b of bufsHere) shapeOk(b.name, b.shape);
  const known = new Set([...params, ...bufs].map((p) => p.name));
  const paramNames = new Set(params.map((p) => p.name));
  const optIn = { m: [] as string[], v: [] as string[] };
  for (const t of file.tensors) {
    const o = /^optimizer\.([mv])\.(.*)$/.exec(t.name);
    if (o && paramNames.has(o[2])) optIn[o[1] as 'm' | 'v'].push(o[2]);
    else if (!known.has(t.name)) add('fit', `the file has a tensor "${t.name.slice(0, 80)}" that this model does not have`);
  }
  const notes: string[] = [];
  const anyState = optIn.m.length + optIn.v.length > 0;
  const state: CheckpointPlan['state'] = { m: null, v: null };
  if (anyState) {
    for (const slot of ['m', 'v'] as const) {
      if (!used[slot]) continue;
      for (const p of params) {
        const n = `optimizer.${slot}.${p.name}`;
        if (!byName.has(n)) add('optimizer', `${words(n)}: missing, while the file has optimizer state for other tensors (loading it would mix two runs)`);
        else if (byName.get(n)!.shape.join('x') !== p.shape.join('x') && !badParams.has(p.name)) shapeOk(n, p.shape);
      }
    }
    if (used.m || used.v) if (!/^[0-9]{1,12}$/.test(file.metadata.step ?? '')) add('optimizer', 'the optimizer state comes without a step count (metadata "step" is missing or not a whole number)');
    const unused = (['m', 'v'] as const).filter((k) => !used[k] && optIn[k].length);
    if (unused.length) notes.push(`The file's optimizer state ${unused.join(' and ')} does not apply to this model's optimizer and was not loaded.`);
  } else if (used.m || used.v) notes.push('The file has no optimizer state: the optimizer state was reset and the step count starts again at 0.');
  // Values: finite everywhere; variances never negative.
  for (const t of file.tensors) {
    const nonFinite = badValue(t.data, Number.isFinite);
    if (nonFinite) {
      add('values', `${words(t.name)}: ${nonFinite}; every value must be a finite number`);
      continue;
    }
    if (/^optimizer\.v\.|\.running_var$/.test(t.name)) {
      const neg = badValue(t.data, (x) => x >= 0);
      if (neg) add('values', `${words(t.name)}: ${neg}; a variance cannot be negative`);
    }
  }
  if (problems.length) {
    const list = problems.slice(0, 8).map((p) => p.text).join('; ');
    throw new WeightsFileError(`${HEAD[problems[0].kind]}: ${list}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}.`);
  }
  // Plain SGD keeps no state: nothing to miss, so the run continues at the file's step.
  const stateless = !used.m && !used.v;
  const hasOptimizer = stateless || anyState;
  const step = /^[0-9]{1,12}$/.test(file.metadata.step ?? '') ? Number(file.metadata.step) : 0;
  if (anyState && !stateless) for (const slot of ['m', 'v'] as const) if (used[slot]) state[slot] = params.map((p) => byName.get(`optimizer.${slot}.${p.name}`)!.data);
  const buffers = bufsHere.length ? bufs.map((b) => byName.get(b.name)!.data) : null;
  if (!buffers && bufs.length)
    notes.push(`The file has no BatchNorm running statistics for ${bufs.map((b) => b.name).join(', ')} (saved before checkpoints carried them): the model keeps its current ones, so evaluation may differ until training updates them.`);
  let fileSpec: ModelSpec | null = null;
  if (file.metadata.spec) {
    const r = parseSpecText(file.metadata.spec, "the file's spec");
    fileSpec = r.ok ? (r.value as ModelSpec) : null;
  }
  return {
    params: params.map((p) => byName.get(p.name)!.data), state, buffers,
    info: { step: hasOptimizer ? step : 0, spec: fileSpec, hasOptimizer, hasBuffers: !!buffers || !bufs.length, notes },
  };
}

/** Writes a checked plan, all of it: no check can fail from here on. */
export function applyCheckpoint(c: Compiled, plan: CheckpointPlan): CheckpointInfo {
  const [, m, v] = slots(c);
  c.paramInfo.forEach((_, i) => c.be.write(c.params[i], plan.params[i]));
  for (const [s, vals] of [[m, plan.state.m], [v, plan.state.v]] as const) {
    if (!s.used) continue;
    if (vals) c.paramInfo.forEach((_, i) => c.be.write(viewIn(c.params[i], s.flat), vals[i]));
    else c.be.write(s.flat, new Float32Array(s.flat.size)); // reset: a fresh optimizer, as the note says
  }
  if (plan.buffers) buffers(c).forEach((b, i) => c.be.write(b.t, plan.buffers![i]));
  return plan.info;
}

/** Checks a file against the compiled model and, only if all of it is right, writes all of it. */
export function loadCheckpoint(c: Compiled, bytes: Uint8Array): CheckpointInfo {
  return applyCheckpoint(c, planCheckpoint(c.spec, bytes));
}

/**
 * The page's check before a file replaces anything (a fresh run would be built for it): null when
 * `bytes` would load into a model of `spec`, else the reason, exactly as loading would give it.
 */
export function weightsProblem(spec: ModelSpec, bytes: Uint8Array): string | null {
  try {
    planCheckpoint(spec, bytes);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
