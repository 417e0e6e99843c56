// Runs an OpCase on any Backend: allocate its tensors, write seeded data, record and run the
// forward and backward programs, read every tensor back. Shared by the CPU and GPU tests.
import type { Backend, Program, Tensor } from '../backend.ts';
import { CpuBackend } from '../cpu/backend.ts';
import { Rng } from '../rng.ts';
import type { Gen, OpCase, TensorSpec, Values } from './op-specs.ts';

export type InitData = Record<string, Float32Array | Uint32Array>;

export interface Instance {
  be: Backend;
  c: OpCase;
  t: Record<string, Tensor>;
  init: InitData;
  forward: Program;
  backward: Program | null;
  /** Tensors to free (flat buffers for views). */
  owners: Tensor[];
}

/** FNV-1a of a string: per-tensor seeds that do not depend on table order. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export function generate(gen: Gen, n: number, rng: Rng, dtype: 'f32' | 'u32'): Float32Array | Uint32Array {
  const a = dtype === 'u32' ? new Uint32Array(n) : new Float32Array(n);
  switch (gen.kind) {
    case 'normal': for (let i = 0; i < n; i++) a[i] = rng.normal() * (gen.scale ?? 1); break;
    case 'uniform': for (let i = 0; i < n; i++) a[i] = rng.uniform(gen.lo, gen.hi); break;
    case 'distinct': {
      // values (i − n/2)·(4/n) in shuffled order: spaced 4/n apart, far above the FD step.
      const p = rng.permutation(n);
      for (let i = 0; i < n; i++) a[i] = (p[i] - n / 2) * (4 / n);
      break;
    }
    case 'int': for (let i = 0; i < n; i++) a[i] = rng.nextU32() % gen.n; break;
    case 'words': for (let i = 0; i < n; i++) a[i] = rng.nextU32(); break;
    case 'zeros': break;
    case 'values':
      if (gen.values.length !== n) throw new Error(`values generator: ${gen.values.length} values for ${n}`);
      a.set(gen.values);
      break;
  }
  return a;
}

export function generateAll(c: OpCase): InitData {
  const init: InitData = {};
  for (const s of c.tensors) init[s.name] = generate(s.gen, s.shape.reduce((x, y) => x * y, 1), new Rng(hashString(`${c.name}/${s.name}`)), s.dtype);
  return init;
}

function alloc(be: Backend, s: TensorSpec): { t: Tensor; owner: Tensor } {
  if (!s.view) {
    const t = be.tensor(s.shape, s.name, s.dtype);
    return { t, owner: t };
  }
  if (s.dtype !== 'f32') throw new Error('views are f32 only');
  const { flat, views } = be.flat([[13], s.shape], s.name);
  if (views[1].offset === 0) throw new Error('view at offset 0');
  return { t: views[1], owner: flat };
}

export function instantiate(be: Backend, c: OpCase, init: InitData = generateAll(c)): Instance {
  const t: Record<string, Tensor> = {};
  const owners: Tensor[] = [];
  for (const s of c.tensors) {
    const a = alloc(be, s);
    t[s.name] = a.t;
    owners.push(a.owner);
  }
  // GpuBackend.paths, set only while recording (kernels pick their form when made).
  const tuned = be as Backend & { paths?: string };
  const before = tuned.paths;
  if (c.gpuPaths && before !== undefined) tuned.paths = c.gpuPaths;
  let rec: ReturnType<OpCase['record']>;
  try {
    rec = c.record(be, t);
  } finally {
    if (before !== undefined) tuned.paths = before;
  }
  const { forward, backward } = rec;
  return {
    be, c, t, init, owners,
    forward: be.program(`${c.name} forward`, forward),
    backward: backward.length ? be.program(`${c.name} backward`, backward) : null,
  };
}

export function writeInit(inst: Instance): void {
  for (const s of inst.c.tensors) inst.be.write(inst.t[s.name], inst.init[s.name]);
}

export function runForward(inst: Instance): void {
  const p = inst.c.params;
  for (let r = 0; r < inst.c.repeat; r++) inst.be.run(inst.forward, { ...p, step: p.step + r });
}

export function runBackward(inst: Instance): void {
  if (inst.backward) inst.be.run(inst.backward, inst.c.params);
}

/** Writes the initial data and runs forward then backward. */
export function runCase(inst: Instance): void {
  writeInit(inst);
  runForward(inst);
  runBackward(inst);
}

/** A tensor's values; f64 straight from the store on CpuBackend('f64') (read() rounds to f32). */
export async function readTensor(be: Backend, t: Tensor): Promise<Float64Array | Float32Array | Uint32Array> {
  if (be instanceof CpuBackend && t.store instanceof Float64Array) return t.store.slice(t.offset, t.offset + t.size);
  return be.read(t);
}

/** Synchronous read for CpuBackend. */
export function readCpu(t: Tensor): Float64Array | Float32Array | Uint32Array {
  const s = t.store as Float64Array | Float32Array | Uint32Array;
  return s.slice(t.offset, t.offset + t.size);
}

export async function readValues(inst: Instance): Promise<Values> {
  const v: Values = {};
  for (const s of inst.c.tensors) v[s.name] = await readTensor(inst.be, inst.t[s.name]);
  return v;
}

export function release(inst: Instance): void {
  for (const o of inst.owners) inst.be.free(o);
}
