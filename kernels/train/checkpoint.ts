// Checkpoints: parameters and optimizer state of a compiled model as a safetensors file whose
// metadata carries the spec and the step, so a file explains itself and can be checked against
// the current model before anything is changed.
import type { Tensor } from '../backend.ts';
import { decodeSafetensors, encodeSafetensors, type NamedTensor, WeightsFileError } from '../io/safetensors.ts';
import type { ModelSpec } from '../spec/types.ts';
import type { Compiled } from './compile.ts';

export const CHECKPOINT_FORMAT = 'webgpu-nn-playground/1';

export interface CheckpointInfo {
  step: number;
  spec: ModelSpec | null;
  hasOptimizer: boolean;
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

/** Reads weights (and optimizer state) back asynchronously and encodes them. */
export async function saveCheckpoint(c: Compiled, step: number, withOptimizer = true): Promise<Uint8Array> {
  const tensors: NamedTensor[] = [];
  const wanted = slots(c).filter((s) => s.used && (!s.prefix || withOptimizer));
  // All reads are issued before any is awaited: one consistent point in the queue.
  const flats = await Promise.all(wanted.map((s) => c.be.read(s.flat)));
  wanted.forEach((s, k) => {
    const flat = flats[k] as Float32Array;
    c.paramInfo.forEach((p, i) => {
      const v = c.params[i];
      tensors.push({ name: s.prefix + p.name, shape: p.shape, data: flat.slice(v.offset, v.offset + v.size) });
    });
  });
  return encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT, spec: JSON.stringify(c.spec), step: String(step) });
}

/**
 * Checks a file against the compiled model and, only if every parameter matches by name and
 * shape, writes it. A mismatch changes nothing and names each tensor that differs.
 */
export function loadCheckpoint(c: Compiled, bytes: Uint8Array): CheckpointInfo {
  const file = decodeSafetensors(bytes);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const problems: string[] = [];
  c.paramInfo.forEach((p) => {
    const t = byName.get(p.name);
    if (!t) problems.push(`${p.name} is missing`);
    else if (t.shape.join('x') !== p.shape.join('x')) problems.push(`${p.name} is (${t.shape.join(', ')}) in the file but (${p.shape.join(', ')}) in the model`);
  });
  // Optimizer state the model does not keep (an Adam file loaded for SGD) is skipped, not refused.
  const known = new Set(c.paramInfo.map((p) => p.name));
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
  let spec: ModelSpec | null = null;
  try {
    spec = file.metadata.spec ? (JSON.parse(file.metadata.spec) as ModelSpec) : null;
  } catch {
    spec = null;
  }
  const step = Number(file.metadata.step);
  return { step: Number.isInteger(step) && step >= 0 ? step : 0, spec, hasOptimizer };
}
