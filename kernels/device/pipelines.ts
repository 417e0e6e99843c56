// Pipeline cache keyed by the generated WGSL (which encodes op, dtype, tile choice and
// divisibility flags; sizes travel as uniforms, so one pipeline serves every size).

export type BindingKind = 'uniform' | 'read' | 'rw';

export interface PipelineEntry {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class PipelineCache {
  private cache = new Map<string, PipelineEntry>();
  compiled = 0;
  /** Set to print every new kernel's WGSL (debug switch). */
  static debugPrintWgsl = false;

  constructor(private device: GPUDevice) {}

  get(label: string, code: string, bindings: BindingKind[]): PipelineEntry {
    const key = code;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (PipelineCache.debugPrintWgsl) console.log(`// ${label}\n${code}`);
    const layout = this.device.createBindGroupLayout({
      label,
      entries: bindings.map((kind, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    const module = this.device.createShaderModule({ label, code });
    const pipeline = this.device.createComputePipeline({
      label,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const entry = { pipeline, layout };
    this.cache.set(key, entry);
    this.compiled++;
    return entry;
  }

  get size(): number {
    return this.cache.size;
  }
}
