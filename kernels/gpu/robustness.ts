// Whether Dawn's robustness transform is on for a device: found by reading past a binding.
import type { GpuBackend } from './backend.ts';
import { read, rw, shader } from '../ops/bindings.ts';

/**
 * Binds the first 4 floats of a 16-float tensor holding 1, 2, 3, 4, then 777s, and reads float 5
 * through that binding: 777 means the read left the binding (robustness off); a robust read gives
 * a value inside the binding or 0.
 */
export async function probeRobustness(gpu: GpuBackend): Promise<'on' | 'off'> {
  const whole = gpu.tensor([16], 'probe');
  gpu.write(whole, Float32Array.from({ length: 16 }, (_, i) => (i < 4 ? i + 1 : 777)));
  const head = gpu.make([4], 'probe head', 'f32', whole.store as GPUBuffer, 0);
  const out = gpu.tensor([1], 'probe out');
  const src = shader([read('X'), rw('O')], `struct D { i: u32, p0: u32, p1: u32, p2: u32 }
@compute @workgroup_size(1) fn main() { O[0] = X[d.i]; }`);
  gpu.run(gpu.program('robustness probe', [gpu.kernel('robustness probe', src, { X: head, O: out, d: { u: [5] } }, [1, 1, 1])]), { step: 0, batchStart: 0, lr: 0, seed: 0, rows: 0 });
  const got = (await gpu.read(out))[0];
  gpu.free(whole);
  gpu.free(out);
  return got === 777 ? 'off' : 'on';
}
