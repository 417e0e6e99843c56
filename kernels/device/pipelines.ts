// Pipeline cache keyed by the generated WGSL (which encodes op, dtype, tile choice and
// divisibility flags; sizes travel as uniforms, so one pipeline serves every size).
//
// Pipelines compile in the background with createComputePipelineAsync: `get` makes the bind group
// layout at once (bind groups need only that, so kernels are made without waiting) and returns an
// entry whose `pipeline` is filled in when the compile finishes. `ready()` awaits every compile
// still pending and throws one naming the kernel whose shader failed. Encoding never waits: `use`
// makes a pipeline still pending synchronously (counted in `syncFallbacks`).

import { layoutEntries, type Shader } from '../ops/bindings.ts';

export interface PipelineEntry {
  readonly label: string;
  /** Set once the async compile resolves, or by `PipelineCache.use` when encoding comes first. */
  pipeline: GPUComputePipeline | null;
  readonly layout: GPUBindGroupLayout;
  readonly descriptor: GPUComputePipelineDescriptor;
}

export class PipelineCache {
  private cache = new Map<string, PipelineEntry>();
  /** Compiles not yet settled; each resolves, or rejects with an Error naming its kernel. */
  private pending = new Set<Promise<void>>();
  compiled = 0;
  /** Pipelines made synchronously at encode time because their async compile had not finished. */
  syncFallbacks = 0;
  /** Set to print every new kernel's WGSL (debug switch). */
  static debugPrintWgsl = false;

  constructor(private device: GPUDevice) {}

  get(label: string, shader: Shader): PipelineEntry {
    const { code } = shader;
    const key = code;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (PipelineCache.debugPrintWgsl) console.log(`// ${label}\n${code}`);
    // The layout comes from the same binding list as the WGSL header (ops/bindings.ts).
    const layout = this.device.createBindGroupLayout({ label, entries: layoutEntries(shader.bindings) });
    const module = this.device.createShaderModule({ label, code });
    const descriptor: GPUComputePipelineDescriptor = {
      label,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    };
    const entry: PipelineEntry = { label, pipeline: null, layout, descriptor };
    const p: Promise<void> = this.device.createComputePipelineAsync(descriptor).then(
      (pipeline) => {
        entry.pipeline ??= pipeline;
      },
      (e: unknown) => {
        // A GPUPipelineError (reason 'validation' for a bad shader, or 'internal'), or whatever the
        // implementation rejects with: an Error that says which kernel it was.
        const reason = (e as { reason?: string } | null)?.reason;
        const msg = e instanceof Error || (e && typeof (e as { message?: unknown }).message === 'string')
          ? (e as { message: string }).message : String(e);
        throw new Error(`pipeline "${label}" failed to compile${reason ? ` (${reason})` : ''}: ${msg}`);
      },
    );
    this.pending.add(p);
    // Settled compiles leave the pending set; a failure stays there until `ready` reports it.
    p.then(() => this.pending.delete(p), () => {});
    this.cache.set(key, entry);
    this.compiled++;
    return entry;
  }

  /** The entry's pipeline for encoding, made synchronously now if its async compile is still pending. */
  use(entry: PipelineEntry): GPUComputePipeline {
    if (!entry.pipeline) {
      // Errors of this one surface through the device's uncaptured-error path (checkErrors).
      entry.pipeline = this.device.createComputePipeline(entry.descriptor);
      this.syncFallbacks++;
    }
    return entry.pipeline;
  }

  /** Compiles still pending. */
  get compiling(): number {
    return this.pending.size;
  }

  /**
   * Resolves once every pipeline requested so far has compiled; rejects with the first failure
   * (an Error naming its kernel; `and N more` when several failed). Failed compiles are reported
   * once: a later `ready` only waits for what was requested after.
   */
  async ready(): Promise<void> {
    while (this.pending.size) {
      const batch = [...this.pending];
      const results = await Promise.allSettled(batch);
      for (const p of batch) this.pending.delete(p);
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) {
        const first = failed[0].reason as Error;
        throw failed.length > 1 ? new Error(`${first.message} (and ${failed.length - 1} more)`) : first;
      }
    }
  }

  get size(): number {
    return this.cache.size;
  }
}
