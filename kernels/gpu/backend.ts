// WebGPU backend: ops record dispatches (pipeline + bind group + workgroup counts) made once; a
// program replays them in one compute pass, one command encoder and one queue submission.
import {
  alignUp, flatViews, newTensorId, sizeOf,
  type Backend, type BackendInfo, type Conv2dGeom, type ConvOpts, type Counters, type DType, type Kernel, type Program, type ProgramProfile, type StepParams, type Tensor,
} from '../backend.ts';
import type { FusedBackwardOps } from '../autodiff/fused.ts';
import type { GpuContext } from '../device/gpu.ts';
import { PipelineCache, type PipelineEntry } from '../device/pipelines.ts';
import { bindEntries, STEP, type Shader } from '../ops/bindings.ts';
import { BufferPool } from '../device/pool.ts';
import { StagingRing } from '../device/readback.ts';
import { grid1d } from '../ops/common.wgsl.ts';
import * as attentionOps from '../ops/attention/gpu.ts';
import * as augmentOps from '../ops/augment/gpu.ts';
import * as batchnormOps from '../ops/batchnorm/gpu.ts';
import * as convOps from '../ops/conv/gpu.ts';
import * as dropoutOps from '../ops/dropout/gpu.ts';
import * as elementwiseOps from '../ops/elementwise/gpu.ts';
import * as embeddingOps from '../ops/embedding/gpu.ts';
import * as gatherOps from '../ops/gather/gpu.ts';
import * as layernormOps from '../ops/layernorm/gpu.ts';
import * as lossOps from '../ops/loss/gpu.ts';
import * as matmulOps from '../ops/matmul/gpu.ts';
import * as optimizerOps from '../ops/optimizer/gpu.ts';
import * as poolOps from '../ops/pool/gpu.ts';
import * as recurrentOps from '../ops/recurrent/gpu.ts';
import * as reduceOps from '../ops/reduce/gpu.ts';

/** Timestamp queries of one program, made on its first profile and reused: two per kernel. */
interface Profiler {
  sets: GPUQuerySet[];
  resolve: GPUBuffer; // QUERY_RESOLVE | COPY_SRC
  readback: GPUBuffer; // MAP_READ | COPY_DST
  bytes: number;
  busy: boolean;
}
/** Kernels per query set: 4096 queries is WebGPU's maximum query set size, two per kernel. */
const QUERY_KERNELS = 2048;

export interface GpuKernel extends Kernel {
  /** The cache entry: its pipeline is set once the async compile finishes (or at first encode). */
  readonly entry: PipelineEntry;
  /** The compiled pipeline, or null while it is still compiling. */
  readonly pipeline: GPUComputePipeline | null;
  bindGroup: GPUBindGroup;
  groups: [number, number, number];
  /** A dispatch that must follow this one (a reduction's second pass): same pass, counted, timed together. */
  next?: GpuKernel;
}

/** A dims uniform: u32 words, then f32 words. */
export type Dims = { u: number[]; f?: number[] };
export type Arg = Tensor | Dims;
// A function, not a constant: GPUBufferUsage exists only where WebGPU does (the CPU fallback imports this module too).
const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class GpuBackend implements Backend, FusedBackwardOps {
  readonly info: BackendInfo;
  readonly counters: Counters = { dispatches: 0, submits: 0, bytesUploaded: 0, reads: 0, snapshots: 0 };
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  private ring: StagingRing;
  private stepBuf: GPUBuffer;
  private stepData = new ArrayBuffer(32);
  private uniforms: GPUBuffer[] = [];
  /** Kernel-internal storage (attention's Δ rows), outside the pool like the uniforms; freed on destroy. */
  private scratch: GPUBuffer[] = [];
  private lostHandlers: ((reason: string) => void)[] = [];
  /** Timestamp query sets and buffers per profiled program (see `profile`). */
  private profilers = new Map<Program, Profiler>();
  lost: string | null = null;
  readonly errors: string[] = [];
  /**
   * Which kernel forms to use where a hardware GPU and a CPU-backed adapter (SwiftShader) want
   * different ones: 'auto' picks per adapter; tests set 'hardware' to run the hardware forms on
   * SwiftShader (and compare them to the CPU reference) or 'fallback' for the other way round.
   */
  paths: 'auto' | 'hardware' | 'fallback' = 'auto';
  /** True where the hardware-GPU forms apply (split reductions, parallel recurrent steps, large tiles). */
  get hw(): boolean {
    return this.paths === 'hardware' || (this.paths === 'auto' && !this.info.isFallbackAdapter);
  }

  /** Conv2D + max pool as one kernel where the graph can (autodiff/convpool.ts); false: the plain pair (tests compare). */
  fuseConvPool = true;

  /** Smallest subgroup size where the device has 'subgroups' (32 on NVIDIA, 4 on Dawn's SwiftShader), else 0. */
  readonly subgroupSize: number;

  constructor(ctx: GpuContext) {
    this.device = ctx.device;
    this.subgroupSize = ctx.subgroupMinSize ?? 0;
    this.info = {
      kind: 'webgpu',
      adapter: ctx.adapterName,
      isFallbackAdapter: ctx.isFallbackAdapter,
      limits: {
        maxBufferSize: Number(ctx.device.limits.maxBufferSize),
        maxStorageBufferBindingSize: Number(ctx.device.limits.maxStorageBufferBindingSize),
      },
      features: ctx.features,
    };
    this.pool = new BufferPool(this.device);
    this.pipelines = new PipelineCache(this.device);
    this.ring = new StagingRing(this.device);
    this.stepBuf = this.device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'step' });
    // Validation and out-of-memory errors are collected; `checkErrors` turns them into exceptions.
    this.device.onuncapturederror = (e: GPUUncapturedErrorEvent) => this.errors.push(e.error.message);
    void this.device.lost.then((info) => {
      this.lost = info.message || info.reason || 'device lost';
      for (const h of this.lostHandlers) h(this.lost);
    });
  }

  /** Device loss surfaced as an event. */
  onLost(handler: (reason: string) => void): void {
    this.lostHandlers.push(handler);
  }

  async lostWithin(ms: number): Promise<string | null> {
    const lost = await Promise.race([this.device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
    return lost ? this.lost ?? 'unknown reason' : null;
  }

  bytesInUse(): number {
    return this.pool.inUse;
  }

  make(shape: readonly number[], name: string, dtype: DType, store: GPUBuffer, offset: number): Tensor {
    return { id: newTensorId(), name, shape: [...shape], size: sizeOf(shape), dtype, offset, store };
  }

  tensor(shape: readonly number[], name: string, dtype: DType = 'f32'): Tensor {
    const bytes = Math.max(1, sizeOf(shape)) * 4;
    if (bytes > this.info.limits.maxStorageBufferBindingSize)
      throw new Error(`tensor ${name} needs ${bytes} bytes, over this device's binding limit of ${this.info.limits.maxStorageBufferBindingSize}`);
    const buf = this.pool.acquire(bytes, STORAGE(), name);
    // Pooled buffers may hold old data; tensors start at zero.
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(buf);
    this.device.queue.submit([enc.finish()]);
    return this.make(shape, name, dtype, buf, 0);
  }

  flat(shapes: readonly (readonly number[])[], name: string): { flat: Tensor; views: Tensor[] } {
    return flatViews(shapes, name, (n) => this.tensor([n], name));
  }

  free(t: Tensor): void {
    if (t.offset === 0) this.pool.release(t.store as GPUBuffer);
  }

  write(t: Tensor, data: Float32Array | Uint32Array): void {
    if (data.length !== t.size) throw new Error(`write ${t.name}: ${data.length} values for size ${t.size}`);
    this.device.queue.writeBuffer(t.store as GPUBuffer, t.offset * 4, data.buffer, data.byteOffset, data.byteLength);
    this.counters.bytesUploaded += data.byteLength;
  }

  async read(t: Tensor): Promise<Float32Array | Uint32Array> {
    this.counters.reads++;
    const bytes = t.size * 4;
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'read');
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(t.store as GPUBuffer, t.offset * 4, staging, 0, bytes);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const raw = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.pool.release(staging);
    return t.dtype === 'u32' ? new Uint32Array(raw) : new Float32Array(raw);
  }

  program(label: string, kernels: readonly Kernel[]): Program {
    let dispatches = 0;
    for (const k of kernels as GpuKernel[]) for (let d: GpuKernel | undefined = k; d; d = d.next) dispatches++;
    return { label, kernels, dispatches };
  }

  run(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null {
    return this.submitProgram(p, params, snapshot, null);
  }

  /**
   * Encodes and submits one run of p: the step uniform, the dispatches (one compute pass, or with
   * `timed` one pass per kernel with timestamps at its start and end, then the query resolve and
   * its copy out), and the optional snapshot copy, all in one submission.
   */
  private submitProgram(p: Program, params: StepParams, snapshot: { tensor: Tensor; reset: boolean } | undefined, timed: Profiler | null): Promise<Float32Array> | null {
    const dv = new DataView(this.stepData);
    dv.setUint32(0, params.step, true);
    dv.setUint32(4, params.batchStart, true);
    dv.setFloat32(8, params.lr, true);
    dv.setUint32(12, params.seed >>> 0, true);
    dv.setUint32(16, params.rows, true);
    this.device.queue.writeBuffer(this.stepBuf, 0, this.stepData);
    this.counters.bytesUploaded += 32;
    const enc = this.device.createCommandEncoder({ label: p.label });
    if (timed) {
      (p.kernels as GpuKernel[]).forEach((k, i) => {
        const q = (i % QUERY_KERNELS) * 2;
        const pass = enc.beginComputePass({
          label: k.label,
          timestampWrites: { querySet: timed.sets[Math.floor(i / QUERY_KERNELS)], beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 },
        });
        this.encode(pass, k);
        pass.end();
      });
      timed.sets.forEach((set, j) => {
        const n = Math.min(QUERY_KERNELS, p.kernels.length - j * QUERY_KERNELS) * 2;
        enc.resolveQuerySet(set, 0, n, timed.resolve, j * QUERY_KERNELS * 16);
      });
      enc.copyBufferToBuffer(timed.resolve, 0, timed.readback, 0, timed.bytes);
    } else {
      const pass = enc.beginComputePass({ label: p.label });
      for (const k of p.kernels as GpuKernel[]) this.encode(pass, k);
      pass.end();
    }
    let result: Promise<Float32Array> | null = null;
    if (snapshot) {
      const t = snapshot.tensor;
      const slot = this.ring.take(t.size * 4);
      enc.copyBufferToBuffer(t.store as GPUBuffer, t.offset * 4, slot.buffer, 0, t.size * 4);
      if (snapshot.reset) enc.clearBuffer(t.store as GPUBuffer, t.offset * 4, t.size * 4);
      this.device.queue.submit([enc.finish()]);
      result = this.ring.map(slot, t.size * 4);
      this.counters.snapshots++;
    } else {
      this.device.queue.submit([enc.finish()]);
    }
    this.counters.dispatches += p.dispatches;
    this.counters.submits++;
    return result;
  }

  /**
   * Kernel-internal storage of `floats` values, outside the pool; freed on destroy. Copyable, as
   * pooled tensors are, so that the GPU op suite can poison and check the bytes around it.
   */
  scratchBuffer(floats: number, label: string): GPUBuffer {
    const buf = this.device.createBuffer({ size: Math.max(1, floats) * 4, usage: STORAGE(), label });
    this.scratch.push(buf);
    return buf;
  }

  /** A kernel's dispatch and those chained after it. */
  private encode(pass: GPUComputePassEncoder, k: GpuKernel): void {
    for (let d: GpuKernel | undefined = k; d; d = d.next) {
      pass.setPipeline(this.pipelines.use(d.entry));
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    }
  }

  /** True when the device can time dispatches (the 'timestamp-query' feature was granted). */
  get canTimestamp(): boolean {
    return this.device.features.has('timestamp-query');
  }

  async profile(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<ProgramProfile> {
    const t0 = performance.now();
    if (!this.canTimestamp || p.kernels.length === 0) {
      // No per-kernel GPU times on this device: run the step and say so.
      const snap = this.submitProgram(p, params, snapshot, null);
      await this.idle();
      const wallMs = performance.now() - t0;
      return { source: 'none', kernels: [], wallMs, snapshot: snap ? await snap : null };
    }
    let prof = this.profilers.get(p);
    if (!prof) {
      const sets: GPUQuerySet[] = [];
      for (let i = 0; i < p.kernels.length; i += QUERY_KERNELS)
        sets.push(this.device.createQuerySet({ type: 'timestamp', count: Math.min(QUERY_KERNELS, p.kernels.length - i) * 2, label: `${p.label} timestamps` }));
      const bytes = alignUp(p.kernels.length * 16, 256);
      prof = {
        sets, bytes, busy: false,
        resolve: this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: `${p.label} timestamps` }),
        readback: this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `${p.label} timestamps readback` }),
      };
      this.profilers.set(p, prof);
    }
    if (prof.busy) throw new Error(`profile ${p.label}: a profile of this program is still being read back`);
    prof.busy = true;
    try {
      const snap = this.submitProgram(p, params, snapshot, prof);
      await prof.readback.mapAsync(GPUMapMode.READ, 0, prof.bytes);
      const wallMs = performance.now() - t0;
      const ns = new BigUint64Array(prof.readback.getMappedRange(0, prof.bytes).slice(0));
      prof.readback.unmap();
      this.checkErrors();
      const kernels = p.kernels.map((k, i) => {
        const begin = ns[2 * i], end = ns[2 * i + 1];
        // A timer that wraps or a device that reorders passes could give end < begin: no time, not a negative one.
        return { label: k.label, ms: end > begin ? Number(end - begin) / 1e6 : 0 };
      });
      return { source: 'timestamp-query', kernels, wallMs, snapshot: snap ? await snap : null };
    } finally {
      prof.busy = false;
    }
  }

  async idle(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.checkErrors();
  }

  /**
   * Resolves when every pipeline made so far has compiled (they compile in the background with
   * createComputePipelineAsync); rejects with an Error naming the kernel whose pipeline failed
   * (with the WebGPU errors reported meanwhile, such as the WGSL parse error, appended), or with
   * any WebGPU error reported meanwhile (checkErrors).
   */
  async ready(): Promise<void> {
    try {
      await this.pipelines.ready();
    } catch (e) {
      if (!this.errors.length || !(e instanceof Error)) throw e;
      throw new Error(`${e.message}\n${this.errors.splice(0).join('\n')}`, { cause: e });
    }
    this.checkErrors();
  }

  /** Throws the first WebGPU error reported since the last check (shader, validation, memory). */
  checkErrors(): void {
    if (!this.errors.length) return;
    const first = this.errors[0];
    const n = this.errors.length;
    this.errors.length = 0;
    throw new Error(`WebGPU error${n > 1 ? ` (and ${n - 1} more)` : ''}: ${first}`);
  }

  destroy(): void {
    this.pool.destroy();
    this.ring.destroy();
    for (const u of this.uniforms) u.destroy();
    for (const b of this.scratch) b.destroy();
    for (const pr of this.profilers.values()) {
      for (const q of pr.sets) q.destroy();
      pr.resolve.destroy();
      pr.readback.destroy();
    }
    this.profilers.clear();
    this.device.destroy();
  }

  /**
   * Builds one dispatch: the pipeline from the shader's code, the bind group from its binding list
   * (ops/bindings.ts) with each buffer found by name: `st` is the Step uniform, a `{ u, f }` value
   * becomes a uniform buffer made now (u32 words, then f32 words), a Tensor binds its range.
   */
  kernel(label: string, src: Shader, args: Record<string, Arg>, groups: [number, number, number]): GpuKernel {
    const entry = this.pipelines.get(label, src);
    const resources = new Map<string, GPUBufferBinding>();
    for (const name of Object.keys(args))
      if (!src.bindings.some((b) => b.name === name)) throw new Error(`kernel ${label}: no binding named ${name} (has ${src.bindings.map((b) => b.name).join(', ')})`);
    for (const b of src.bindings) {
      if (b.name === STEP.name) { resources.set(b.name, { buffer: this.stepBuf }); continue; }
      const arg = args[b.name];
      if (arg === undefined) continue; // bindEntries names it
      const isTensor = 'store' in arg;
      if (isTensor === (b.access === 'uniform')) throw new Error(`kernel ${label}: binding ${b.name} is ${b.access}, given ${isTensor ? 'a tensor' : 'uniform words'}`);
      if (!isTensor) {
        const words = new Uint32Array(Math.max(4, alignUp(arg.u.length + (arg.f?.length ?? 0), 4)));
        words.set(arg.u);
        if (arg.f) new Float32Array(words.buffer).set(arg.f, arg.u.length);
        const buf = this.device.createBuffer({ size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
        this.device.queue.writeBuffer(buf, 0, words);
        this.uniforms.push(buf);
        resources.set(b.name, { buffer: buf });
      } else {
        resources.set(b.name, { buffer: arg.store as GPUBuffer, offset: arg.offset * 4, size: Math.max(arg.size, 1) * 4 });
      }
    }
    const bindGroup = this.device.createBindGroup({ label, layout: entry.layout, entries: bindEntries(label, src.bindings, resources) });
    return { label, entry, get pipeline() { return entry.pipeline; }, bindGroup, groups };
  }

  /** One thread per element of n, on grid1d's 2-D grid of 256-wide workgroups. */
  ew(label: string, src: Shader, n: number, dims: Dims, tensors: Record<string, Tensor>): GpuKernel {
    const [gx, gy] = grid1d(n);
    return this.dimsKernel(label, src, dims, tensors, [gx, gy, 1]);
  }

  /** The dims uniform (binding 1, whatever the kernel calls it) and the tensors, on a grid of the kernel's own. */
  dimsKernel(label: string, src: Shader, dims: Dims, tensors: Record<string, Tensor>, groups: [number, number, number]): GpuKernel {
    return this.kernel(label, src, { ...tensors, [src.bindings[1].name]: dims }, groups);
  }

  // ---- ops: each family's dispatch in kernels/ops/<family>/gpu.ts ----
  matmul(...a: Parameters<Backend['matmul']>) { return matmulOps.matmul(this, ...a); }
  unary(...a: Parameters<Backend['unary']>) { return elementwiseOps.unary(this, ...a); }
  unaryBackward(...a: Parameters<Backend['unaryBackward']>) { return elementwiseOps.unaryBackward(this, ...a); }
  binary(...a: Parameters<Backend['binary']>) { return elementwiseOps.binary(this, ...a); }
  binaryBackward(...a: Parameters<Backend['binaryBackward']>) { return elementwiseOps.binaryBackward(this, ...a); }
  reduce(...a: Parameters<Backend['reduce']>) { return reduceOps.reduce(this, ...a); }
  reduceBackward(...a: Parameters<Backend['reduceBackward']>) { return reduceOps.reduceBackward(this, ...a); }
  sumRows(...a: Parameters<Backend['sumRows']>) { return reduceOps.sumRows(this, ...a); }
  softmaxCrossEntropy(...a: Parameters<Backend['softmaxCrossEntropy']>) { return lossOps.softmaxCrossEntropy(this, ...a); }
  mse(...a: Parameters<Backend['mse']>) { return lossOps.mse(this, ...a); }
  dropout(out: Tensor, x: Tensor, rate: number, salt: number) { return dropoutOps.dropout(this, out, x, rate, salt); }
  dropoutBackward(...a: Parameters<Backend['dropoutBackward']>) { return dropoutOps.dropoutBackward(this, ...a); }
  sumSquares(...a: Parameters<Backend['sumSquares']>) { return reduceOps.sumSquares(this, ...a); }
  optimizerStep(...a: Parameters<Backend['optimizerStep']>) { return optimizerOps.optimizerStep(this, ...a); }
  gatherBatch(...a: Parameters<Backend['gatherBatch']>) { return gatherOps.gatherBatch(this, ...a); }
  fill(...a: Parameters<Backend['fill']>) { return elementwiseOps.fill(this, ...a); }
  addInto(...a: Parameters<Backend['addInto']>) { return elementwiseOps.addInto(this, ...a); }
  conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o?: ConvOpts) { return convOps.conv2d(this, out, x, w, g, o); }
  conv2dBackwardInput(...a: Parameters<Backend['conv2dBackwardInput']>) { return convOps.conv2dBackwardInput(this, ...a); }
  conv2dBackwardWeight(...a: Parameters<Backend['conv2dBackwardWeight']>) { return convOps.conv2dBackwardWeight(this, ...a); }
  conv2dBackwardWeightBias(...a: Parameters<FusedBackwardOps['conv2dBackwardWeightBias']>) { return convOps.conv2dBackwardWeightBias(this, ...a); }
  pool2d(...a: Parameters<Backend['pool2d']>) { return poolOps.pool2d(this, ...a); }
  pool2dBackward(...a: Parameters<Backend['pool2dBackward']>) { return poolOps.pool2dBackward(this, ...a); }
  pool2dBackwardAct(...a: Parameters<FusedBackwardOps['pool2dBackwardAct']>) { return poolOps.pool2dBackwardAct(this, ...a); }
  conv2dMaxPool(...a: Parameters<FusedBackwardOps['conv2dMaxPool']>) { return convOps.conv2dMaxPool(this, ...a); }
  maxPoolBackwardActPooled(...a: Parameters<FusedBackwardOps['maxPoolBackwardActPooled']>) { return poolOps.maxPoolBackwardActPooled(this, ...a); }
  batchnormStats(...a: Parameters<Backend['batchnormStats']>) { return batchnormOps.batchnormStats(this, ...a); }
  batchnormApply(...a: Parameters<Backend['batchnormApply']>) { return batchnormOps.batchnormApply(this, ...a); }
  batchnormBackward(...a: Parameters<Backend['batchnormBackward']>) { return batchnormOps.batchnormBackward(this, ...a); }
  augment(...a: Parameters<Backend['augment']>) { return augmentOps.augment(this, ...a); }
  layerNorm(...a: Parameters<Backend['layerNorm']>) { return layernormOps.layerNorm(this, ...a); }
  layerNormBackward(...a: Parameters<Backend['layerNormBackward']>) { return layernormOps.layerNormBackward(this, ...a); }
  attention(...a: Parameters<Backend['attention']>) { return attentionOps.attention(this, ...a); }
  attentionBackward(...a: Parameters<Backend['attentionBackward']>) { return attentionOps.attentionBackward(this, ...a); }
  attentionProbs(...a: Parameters<Backend['attentionProbs']>) { return attentionOps.attentionProbs(this, ...a); }
  embedding(out: Tensor, ids: Tensor, table: Tensor) { return embeddingOps.embedding(this, out, ids, table); }
  embeddingBackward(...a: Parameters<Backend['embeddingBackward']>) { return embeddingOps.embeddingBackward(this, ...a); }
  recurrentStep(...a: Parameters<Backend['recurrentStep']>) { return recurrentOps.recurrentStep(this, ...a); }
  recurrentStepBackward(...a: Parameters<Backend['recurrentStepBackward']>) { return recurrentOps.recurrentStepBackward(this, ...a); }
  recurrentSequence(...a: Parameters<NonNullable<Backend['recurrentSequence']>>) { return recurrentOps.recurrentSequence(this, ...a); }
  recurrentSequenceBackward(...a: Parameters<NonNullable<Backend['recurrentSequenceBackward']>>) { return recurrentOps.recurrentSequenceBackward(this, ...a); }
  gatherRows(...a: Parameters<Backend['gatherRows']>) { return gatherOps.gatherRows(this, ...a); }
  sequenceCrossEntropy(...a: Parameters<Backend['sequenceCrossEntropy']>) { return lossOps.sequenceCrossEntropy(this, ...a); }
}
