// Checkpoints: parameters, the non-trained buffers (BatchNorm running mean/variance, under their
// describeBuffers names) and optimizer state of a compiled model as a safetensors file whose
// metadata carries the spec and the step, so a file explains itself and can be checked against
// the current model before anything is changed. Files written before buffers were saved still
// load: the model keeps its current running statistics and the CheckpointInfo says so.
import type { Tensor } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor, WeightsFileError } from '../io/safetensors.ts';
import { describeBuffers, type ParamInfo } from '../nn/model.ts';
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

/**
 * Checks a file against the compiled model and, only if every parameter matches by name and
 * shape, writes it. A mismatch changes nothing and names each tensor that differs. Buffers are
 * checked the same way when present; absent ones (older files) keep their current values.
 */
export function loadCheckpoint(c: Compiled, bytes: Uint8Array): CheckpointInfo {
  const file = decodeSafetensors(bytes);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const problems: string[] = [];
  const bufs = buffers(c);
  const shapeProblem = (p: ParamInfo) => {
    const t = byName.get(p.name);
    if (t && t.shape.join('x') !== p.shape.join('x')) problems.push(`${p.name} is (${t.shape.join(', ')}) in the file but (${p.shape.join(', ')}) in the model`);
  };
  c.paramInfo.forEach((p) => {
    if (!byName.has(p.name)) problems.push(`${p.name} is missing`);
    else shapeProblem(p);
  });
  bufs.forEach((b) => shapeProblem(b.info));
  // Optimizer state the model does not keep (an Adam file loaded for SGD) is skipped, not refused.
  const known = new Set([...c.paramInfo, ...bufs.map((b) => b.info)].map((p) => p.name));
  for (const t of file.tensors) if (!known.has(t.name) && !t.name.startsWith('optimizer.')) problems.push(`${t.name} is not in this model`);
  if (problems.length) throw new WeightsFileError(`These weights do not fit the current model, so nothing was changed: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? `; and ${problems.length - 8} more` : ''}.`);
  for (const t of file.tensors) if (t.data.some((x) => !Number.isFinite(x))) throw new WeightsFileError(`Tensor ${t.name} holds NaN or infinite values, so nothing was changed.`);
  let hasOptimizer = true;
  for (const s of slots(c)) {
    if (!s.used) continue;
    const all = c.paramInfo.every((p) => byName.has(s.prefix + p.name));
    if (s.prefix && !all) {
      hasOptimizer = false;
      continue;
    }
    c.paramInfo.forEach((p, i) => c.be.write(viewIn(c.params[i], s.flat), byName.get(s.prefix + p.name)!.data));
  }
  const notes: string[] = [];
  const missing = bufs.filter((b) => !byName.has(b.info.name));
  for (const b of bufs) if (byName.has(b.info.name)) c.be.write(b.t, byName.get(b.info.name)!.data);
  if (missing.length)
    notes.push(`The file has no BatchNorm running statistics for ${missing.map((b) => b.info.name).join(', ')} (saved before checkpoints carried them): the model keeps its current ones, so evaluation may differ until training updates them.`);
  let spec: ModelSpec | null = null;
  try {
    spec = file.metadata.spec ? (JSON.parse(file.metadata.spec) as ModelSpec) : null;
  } catch {
    spec = null;
  }
  const step = Number(file.metadata.step);
  return { step: Number.isInteger(step) && step >= 0 ? step : 0, spec, hasOptimizer, hasBuffers: !missing.length, notes };
}
