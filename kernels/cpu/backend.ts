// CPU backend: the op interface in plain TypeScript loops. It is the oracle for the WGSL kernels
// and the engine's fallback where no usable WebGPU exists. Written from the math, not from the WGSL.
// This file keeps tensors, programs and timing; each op's loops are in kernels/ops/<family>/cpu.ts.
import {
  flatViews, newTensorId, sizeOf,
  type Backend, type BackendInfo, type Conv2dGeom, type ConvOpts, type Counters, type DType, type Kernel, type KernelTiming, type Program, type ProgramProfile, type StepParams, type Tensor,
} from '../backend.ts';
import { heapF32, heapFree, heapU32, loadWasm, requestedThreads, startThreads, threadCount, useWasmKernels } from '../wasm/index.ts';
import type { CpuKernel } from './kernel.ts';
import * as attentionOps from '../ops/attention/cpu.ts';
import * as augmentOps from '../ops/augment/cpu.ts';
import * as batchnormOps from '../ops/batchnorm/cpu.ts';
import * as convOps from '../ops/conv/cpu.ts';
import * as dropoutOps from '../ops/dropout/cpu.ts';
import * as elementwiseOps from '../ops/elementwise/cpu.ts';
import * as embeddingOps from '../ops/embedding/cpu.ts';
import * as gatherOps from '../ops/gather/cpu.ts';
import * as layernormOps from '../ops/layernorm/cpu.ts';
import * as lossOps from '../ops/loss/cpu.ts';
import * as matmulOps from '../ops/matmul/cpu.ts';
import * as optimizerOps from '../ops/optimizer/cpu.ts';
import * as poolOps from '../ops/pool/cpu.ts';
import * as recurrentOps from '../ops/recurrent/cpu.ts';
import * as reduceOps from '../ops/reduce/cpu.ts';

type Arr = Float32Array | Float64Array | Uint32Array;

const f = (t: Tensor) => t.store as Float32Array;

export class CpuBackend implements Backend {
  readonly info: BackendInfo = {
    kind: 'cpu',
    adapter: 'cpu',
    isFallbackAdapter: false,
    limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 },
    features: [],
  };
  readonly counters: Counters = { dispatches: 0, submits: 0, bytesUploaded: 0, reads: 0, snapshots: 0 };
  private inUse = 0;
  private owned = new Set<unknown>();
  /** 'f64' stores f32 tensors as Float64Array: the finite-difference checks use it to be exact. */
  constructor(readonly precision: 'f32' | 'f64' = 'f32') {
    if (precision === 'f32') useWasmKernels(this); // WebAssembly SIMD kernels where they apply (kernels/wasm/)
  }

  bytesInUse(): number {
    return this.inUse;
  }

  private make(shape: readonly number[], name: string, dtype: DType, store: Arr, offset: number): Tensor {
    return { id: newTensorId(), name, shape: [...shape], size: sizeOf(shape), dtype, offset, store };
  }

  tensor(shape: readonly number[], name: string, dtype: DType = 'f32'): Tensor {
    const n = Math.max(1, sizeOf(shape));
    // The f32 backend's tensors live in the WASM heap where there is room, so its kernels work on them in place.
    const heap = this.precision === 'f32';
    const store = dtype === 'u32' ? (heap && heapU32(n)) || new Uint32Array(n) : !heap ? new Float64Array(n) : heapF32(n) ?? new Float32Array(n);
    this.inUse += store.byteLength;
    this.owned.add(store);
    return this.make(shape, name, dtype, store, 0);
  }

  flat(shapes: readonly (readonly number[])[], name: string): { flat: Tensor; views: Tensor[] } {
    return flatViews(shapes, name, (n) => this.tensor([n], name));
  }

  free(t: Tensor): void {
    if (t.offset === 0 && this.owned.delete(t.store)) {
      this.inUse -= (t.store as Arr).byteLength;
      heapFree(t.store);
    }
  }

  write(t: Tensor, data: Float32Array | Uint32Array): void {
    if (data.length !== t.size) throw new Error(`write ${t.name}: ${data.length} values for size ${t.size}`);
    (t.store as Arr).set(data as never, t.offset);
    this.counters.bytesUploaded += data.byteLength;
  }

  async read(t: Tensor): Promise<Float32Array | Uint32Array> {
    this.counters.reads++;
    const s = (t.store as Arr).slice(t.offset, t.offset + t.size);
    return s instanceof Float64Array ? Float32Array.from(s) : s;
  }

  program(label: string, kernels: readonly Kernel[]): Program {
    return { label, kernels, dispatches: kernels.length };
  }

  run(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null {
    for (const k of p.kernels) (k as CpuKernel).exec(params);
    return this.finishRun(p, snapshot);
  }

  private finishRun(p: Program, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null {
    this.counters.dispatches += p.dispatches;
    this.counters.submits++;
    if (!snapshot) return null;
    this.counters.snapshots++;
    const t = snapshot.tensor;
    const out = Float32Array.from(f(t).subarray(t.offset, t.offset + t.size));
    if (snapshot.reset) f(t).fill(0, t.offset, t.offset + t.size);
    return Promise.resolve(out);
  }

  /** `run` with performance.now() around each kernel (coarse in browsers: 5–100 µs steps). */
  async profile(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<ProgramProfile> {
    const t0 = performance.now();
    const kernels: KernelTiming[] = [];
    let prev = t0;
    for (const k of p.kernels) {
      (k as CpuKernel).exec(params);
      const now = performance.now();
      kernels.push({ label: k.label, ms: now - prev });
      prev = now;
    }
    const snap = this.finishRun(p, snapshot);
    return { source: 'cpu-clock', kernels, wallMs: performance.now() - t0, snapshot: snap ? await snap : null };
  }

  async idle(): Promise<void> {}

  /** Threads the WASM kernels run on (kernels/wasm/pool.ts); 1 before ready(), for the f64 backend, or without shared memory. */
  get threads(): number {
    return this.precision === 'f32' && this.info.features.includes('wasm-simd') ? threadCount() : 1;
  }
  /**
   * Loads the WebAssembly SIMD kernels (kernels/wasm/; info.features gets 'wasm-simd'; without
   * them the TypeScript loops run) and starts their worker pool with the threads asked for by
   * setThreads (one thread where shared memory is missing: pool.ts threadsReason()).
   */
  async ready(): Promise<void> {
    if (!(await loadWasm()) || this.precision !== 'f32') return;
    if (!this.info.features.includes('wasm-simd')) this.info.features.push('wasm-simd');
    if (threadCount() !== requestedThreads()) await startThreads(requestedThreads());
  }
  destroy(): void {}

  // ---- ops: each family's kernels in kernels/ops/<family>/cpu.ts ----
  matmul(...a: Parameters<Backend['matmul']>) { return matmulOps.matmul(...a); }
  unary(...a: Parameters<Backend['unary']>) { return elementwiseOps.unary(...a); }
  unaryBackward(...a: Parameters<Backend['unaryBackward']>) { return elementwiseOps.unaryBackward(...a); }
  binary(...a: Parameters<Backend['binary']>) { return elementwiseOps.binary(...a); }
  binaryBackward(...a: Parameters<Backend['binaryBackward']>) { return elementwiseOps.binaryBackward(...a); }
  reduce(...a: Parameters<Backend['reduce']>) { return reduceOps.reduce(...a); }
  reduceBackward(...a: Parameters<Backend['reduceBackward']>) { return reduceOps.reduceBackward(...a); }
  sumRows(...a: Parameters<Backend['sumRows']>) { return reduceOps.sumRows(...a); }
  softmaxCrossEntropy(...a: Parameters<Backend['softmaxCrossEntropy']>) { return lossOps.softmaxCrossEntropy(...a); }
  mse(...a: Parameters<Backend['mse']>) { return lossOps.mse(...a); }
  dropout(out: Tensor, x: Tensor, rate: number, salt: number) { return dropoutOps.dropout(out, x, rate, salt); }
  dropoutBackward(...a: Parameters<Backend['dropoutBackward']>) { return dropoutOps.dropoutBackward(...a); }
  sumSquares(...a: Parameters<Backend['sumSquares']>) { return reduceOps.sumSquares(...a); }
  optimizerStep(...a: Parameters<Backend['optimizerStep']>) { return optimizerOps.optimizerStep(...a); }
  gatherBatch(...a: Parameters<Backend['gatherBatch']>) { return gatherOps.gatherBatch(...a); }
  fill(...a: Parameters<Backend['fill']>) { return elementwiseOps.fill(...a); }
  addInto(...a: Parameters<Backend['addInto']>) { return elementwiseOps.addInto(...a); }
  embedding(out: Tensor, ids: Tensor, table: Tensor) { return embeddingOps.embedding(out, ids, table); }
  embeddingBackward(...a: Parameters<Backend['embeddingBackward']>) { return embeddingOps.embeddingBackward(...a); }
  recurrentStep(...a: Parameters<Backend['recurrentStep']>) { return recurrentOps.recurrentStep(...a); }
  recurrentStepBackward(...a: Parameters<Backend['recurrentStepBackward']>) { return recurrentOps.recurrentStepBackward(...a); }
  gatherRows(...a: Parameters<Backend['gatherRows']>) { return gatherOps.gatherRows(...a); }
  sequenceCrossEntropy(...a: Parameters<Backend['sequenceCrossEntropy']>) { return lossOps.sequenceCrossEntropy(...a); }
  layerNorm(...a: Parameters<Backend['layerNorm']>) { return layernormOps.layerNorm(...a); }
  layerNormBackward(...a: Parameters<Backend['layerNormBackward']>) { return layernormOps.layerNormBackward(...a); }
  attention(...a: Parameters<Backend['attention']>) { return attentionOps.attention(...a); }
  attentionBackward(...a: Parameters<Backend['attentionBackward']>) { return attentionOps.attentionBackward(...a); }
  attentionProbs(...a: Parameters<Backend['attentionProbs']>) { return attentionOps.attentionProbs(...a); }
  conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o?: ConvOpts) { return convOps.conv2d(out, x, w, g, o); }
  conv2dBackwardInput(...a: Parameters<Backend['conv2dBackwardInput']>) { return convOps.conv2dBackwardInput(...a); }
  conv2dBackwardWeight(...a: Parameters<Backend['conv2dBackwardWeight']>) { return convOps.conv2dBackwardWeight(...a); }
  pool2d(...a: Parameters<Backend['pool2d']>) { return poolOps.pool2d(...a); }
  pool2dBackward(...a: Parameters<Backend['pool2dBackward']>) { return poolOps.pool2dBackward(...a); }
  batchnormStats(...a: Parameters<Backend['batchnormStats']>) { return batchnormOps.batchnormStats(...a); }
  batchnormApply(...a: Parameters<Backend['batchnormApply']>) { return batchnormOps.batchnormApply(...a); }
  batchnormBackward(...a: Parameters<Backend['batchnormBackward']>) { return batchnormOps.batchnormBackward(...a); }
  augment(...a: Parameters<Backend['augment']>) { return augmentOps.augment(...a); }
}
