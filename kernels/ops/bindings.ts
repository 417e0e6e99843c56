// Bindings declared once. A kernel's WGSL generator lists its storage tensors as data (name,
// element type, access); `shader` numbers them and writes the WGSL header, and the GPU backend
// makes the bind group layout and the bind group entries from the same list (`layoutEntries`,
// `bindEntries`), resources matched by name. No binding number is written anywhere else.
//
// Every kernel starts with two uniforms: binding 0 is the per-run Step (st: step, batchStart, lr,
// seed, rows), binding 1 the kernel's own dims (d: D, a struct the kernel's WGSL declares).

export type Access = 'uniform' | 'read' | 'read_write';

export interface Binding {
  readonly name: string;
  /** WGSL type: a struct name for uniforms, `array<f32>` / `array<u32>` / `array<vec4<f32>>` for storage. */
  readonly type: string;
  readonly access: Access;
}

/** WGSL source with its bindings, in binding order. */
export interface Shader {
  readonly code: string;
  readonly bindings: readonly Binding[];
}

export const read = (name: string, type = 'array<f32>'): Binding => ({ name, type, access: 'read' });
export const rw = (name: string, type = 'array<f32>'): Binding => ({ name, type, access: 'read_write' });

/** Binding 0: the Step uniform every kernel can read (bound by the backend to its per-run buffer). */
export const STEP: Binding = { name: 'st', type: 'Step', access: 'uniform' };
/** Binding 1: the kernel's dims uniform. */
export const DIMS: Binding = { name: 'd', type: 'D', access: 'uniform' };

const STEP_STRUCT = 'struct Step { step: u32, batchStart: u32, lr: f32, seed: u32, rows: u32, p0: u32, p1: u32, p2: u32 }';

function declaration(b: Binding, i: number): string {
  const space = b.access === 'uniform' ? 'uniform' : `storage, ${b.access}`;
  return `@group(0) @binding(${i}) var<${space}> ${b.name}: ${b.type};`;
}

/**
 * A kernel from its storage bindings (falsy entries are left out: optional tensors) and its WGSL
 * body, which declares the dims struct (`struct D`) and uses `st`, `d` and the tensors by name.
 * `enable` directives in the body go first, as WGSL requires.
 */
export function shader(tensors: readonly (Binding | false | null | undefined)[], body: string, dims: Binding = DIMS): Shader {
  const bindings = [STEP, dims, ...tensors.filter((b): b is Binding => !!b)];
  const seen = new Set<string>();
  for (const b of bindings) {
    if (seen.has(b.name)) throw new Error(`shader: binding ${b.name} is declared twice`);
    seen.add(b.name);
  }
  const enables: string[] = [];
  const rest = body.replace(/^\s*enable [\w, ]+;\s*$/gm, (line) => (enables.push(line.trim()), ''));
  return { code: [...enables, STEP_STRUCT, ...bindings.map(declaration), rest].join('\n'), bindings };
}

/** The bind group layout's entries, one per binding, in order. */
export function layoutEntries(bindings: readonly Binding[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((b, binding) => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type: b.access === 'uniform' ? 'uniform' : b.access === 'read' ? 'read-only-storage' : 'storage' },
  }));
}

/**
 * The bind group's entries: each binding's buffer from `resources` by name. A binding without a
 * resource is an error that says which kernel and which binding.
 */
export function bindEntries(label: string, bindings: readonly Binding[], resources: ReadonlyMap<string, GPUBufferBinding>): GPUBindGroupEntry[] {
  return bindings.map((b, binding) => {
    const resource = resources.get(b.name);
    if (!resource) throw new Error(`kernel ${label}: binding ${b.name} (${b.access}) has no buffer`);
    return { binding, resource };
  });
}
