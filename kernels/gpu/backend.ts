// WebGPU backend: ops record dispatches (pipeline + bind group + workgroup counts) made once; a
// program replays them in one compute pass, one command encoder and one queue submission.
import {
  alignUp, flatViews, matmulDims, newTensorId, sizeOf,
  type Backend, type BackendInfo, type BinaryOp, type Counters, type DType, type Kernel, type MatmulOpts,
  type OptimizerConfig, type Program, type ProgramProfile, type ReduceOp, type StepParams, type Tensor, type UnaryOp,
} from '../backend.ts';
import type { GpuContext } from '../device/gpu.ts';
import { type BindingKind, PipelineCache, type PipelineEntry } from '../device/pipelines.ts';
import { BufferPool } from '../device/pool.ts';
import { StagingRing } from '../device/readback.ts';
import { grid1d, pow2AtLeast } from '../ops/common.wgsl.ts';
import {
  addIntoWgsl, binaryGradAWgsl, binaryGradBWgsl, binaryWgsl, fillWgsl, unaryBackwardWgsl, unaryWgsl,
} from '../ops/elementwise/wgsl.ts';
import { mseWgsl, sequenceCeWgsl, softmaxCeWgsl } from '../ops/loss/wgsl.ts';
import { matmulWgsl } from '../ops/matmul/tiled.wgsl.ts';
import { matmulRegisterEligible, matmulRegisterWgsl, REG_COLS, REG_WG } from '../ops/matmul/register.wgsl.ts';
import { largeAligned, largeTileInvalid, matmulLargeWgsl, type LargeTile } from '../ops/matmul/large.wgsl.ts';
import { dotLanes, matmulDotWgsl } from '../ops/matmul/dot.wgsl.ts';
import { reduceBackwardWgsl, reduceWgsl, sumRowsParallelWgsl, sumRowsWgsl, sumSquaresWgsl } from '../ops/reduce/wgsl.ts';
import { optimizerWgsl } from '../ops/optimizer/wgsl.ts';
import { dropoutWgsl } from '../ops/dropout/wgsl.ts';
import { gatherRowsWgsl, gatherWgsl } from '../ops/gather/wgsl.ts';
import { axisSplit, checkBroadcast, checkConv, checkPool } from '../cpu/backend.ts';
import { CONV_WG, convBlock, convDims, convWgsl, type ConvMode } from '../ops/conv/wgsl.ts';
import { convDwParallelWgsl, DW_WG } from '../ops/conv/dw.wgsl.ts';
import { embeddingBackwardParallelWgsl, embeddingBackwardWgsl, embeddingWgsl } from '../ops/embedding/wgsl.ts';
import { poolBackwardWgsl, poolWgsl } from '../ops/pool/wgsl.ts';
import { bnApplyWgsl, bnBackwardDxWgsl, bnBackwardSumsWgsl, bnStatsWgsl } from '../ops/batchnorm/wgsl.ts';
import { augmentWgsl } from '../ops/augment/wgsl.ts';
import type { AugmentConfig, Conv2dGeom, FusedAct, PoolOp } from '../backend.ts';
import {
  recurrentInit, recurrentInitBackwardWgsl, recurrentInitWgsl,
  recurrentSplitGroups, recurrentStepBackwardSplitWgsl, recurrentStepBackwardWgsl, recurrentStepSplitWgsl, recurrentStepWgsl,
  RNN_SPLIT_UNITS,
} from '../ops/recurrent/wgsl.ts';
import type { CellKind, RecurrentBuffers, RecurrentGrads } from '../backend.ts';
import { attentionDims } from '../ops/attention/cpu.ts';
import { checkAttention, checkLayerNorm } from '../cpu/backend.ts';
import {
  attentionBackwardDkvWgsl, attentionBackwardDqWgsl, attentionProbsWgsl, attentionTile, attentionWgsl,
} from '../ops/attention/wgsl.ts';
import {
  layerNormBackwardDxRowWgsl, layerNormBackwardDxWgsl, layerNormBackwardParamsWgsl, layerNormRowWgsl, layerNormWgsl, ROW_THREAD_MAX_C, rowGrid,
  hwParamCols, hwParamGrid, hwRowGrid, hwTpr, layerNormBackwardDxHwWgsl, layerNormBackwardParamsHwWgsl, layerNormHwWgsl,
} from '../ops/layernorm/wgsl.ts';

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

interface GpuKernel extends Kernel {
  /** The cache entry: its pipeline is set once the async compile finishes (or at first encode). */
  readonly entry: PipelineEntry;
  /** The compiled pipeline, or null while it is still compiling. */
  readonly pipeline: GPUComputePipeline | null;
  bindGroup: GPUBindGroup;
  groups: [number, number, number];
  /** A dispatch that must follow this one (a reduction's second pass): same pass, counted, timed together. */
  next?: GpuKernel;
}

type Arg = Tensor | 'step' | { u: number[]; f?: number[] };
/** Workgroups the hardware conv weight gradient aims for (an H100 has 132 SMs). */
const DW_TARGET_GROUPS = 264;
/** Rows per lane of a sumRows chunk on hardware GPUs (sumRowsParallelWgsl). */
const SUM_CHUNK_LANE = 16;
/**
 * The dot kernel (matmul/dot.wgsl.ts) takes products of at most this many outputs with K of at
 * least DOT_MIN_K: on an H100 it ran 128×10×1024 in 38 µs (tiled 166), while 64×192×1024 was
 * faster on large tiles (52 µs against 72).
 */
const DOT_MAX_OUTPUTS = 4096;
const DOT_MIN_K = 256;
/**
 * The large matmul's tiles, biggest first, each taken where it makes at least `min` workgroups
 * (an H100 has 132 SMs). From `npm run bench:node -- --sweep` on an H100 (BENCHMARKS.md): at
 * n = 4096 128×256/8×16 ran at 39 TFLOP/s (128×128/8×8 37, 64×64 27); at n = 1024 32×128 led
 * (23); on the MLP's 128×1024 products 32×64 (4.3–4.6 vs 2.9 for the 64×64 tiled kernel).
 */
const LARGE_TILES: { t: LargeTile; min: number }[] = [
  { t: { bm: 128, bn: 256, bk: 8, tm: 8, tn: 16, double: true }, min: 256 },
  { t: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, double: true }, min: 256 },
  { t: { bm: 64, bn: 128, bk: 8, tm: 4, tn: 8, double: true }, min: 256 },
  { t: { bm: 32, bn: 128, bk: 16, tm: 4, tn: 8, double: true }, min: 128 },
  { t: { bm: 32, bn: 64, bk: 16, tm: 4, tn: 4, double: true }, min: 32 },
  { t: { bm: 32, bn: 32, bk: 16, tm: 4, tn: 4, double: true }, min: 1 },
];
// A function, not a constant: GPUBufferUsage exists only where WebGPU does (the CPU fallback imports this module too).
const STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class GpuBackend implements Backend {
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

  bytesInUse(): number {
    return this.pool.inUse;
  }

  private make(shape: readonly number[], name: string, dtype: DType, store: GPUBuffer, offset: number): Tensor {
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

  /** Kernel-internal storage of `floats` values, outside the pool; freed on destroy. */
  private scratchBuffer(floats: number, label: string): GPUBuffer {
    const buf = this.device.createBuffer({ size: Math.max(1, floats) * 4, usage: GPUBufferUsage.STORAGE, label });
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

  /** Builds one dispatch. Args map to bindings 0..n: 'step' → the Step uniform, {u,f} → a dims uniform. */
  private kernel(label: string, code: string, args: { arg: Arg; kind: BindingKind }[], groups: [number, number, number]): GpuKernel {
    const entry = this.pipelines.get(label, code, args.map((a) => a.kind));
    const { layout } = entry;
    const entries: GPUBindGroupEntry[] = args.map(({ arg }, binding) => {
      if (arg === 'step') return { binding, resource: { buffer: this.stepBuf } };
      if ('u' in arg) {
        const words = new Uint32Array(Math.max(4, alignUp(arg.u.length + (arg.f?.length ?? 0), 4)));
        words.set(arg.u);
        if (arg.f) new Float32Array(words.buffer).set(arg.f, arg.u.length);
        const buf = this.device.createBuffer({ size: words.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
        this.device.queue.writeBuffer(buf, 0, words);
        this.uniforms.push(buf);
        return { binding, resource: { buffer: buf } };
      }
      const t = arg as Tensor;
      return { binding, resource: { buffer: t.store as GPUBuffer, offset: t.offset * 4, size: Math.max(t.size, 1) * 4 } };
    });
    const bindGroup = this.device.createBindGroup({ label, layout, entries });
    return { label, entry, get pipeline() { return entry.pipeline; }, bindGroup, groups };
  }

  /** One thread per element of n, on grid1d's 2-D grid of 256-wide workgroups. */
  private ew(label: string, code: string, n: number, dims: { u: number[]; f?: number[] }, tensors: [Tensor, BindingKind][]): GpuKernel {
    const [gx, gy] = grid1d(n);
    return this.dimsKernel(label, code, dims, tensors, [gx, gy, 1]);
  }

  /** The usual bindings (step, dims, then the tensors) on a grid of the kernel's own. */
  private dimsKernel(label: string, code: string, dims: { u: number[]; f?: number[] }, tensors: [Tensor, BindingKind][], groups: [number, number, number]): GpuKernel {
    return this.kernel(label, code, [
      { arg: 'step', kind: 'uniform' },
      { arg: dims, kind: 'uniform' },
      ...tensors.map(([arg, kind]) => ({ arg, kind })),
    ], groups);
  }

  matmul(out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts = {}): Kernel {
    const { M, N, K, batch } = matmulDims(a, b, o);
    if (out.size !== M * N * batch) throw new Error(`matmul: out ${out.name} has ${out.size} elements, need ${M * N * batch}`);
    // vec4 loads of A run along its stored contiguous dim: the M − 1 real rows under onesRow.
    const vecA = (o.transA ? M - (o.onesRow ? 1 : 0) : K) % 4 === 0;
    const vecB = (o.transB ? K : N) % 4 === 0;
    // Small outputs get 32×32 tiles so that more workgroups share the device. SwiftShader (a CPU
    // posing as a GPU) runs 64-thread workgroups 1.5–3× faster than 256-thread ones at every size
    // measured (784×128×64: 31 ms vs 95 ms), so a fallback adapter always gets the small tile.
    const tile = this.info.isFallbackAdapter || Math.ceil(M / 64) * Math.ceil(N / 64) * batch < 16 ? 8 : 16;
    const T = tile * 4;
    const flags = {
      transA: !!o.transA, transB: !!o.transB, bias: !!o.bias, act: o.act ?? 'none',
      accumulate: !!o.accumulate, gradAct: o.gradAct?.act ?? 'none', onesRow: !!o.onesRow,
    } as const;
    // A CPU-backed adapter gets the register kernel wherever its vec4 loads fit (matmul/register.wgsl.ts);
    // a hardware GPU gets large tiles where the product fills it (matmul/large.wgsl.ts).
    // Few outputs over a long K (a classifier, a weight gradient summed over tokens): lanes share each dot product.
    if (o.kernel === 'dot' || (!o.kernel && this.hw && K >= DOT_MIN_K && M * N * batch <= DOT_MAX_OUTPUTS)) {
      const lanes = dotLanes(K), groups = Math.ceil((M * N * batch) / (256 / lanes));
      const gy = Math.ceil(groups / 65535);
      // Lanes within one subgroup add by shuffles instead of workgroup memory and barriers.
      const subgroup = lanes <= this.subgroupSize;
      return this.kernel(`matmul ${M}x${N}x${K}`, matmulDotWgsl({ ...flags, lanes, subgroup }), this.matmulArgs(M, N, K, batch, a, b, out, o),
        [gy > 1 ? 65535 : groups, gy, 1]);
    }
    const vec4Loads = matmulRegisterEligible(M, N, K, flags.transA, flags.transB, flags.onesRow);
    const register = vec4Loads && (o.kernel ? o.kernel === 'register' : !this.hw);
    const large = vec4Loads && !register && (o.kernel ? o.kernel === 'large' : this.hw)
      ? this.largeTile(M, N, batch, o) : null;
    const rows = M >= 64 ? 8 : 4; // register kernel: rows of C per thread (fewer idle rows when M is small)
    const code = large ? matmulLargeWgsl({ ...flags, tile: large, aligned: largeAligned(M, N, K, large, flags.onesRow) })
      : register ? matmulRegisterWgsl({ ...flags, rows }) : matmulWgsl({ ...flags, vecA, vecB, tile });
    const grid: [number, number, number] = large ? [Math.ceil(N / large.bn), Math.ceil(M / large.bm), batch]
      : register ? [Math.ceil(N / (REG_WG * REG_COLS)), Math.ceil(M / (REG_WG * rows)), batch]
        : [Math.ceil(N / T), Math.ceil(M / T), batch];
    return this.kernel(`matmul ${M}x${N}x${K}`, code, this.matmulArgs(M, N, K, batch, a, b, out, o), grid);
  }

  /** Bindings shared by every matmul kernel: step, dims, A, B, C, then bias and the gradAct's y when used. */
  private matmulArgs(M: number, N: number, K: number, batch: number, a: Tensor, b: Tensor, out: Tensor, o: MatmulOpts): { arg: Arg; kind: BindingKind }[] {
    const args: { arg: Arg; kind: BindingKind }[] = [
      { arg: 'step', kind: 'uniform' },
      { arg: { u: [M, N, K, batch], f: [o.gradAct?.alpha ?? 0.01] }, kind: 'uniform' },
      { arg: a, kind: 'read' },
      { arg: b, kind: 'read' },
      { arg: out, kind: 'rw' },
    ];
    if (o.bias) args.push({ arg: o.bias, kind: 'read' });
    if (o.gradAct) args.push({ arg: o.gradAct.y, kind: 'read' });
    return args;
  }

  /** The large kernel's tile for an M × N (× batch) product (LARGE_TILES); a forced `o.tile` must fit this device's limits. */
  private largeTile(M: number, N: number, batch: number, o: MatmulOpts): LargeTile | null {
    const limits = {
      invocations: this.device.limits.maxComputeInvocationsPerWorkgroup,
      workgroupBytes: this.device.limits.maxComputeWorkgroupStorageSize,
    };
    if (o.tile) {
      const why = largeTileInvalid(o.tile, limits);
      if (why) throw new Error(`matmul: tile ${JSON.stringify(o.tile)}: ${why}`);
      return o.tile;
    }
    const tiles = (t: LargeTile): number => Math.ceil(M / t.bm) * Math.ceil(N / t.bn) * batch;
    for (const { t, min } of LARGE_TILES) if (tiles(t) >= min && !largeTileInvalid(t, limits)) return t;
    return null;
  }

  unary(op: UnaryOp, out: Tensor, x: Tensor, alpha = 0.01): Kernel {
    return this.ew(`unary ${op}`, unaryWgsl(op), x.size, { u: [x.size, 0], f: [alpha] }, [[x, 'read'], [out, 'rw']]);
  }

  unaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha = 0.01): Kernel {
    return this.ew(`unary ${op} backward`, unaryBackwardWgsl(op), x.size, { u: [x.size, 0], f: [alpha] },
      [[dy, 'read'], [x, 'read'], [y, 'read'], [dx, 'rw']]);
  }

  binary(op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): Kernel {
    checkBroadcast(a, b);
    return this.ew(`binary ${op}`, binaryWgsl(op), a.size, { u: [a.size, b.size] }, [[a, 'read'], [b, 'read'], [out, 'rw']]);
  }

  binaryBackward(op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): Kernel[] {
    checkBroadcast(a, b);
    const ks: Kernel[] = [];
    const dims = { u: [a.size, b.size] };
    if (da) ks.push(this.ew(`binary ${op} da`, binaryGradAWgsl(op), a.size, dims, [[dy, 'read'], [a, 'read'], [b, 'read'], [da, 'rw']]));
    // db of an add is dy summed over the broadcast rows: on hardware GPUs the split sumRows.
    if (db && op === 'add' && this.hw && a.size > b.size) ks.push(this.sumRows(db, { ...dy, shape: [a.size / b.size, b.size] }));
    else if (db) ks.push(this.ew(`binary ${op} db`, binaryGradBWgsl(op), b.size, dims, [[dy, 'read'], [a, 'read'], [b, 'read'], [db, 'rw']]));
    return ks;
  }

  reduce(op: ReduceOp, out: Tensor, x: Tensor, axis: number): Kernel {
    const [outer, len, inner] = axisSplit(x.shape, axis);
    return this.ew(`reduce ${op}`, reduceWgsl(op), outer * inner, { u: [outer, len, inner] }, [[x, 'read'], [out, 'rw']]);
  }

  reduceBackward(op: ReduceOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, axis: number): Kernel {
    const [outer, len, inner] = axisSplit(x.shape, axis);
    return this.ew(`reduce ${op} backward`, reduceBackwardWgsl(op), x.size, { u: [outer, len, inner] },
      [[dy, 'read'], [x, 'read'], [y, 'read'], [dx, 'rw']]);
  }

  sumRows(out: Tensor, x: Tensor, accumulate = false): Kernel {
    const N = out.size, rows = x.size / N;
    const dims = { u: [rows, 0, N, accumulate ? 1 : 0] };
    // Hardware GPUs: lanes of a workgroup split the rows (sumRowsParallelWgsl) once there are enough
    // of them; past SUM_CHUNK_LANE rows per lane, workgroups along y take chunks of rows into a
    // scratch (chunks, N), and a second dispatch sums the chunks into out.
    if (this.hw && rows >= 64) {
      const cols = Math.min(64, pow2AtLeast(N));
      const chunk = (256 / cols) * SUM_CHUNK_LANE, chunks = Math.ceil(rows / chunk);
      const one = (dst: Tensor, acc: boolean, len: number, ys: number): GpuKernel => this.dimsKernel('sumRows', sumRowsParallelWgsl(cols),
        { u: [rows, len, N, acc ? 1 : 0] }, [[x, 'read'], [dst, 'rw']], [Math.ceil(N / cols), ys, 1]);
      if (chunks === 1) return one(out, accumulate, rows, 1);
      const partial = this.make([chunks, N], 'sumRows chunks', 'f32', this.scratchBuffer(chunks * N, 'sumRows chunks'), 0);
      const first = one(partial, false, chunk, chunks);
      first.next = this.ew('sumRows', sumRowsWgsl(), N, { u: [chunks, 0, N, accumulate ? 1 : 0] }, [[partial, 'read'], [out, 'rw']]) as GpuKernel;
      return first;
    }
    return this.ew('sumRows', sumRowsWgsl(), N, dims, [[x, 'read'], [out, 'rw']]);
  }

  private lossKernel(label: string, code: string, B: number, C: number, tensors: [Tensor, BindingKind][]): Kernel {
    const args: { arg: Arg; kind: BindingKind }[] = [
      { arg: 'step', kind: 'uniform' },
      { arg: { u: [B, C] }, kind: 'uniform' },
      ...tensors.map(([arg, kind]) => ({ arg, kind })),
    ];
    return this.kernel(label, code, args, [1, 1, 1]);
  }

  softmaxCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
    const B = labels.size, C = logits.size / B;
    const t: [Tensor, BindingKind][] = [[logits, 'read'], [labels, 'read'], [metrics, 'rw']];
    if (dlogits) t.push([dlogits, 'rw']);
    return this.lossKernel('softmaxCrossEntropy', softmaxCeWgsl(!!dlogits), B, C, t);
  }

  mse(dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
    const B = pred.shape[0], C = pred.size / B;
    const t: [Tensor, BindingKind][] = [[pred, 'read'], [target, 'read'], [metrics, 'rw']];
    if (dpred) t.push([dpred, 'rw']);
    return this.lossKernel('mse', mseWgsl(!!dpred), B, C, t);
  }

  dropout(out: Tensor, x: Tensor, rate: number, salt: number): Kernel {
    return this.ew('dropout', dropoutWgsl(), x.size, { u: [x.size, salt], f: [rate] }, [[x, 'read'], [out, 'rw']]);
  }

  dropoutBackward(dx: Tensor, dy: Tensor, rate: number, salt: number): Kernel {
    return this.ew('dropout backward', dropoutWgsl(), dy.size, { u: [dy.size, salt], f: [rate] }, [[dy, 'read'], [dx, 'rw']]);
  }

  sumSquares(out: Tensor, x: Tensor): Kernel {
    return this.kernel('sumSquares', sumSquaresWgsl(), [
      { arg: 'step', kind: 'uniform' },
      { arg: { u: [x.size] }, kind: 'uniform' },
      { arg: x, kind: 'read' },
      { arg: out, kind: 'rw' },
    ], [1, 1, 1]);
  }

  optimizerStep(params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): Kernel {
    const clip = !!sq && cfg.clipNorm > 0;
    const sqT = sq ?? grads; // bound but unread when not clipping
    return this.ew(`optimizer ${cfg.kind}`, optimizerWgsl(cfg, clip), params.size,
      { u: [params.size], f: [cfg.momentum, cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay, cfg.clipNorm] },
      [[params, 'rw'], [grads, 'read'], [m, 'rw'], [v, 'rw'], [sqT, 'read']]);
  }

  gatherBatch(x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel {
    const B = y.size;
    return this.ew('gatherBatch', gatherWgsl(), B * rowBytes, { u: [B, rowBytes, indices.size] },
      [[images, 'read'], [labels, 'read'], [indices, 'read'], [x, 'rw'], [y, 'rw']]);
  }

  fill(t: Tensor, value: number): Kernel {
    return this.ew('fill', fillWgsl(), t.size, { u: [t.size, 0], f: [value] }, [[t, 'rw']]);
  }

  addInto(dst: Tensor, src: Tensor): Kernel {
    return this.ew('addInto', addIntoWgsl(), dst.size, { u: [dst.size] }, [[src, 'read'], [dst, 'rw']]);
  }

  // ---- convolutional networks: WGSL in ops/conv, pool, batchnorm, augment ----
  /** The three implicit GEMMs share one generator; X is the gathered operand, Bm the other. */
  private convGemm(mode: ConvMode, label: string, y: Tensor, X: Tensor, Bm: Tensor, g: Conv2dGeom, bias: Tensor | undefined, act: FusedAct, accumulate: boolean): Kernel {
    const { u, M, N } = convDims(g, mode);
    const fb = convBlock(N);
    // One thread per row, 64 per workgroup; rows past 65535 workgroups spill into z.
    const rowGroups = Math.ceil(M / CONV_WG);
    const gz = Math.ceil(rowGroups / 65535);
    const args: { arg: Arg; kind: BindingKind }[] = [
      { arg: 'step', kind: 'uniform' },
      { arg: { u }, kind: 'uniform' },
      { arg: X, kind: 'read' },
      { arg: Bm, kind: 'read' },
      { arg: y, kind: 'rw' },
    ];
    if (bias) args.push({ arg: bias, kind: 'read' });
    const code = convWgsl({ mode, bias: !!bias, act, accumulate, fb, vec: mode !== 'dx' && g.F % 4 === 0 });
    return this.kernel(`${label} ${M}x${N}`, code, args, [gz > 1 ? 65535 : rowGroups, Math.ceil(N / fb), gz]);
  }

  conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct; accumulate?: boolean } = {}): Kernel {
    checkConv(out, x, w, g);
    return this.convGemm('fwd', 'conv2d', out, x, w, g, o.bias, o.act ?? 'none', !!o.accumulate);
  }

  conv2dBackwardInput(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
    checkConv(dy, dx, w, g);
    return this.convGemm('dx', 'conv2d dx', dx, dy, w, g, undefined, 'none', accumulate);
  }

  conv2dBackwardWeight(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
    checkConv(dy, x, dw, g);
    const { u, M, N, K: P } = convDims(g, 'dw');
    if (!this.hw || M > 65535) return this.convGemm('dw', 'conv2d dw', dw, x, dy, g, undefined, 'none', accumulate);
    // Hardware GPUs: a workgroup per row splits the sum over output positions (conv/dw.wgsl.ts),
    // and chunks of positions fill the GPU (DW_TARGET_GROUPS) when rows are few, each chunk at
    // least 4 positions per thread; the chunks' partials are then summed into dw.
    const fb = convBlock(N), blocks = Math.ceil(N / fb);
    const chunks = Math.max(1, Math.min(Math.ceil(DW_TARGET_GROUPS / (M * blocks)), Math.floor(P / (4 * DW_WG))));
    const chunk = Math.ceil(P / chunks);
    const dst = chunks === 1 ? dw : this.make([chunks, M * N], 'conv2d dw chunks', 'f32', this.scratchBuffer(chunks * M * N, 'conv2d dw chunks'), 0);
    const du = [...u];
    du[18] = chunk; // d.p0: positions per chunk
    const k = this.dimsKernel(`conv2d dw ${M}x${N}`, convDwParallelWgsl({ fb, vec: g.F % 4 === 0, accumulate: chunks === 1 && accumulate }),
      { u: du }, [[x, 'read'], [dy, 'read'], [dst, 'rw']], [M, blocks, chunks]);
    if (chunks > 1) k.next = this.ew('conv2d dw chunks', sumRowsWgsl(), M * N, { u: [chunks, 0, M * N, accumulate ? 1 : 0] }, [[dst, 'read'], [dw, 'rw']]) as GpuKernel;
    return k;
  }

  private poolDims(g: Conv2dGeom, total: number): { u: number[] } {
    return { u: [g.N, g.H, g.W, g.C, g.KH, g.KW, g.F, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, total] };
  }

  pool2d(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
    checkPool(out, x, g);
    if (op === 'max' && !argmax) throw new Error('pool2d max: needs an argmax tensor (u32, the output\'s size)');
    const t: [Tensor, BindingKind][] = [[x, 'read'], [out, 'rw']];
    if (op === 'max') t.push([argmax!, 'rw']);
    return this.ew(`pool2d ${op}`, poolWgsl(op), out.size, this.poolDims(g, out.size), t);
  }

  pool2dBackward(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
    checkPool(dy, dx, g);
    if (op === 'max' && !argmax) throw new Error('pool2dBackward max: needs the argmax tensor from the forward pass');
    const t: [Tensor, BindingKind][] = [[dy, 'read'], [dx, 'rw']];
    if (op === 'max') t.push([argmax!, 'read']);
    return this.ew(`pool2d ${op} backward`, poolBackwardWgsl(op), dx.size, this.poolDims(g, dx.size), t);
  }

  private bnKernel(label: string, code: string, groups: number, dims: { u: number[]; f: number[] }, tensors: [Tensor, BindingKind][]): Kernel {
    return this.kernel(label, code, [
      { arg: 'step', kind: 'uniform' },
      { arg: dims, kind: 'uniform' },
      ...tensors.map(([arg, kind]) => ({ arg, kind })),
    ], [groups, 1, 1]);
  }

  batchnormStats(mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
    const C = mean.size;
    return this.bnKernel('batchnorm stats', bnStatsWgsl(), C, { u: [x.size / C, C], f: [eps, momentum] },
      [[x, 'read'], [mean, 'rw'], [invstd, 'rw'], [runMean, 'rw'], [runVar, 'rw']]);
  }

  batchnormApply(y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
    const C = mean.size;
    return this.ew('batchnorm apply', bnApplyWgsl(fromVar), x.size, { u: [x.size / C, C], f: [eps, 0] },
      [[x, 'read'], [mean, 'read'], [stat, 'read'], [gamma, 'read'], [beta, 'read'], [y, 'rw']]);
  }

  batchnormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
    const C = mean.size;
    const dims = { u: [x.size / C, C], f: [0, 0] };
    return [
      this.bnKernel('batchnorm backward sums', bnBackwardSumsWgsl(), C, dims,
        [[dy, 'read'], [x, 'read'], [mean, 'read'], [invstd, 'read'], [dgamma, 'rw'], [dbeta, 'rw']]),
      this.ew('batchnorm backward dx', bnBackwardDxWgsl(), x.size, dims,
        [[dy, 'read'], [x, 'read'], [mean, 'read'], [invstd, 'read'], [gamma, 'read'], [dgamma, 'read'], [dbeta, 'read'], [dx, 'rw']]),
    ];
  }

  augment(out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): Kernel {
    const [N, H, W, C] = shape;
    if (N * H * W * C !== x.size || out.size !== x.size) throw new Error(`augment: shape ${shape} does not match ${x.name} (${x.size})`);
    return this.ew('augment', augmentWgsl(), N * H * W, { u: [N, H, W, C, salt >>> 0, cfg.flip ? 1 : 0, 0, 0], f: [cfg.rotate, cfg.scale, cfg.shift, 0] },
      [[x, 'read'], [out, 'rw']]);
  }

  // ---- transformers: WGSL in ops/layernorm and ops/attention ----
  layerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Kernel {
    checkLayerNorm(y, mean, rstd, x, gamma, beta);
    const C = gamma.size, rows = x.size / C;
    // Hardware GPUs: a few rows per 256-thread workgroup, hwTpr(C) threads each (ops/layernorm/wgsl.ts).
    if (this.hw && C <= ROW_THREAD_MAX_C)
      return this.dimsKernel('layerNorm', layerNormHwWgsl(hwTpr(C)), { u: [rows, C], f: [eps] },
        [[x, 'read'], [gamma, 'read'], [beta, 'read'], [y, 'rw'], [mean, 'rw'], [rstd, 'rw']], hwRowGrid(rows, hwTpr(C)));
    if (C <= ROW_THREAD_MAX_C)
      return this.ew('layerNorm', layerNormRowWgsl(), rows, { u: [rows, C], f: [eps] },
        [[x, 'read'], [gamma, 'read'], [beta, 'read'], [y, 'rw'], [mean, 'rw'], [rstd, 'rw']]);
    return this.kernel('layerNorm', layerNormWgsl(), [
      { arg: 'step', kind: 'uniform' }, { arg: { u: [rows, C], f: [eps] }, kind: 'uniform' },
      { arg: x, kind: 'read' }, { arg: gamma, kind: 'read' }, { arg: beta, kind: 'read' },
      { arg: y, kind: 'rw' }, { arg: mean, kind: 'rw' }, { arg: rstd, kind: 'rw' },
    ], rowGrid(rows));
  }

  layerNormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Kernel[] {
    checkLayerNorm(dy, mean, rstd, x, gamma, dbeta);
    const C = gamma.size, rows = x.size / C;
    const dims = { u: [rows, C], f: [0] };
    const dxT: [Tensor, BindingKind][] = [[dy, 'read'], [x, 'read'], [mean, 'read'], [rstd, 'read'], [gamma, 'read'], [dx, 'rw']];
    const dxKernel = C > ROW_THREAD_MAX_C ? this.dimsKernel('layerNorm backward dx', layerNormBackwardDxWgsl(), dims, dxT, rowGrid(rows))
      : this.hw ? this.dimsKernel('layerNorm backward dx', layerNormBackwardDxHwWgsl(hwTpr(C)), dims, dxT, hwRowGrid(rows, hwTpr(C)))
      : this.ew('layerNorm backward dx', layerNormBackwardDxRowWgsl(), rows, dims, dxT);
    // Hardware GPUs: blocks of 4 or 8 columns × 64 or 32 row lanes instead of one thread per column.
    const paramT: [Tensor, BindingKind][] = [[dy, 'read'], [x, 'read'], [mean, 'read'], [rstd, 'read'], [dgamma, 'rw'], [dbeta, 'rw']];
    const paramKernel = this.hw
      ? this.dimsKernel('layerNorm backward dgamma dbeta', layerNormBackwardParamsHwWgsl(hwParamCols(C)), dims, paramT, hwParamGrid(C, hwParamCols(C)))
      : this.ew('layerNorm backward dgamma dbeta', layerNormBackwardParamsWgsl(), C, dims, paramT);
    return [dxKernel, paramKernel];
  }

  /** Uniform words of the attention kernels and the (tile, b·heads) grid. */
  private attnSetup(qkv: Tensor, heads: number, dropout?: { rate: number; salt: number }) {
    const { B, T, D, dh } = attentionDims(qkv, heads);
    const drop = !!dropout && dropout.rate > 0;
    const dims = { u: [B, T, heads, D, drop ? dropout!.salt >>> 0 : 0, 0], f: [drop ? dropout!.rate : 0, 1 / Math.sqrt(dh)] };
    const bh = B * heads;
    const groups: [number, number, number] = [Math.ceil(T / attentionTile(dh, T)), Math.min(bh, 65535), Math.ceil(bh / 65535)];
    return { B, T, D, dh, drop, dims, groups };
  }

  attention(out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel {
    checkAttention(qkv, heads, out, lse);
    const { T, dh, drop, dims, groups } = this.attnSetup(qkv, heads, dropout);
    return this.kernel('attention', attentionWgsl({ dh, T, causal, dropout: drop }), [
      { arg: 'step', kind: 'uniform' }, { arg: dims, kind: 'uniform' },
      { arg: qkv, kind: 'read' }, { arg: out, kind: 'rw' }, { arg: lse, kind: 'rw' },
    ], groups);
  }

  attentionBackward(dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[] {
    checkAttention(qkv, heads, out, lse);
    if (dqkv.size !== qkv.size || dout.size !== out.size) throw new Error(`attentionBackward: ${dqkv.name} / ${dout.name} do not match ${qkv.name} / ${out.name}`);
    const { B, T, dh, drop, dims, groups } = this.attnSetup(qkv, heads, dropout);
    // Δ (B, heads, T) = rowsum(dout ∘ out), written by the dq kernel and read by the dk/dv kernel.
    const delta = this.make([B, heads, T], 'attention delta', 'f32', this.scratchBuffer(B * heads * T, 'attention delta'), 0);
    const o = { dh, T, causal, dropout: drop };
    return [
      this.kernel('attention backward dq', attentionBackwardDqWgsl(o), [
        { arg: 'step', kind: 'uniform' }, { arg: dims, kind: 'uniform' },
        { arg: qkv, kind: 'read' }, { arg: out, kind: 'read' }, { arg: dout, kind: 'read' }, { arg: lse, kind: 'read' },
        { arg: dqkv, kind: 'rw' }, { arg: delta, kind: 'rw' },
      ], groups),
      this.kernel('attention backward dk dv', attentionBackwardDkvWgsl(o), [
        { arg: 'step', kind: 'uniform' }, { arg: dims, kind: 'uniform' },
        { arg: qkv, kind: 'read' }, { arg: dout, kind: 'read' }, { arg: lse, kind: 'read' }, { arg: delta, kind: 'read' },
        { arg: dqkv, kind: 'rw' },
      ], groups),
    ];
  }

  attentionProbs(probs: Tensor, qkv: Tensor, lse: Tensor, heads: number, causal: boolean): Kernel {
    const { B, T, D, dh } = attentionDims(qkv, heads);
    if (probs.size !== B * heads * T * T || lse.size !== B * heads * T) throw new Error(`attentionProbs: ${probs.name} (${probs.shape}) is not (B, heads, T, T) = (${B}, ${heads}, ${T}, ${T})`);
    return this.ew('attention probs', attentionProbsWgsl(), probs.size, { u: [B, T, heads, D, 0, causal ? 1 : 0], f: [0, 1 / Math.sqrt(dh)] },
      [[qkv, 'read'], [lse, 'read'], [probs, 'rw']]);
  }

  // ---- sequences: WGSL in ops/embedding, recurrent, gather, loss ----
  embedding(out: Tensor, ids: Tensor, table: Tensor): Kernel {
    const V = table.shape[0], D = table.size / V;
    if (out.size !== ids.size * D) throw new Error(`embedding: ${out.name} (${out.shape}) does not hold ${ids.size} rows of ${table.name} (${table.shape})`);
    return this.ew('embedding', embeddingWgsl(), out.size, { u: [ids.size, V, D, 0] }, [[ids, 'read'], [table, 'read'], [out, 'rw']]);
  }

  embeddingBackward(dtable: Tensor, dout: Tensor, ids: Tensor, accumulate = false): Kernel {
    const V = dtable.shape[0], D = dtable.size / V;
    if (this.hw && ids.size >= 64) {
      // Hardware GPUs: a workgroup per (row v, block of columns), its lanes splitting the ids (embedding/wgsl.ts).
      const cols = Math.min(16, pow2AtLeast(D));
      return this.dimsKernel('embedding backward', embeddingBackwardParallelWgsl(cols), { u: [ids.size, V, D, accumulate ? 1 : 0] },
        [[ids, 'read'], [dout, 'read'], [dtable, 'rw']], [V, Math.ceil(D / cols), 1]);
    }
    return this.ew('embedding backward', embeddingBackwardWgsl(), dtable.size, { u: [ids.size, V, D, accumulate ? 1 : 0] },
      [[ids, 'read'], [dout, 'read'], [dtable, 'rw']]);
  }

  // Initial state (s.h0/c0, g.dh0/dc0): t = −1 is the extra dispatch that loads it (forward) or
  // writes its gradient (backward); the WGSL header in ops/recurrent/wgsl.ts says why.
  recurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): Kernel {
    const [B, T, H] = s.hseq.shape;
    const init = recurrentInit(cell, s);
    if (t === -1) {
      if (!s.h0) throw new Error(`${cell} step −1 loads the initial state: s.h0 is missing`);
      const bind: [Tensor, BindingKind][] = [[s.h0, 'read'], [s.hprev, 'rw']];
      if (cell === 'lstm') bind.push([s.c0!, 'read'], [s.cseq, 'rw']);
      return this.ew(`${cell} initial state`, recurrentInitWgsl(cell), B * H, { u: [B, T, H, 0, 0, 1] }, bind);
    }
    const bind: [Tensor, BindingKind][] = [
      [s.xp, 'read'], [s.whh, 'read'], [s.bhh, 'read'], [s.hseq, 'rw'], [s.hprev, 'rw'], [s.cseq, 'rw'], [s.gates, 'rw'], [s.hlast, 'rw'],
    ];
    const dims = { u: [B, T, H, t, 0, init ? 1 : 0] };
    // Hardware GPUs: the k-sum split over the lanes of a workgroup (the serial form is latency-bound
    // there), B · ⌈H / units⌉ workgroups of 256; SwiftShader keeps one thread per (b, j), faster on a CPU.
    if (this.hw) {
      const [gx, gy] = grid1d(recurrentSplitGroups(B, H, RNN_SPLIT_UNITS.forward) * 256);
      return this.dimsKernel(`${cell} step ${t}`, recurrentStepSplitWgsl(cell), dims, bind, [gx, gy, 1]);
    }
    return this.ew(`${cell} step ${t}`, recurrentStepWgsl(cell), B * H, dims, bind);
  }

  recurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel {
    const [B, T, H] = s.hseq.shape;
    const init = recurrentInit(cell, s);
    if (t === -1) {
      if (!g.dh0 || (cell === 'lstm' && !g.dc0)) throw new Error(`${cell} backward step −1 writes the initial state's gradient: g.dh0${cell === 'lstm' ? '/dc0' : ''} missing`);
      const bind: [Tensor, BindingKind][] = [[g.whhT, 'read'], [g.dgh, 'read'], [g.carry, 'read'], [g.dh0, 'rw']];
      if (cell === 'lstm') bind.push([g.dc0!, 'rw']);
      return this.ew(`${cell} initial state backward`, recurrentInitBackwardWgsl(cell), B * H, { u: [B, T, H, 0, 0, 1] }, bind);
    }
    // Binding 3 (recurrentBackwardAux): GRU h_{t-1} from hprev, RNN h_t from hseq, LSTM c0 (hseq unread without one).
    const aux = cell === 'gru' ? s.hprev : cell === 'lstm' && init ? s.c0! : s.hseq;
    const bind: [Tensor, BindingKind][] = [
      [g.whhT, 'read'], [aux, 'read'], [s.cseq, 'read'], [s.gates, 'read'], [g.dout, 'read'], [g.dgx, 'rw'], [g.dgh, 'rw'], [g.carry, 'rw'],
    ];
    const dims = { u: [B, T, H, t, seqOut ? 1 : 0, init ? 1 : 0] };
    const label = `${cell} step ${t} backward`;
    if (this.hw) {
      const [gx, gy] = grid1d(recurrentSplitGroups(B, H, RNN_SPLIT_UNITS.backward) * 256);
      return this.dimsKernel(label, recurrentStepBackwardSplitWgsl(cell), dims, bind, [gx, gy, 1]);
    }
    return this.ew(label, recurrentStepBackwardWgsl(cell), B * H, dims, bind);
  }

  gatherRows(out: Tensor, src: Tensor, indices: Tensor): Kernel {
    const B = out.shape[0], L = out.size / B;
    return this.ew('gatherRows', gatherRowsWgsl(), out.size, { u: [B, L, indices.size] }, [[src, 'read'], [indices, 'read'], [out, 'rw']]);
  }

  sequenceCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
    const [B, T] = labels.shape.length >= 2 ? labels.shape : [labels.shape[0], 1];
    const V = logits.size / (B * T);
    const t: [Tensor, BindingKind][] = [[logits, 'read'], [labels, 'read'], [metrics, 'rw']];
    if (dlogits) t.push([dlogits, 'rw']);
    return this.kernel('sequenceCrossEntropy', sequenceCeWgsl(!!dlogits), [
      { arg: 'step', kind: 'uniform' }, { arg: { u: [B, T, V] }, kind: 'uniform' }, ...t.map(([arg, kind]) => ({ arg, kind })),
    ], [1, 1, 1]);
  }
}
