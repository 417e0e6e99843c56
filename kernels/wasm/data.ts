// CpuBackend.gatherBatch on the WebAssembly kernel (kernels/wasm/as/data.ts), when the dataset,
// indices and batch tensors all live in the WASM heap.
import type { StepParams, Tensor } from '../backend.ts';
import { addressOf, wasm } from './runtime.ts';

export function wasmGatherBatch(x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): (p: StepParams) => boolean {
  return (sp) => {
    const k = wasm(), p = [x, y, images, labels, indices].map((t) => addressOf(t.store, t.offset));
    if (!k || Math.min(...p) < 0) return false;
    k.gatherBatch(y.size, rowBytes, sp.batchStart, indices.size, p[4], p[2], p[3], p[0], p[1]);
    return true;
  };
}
