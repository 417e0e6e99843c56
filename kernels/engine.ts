// Backend selection: WebGPU when a usable adapter exists, the CPU backend otherwise (with the reason).
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu/backend.ts';
import { acquireGpu } from './device/gpu.ts';
import { GpuBackend } from './gpu/backend.ts';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export async function createBackend(choice: BackendChoice, gpu?: GPU): Promise<{ backend: Backend; fallbackReason: string | null }> {
  if (choice === 'cpu') return { backend: new CpuBackend(), fallbackReason: 'CPU backend chosen' };
  try {
    const ctx = await acquireGpu(gpu);
    return { backend: new GpuBackend(ctx), fallbackReason: null };
  } catch (e) {
    if (choice === 'webgpu') throw e;
    return { backend: new CpuBackend(), fallbackReason: e instanceof Error ? e.message : String(e) };
  }
}
