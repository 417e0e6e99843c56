// The op interface shared by the WebGPU backend and the CPU backend.
//
// Ops do not run when called: each returns a Kernel, and kernels are grouped into a Program that
// is replayed every training step (`run`). On WebGPU a program is one command encoder and one
// queue submission with pipelines, bind groups and buffers made once; on the CPU it is a list of
// loops. Values that change every step (learning rate, step number, batch offset, dropout seed)
// travel in a small StepParams block written before each run instead of being baked into kernels.

export type DType = 'f32' | 'u32';

export interface Tensor {
  readonly id: number;
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  readonly dtype: DType;
  /** Element offset into the backing store (views into flat buffers are 64-element aligned). */
  readonly offset: number;
  /** Backend-specific storage: a GPUBuffer or a typed array. */
  readonly store: unknown;
}

/** Opaque recorded op. `label` names the op for profiling and error messages. */
export interface Kernel {
  readonly label: string;
}

export interface Program {
  readonly label: string;
  readonly kernels: readonly Kernel[];
  /** Number of compute dispatches one run makes. */
  readonly dispatches: number;
}

/** Per-run values, written once before each run (a 32-byte uniform on WebGPU). */
export interface StepParams {
  step: number; // optimizer step, 1-based for Adam's bias correction
  batchStart: number; // first row of the batch in the (shuffled) index buffer
  lr: number;
  seed: number; // dropout seed for this step
  rows: number; // rows of the batch that are real samples (the last eval batch may be partial)
}

export const UNARY_OPS = [
  'identity', 'relu', 'leaky_relu', 'gelu', 'tanh', 'sigmoid', 'exp', 'log', 'square', 'sqrt', 'neg', 'abs',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];
export const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];
export type ReduceOp = 'sum' | 'mean' | 'max';
/** Activations a matmul can fuse into its epilogue: their derivative is a function of the output. */
export type FusedAct = 'none' | 'relu' | 'leaky_relu' | 'tanh' | 'sigmoid';

export interface MatmulOpts {
  transA?: boolean; // a is stored (K, M) instead of (M, K)
  transB?: boolean; // b is stored (N, K) instead of (K, N)
  bias?: Tensor; // (N,), added before the activation
  act?: FusedAct;
  accumulate?: boolean; // out += result instead of out = result
  batch?: number; // batched matmul over leading dimension, contiguous matrices
}

export type OptimizerKind = 'sgd' | 'adam' | 'adamw';
export interface OptimizerConfig {
  kind: OptimizerKind;
  momentum: number; // sgd
  nesterov: boolean; // sgd
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number; // L2 added to the gradient for sgd/adam; decoupled for adamw
  clipNorm: number; // 0 = off; otherwise grads scaled by min(1, clipNorm / ||g||)
}

export interface Counters {
  dispatches: number;
  submits: number;
  bytesUploaded: number;
  /** Readbacks awaited by callers (`read`); the training step never makes one. */
  reads: number;
  /** Asynchronous snapshots queued through `run(..., snapshot)`. */
  snapshots: number;
}

export interface BackendInfo {
  kind: 'webgpu' | 'cpu';
  adapter: string; // "swiftshader", "nvidia-h100-80gb-hbm3", or "cpu"
  isFallbackAdapter: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  features: string[];
}

export interface Backend {
  readonly info: BackendInfo;
  readonly counters: Counters;
  /** Bytes currently held by tensors (the pool's in-use accounting). */
  bytesInUse(): number;

  tensor(shape: readonly number[], name: string, dtype?: DType): Tensor;
  /** One flat buffer holding several tensors, each view aligned to 64 elements (256 bytes). */
  flat(shapes: readonly (readonly number[])[], name: string): { flat: Tensor; views: Tensor[] };
  free(t: Tensor): void;
  write(t: Tensor, data: Float32Array | Uint32Array): void;
  read(t: Tensor): Promise<Float32Array | Uint32Array>;

  program(label: string, kernels: readonly Kernel[]): Program;
  /**
   * Runs a program once. With `snapshot`, the tensor is copied out in the same submission and the
   * promise resolves later (never awaited inside a step); `reset` zeroes the tensor after the copy.
   */
  run(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null;
  /** Resolves when all submitted work has finished. */
  idle(): Promise<void>;
  destroy(): void;

  // ---- ops ----
  /** out (M,N) = act(op(a) · op(b) + bias), or batched (batch, M, N). */
  matmul(out: Tensor, a: Tensor, b: Tensor, o?: MatmulOpts): Kernel;
  unary(op: UnaryOp, out: Tensor, x: Tensor, alpha?: number): Kernel;
  /** dx = dy · op'(x) (y = op(x) is given for ops whose derivative uses it). */
  unaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha?: number): Kernel;
  /** out = a ∘ b; b either has a's size or is broadcast along a's leading dims (b.size divides a.size). */
  binary(op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): Kernel;
  /** Gradients of binary; `db` of a broadcast b is reduced over the broadcast rows. */
  binaryBackward(op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): Kernel[];
  /** Reduce x viewed as (outer, axisLen, inner) over the middle axis into out (outer, inner). */
  reduce(op: ReduceOp, out: Tensor, x: Tensor, axis: number): Kernel;
  reduceBackward(op: ReduceOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, axis: number): Kernel;
  /** dW-style helper: out (N) = Σ_rows x (rows, N), optionally accumulating. */
  sumRows(out: Tensor, x: Tensor, accumulate?: boolean): Kernel;
  /**
   * Fused softmax + cross-entropy over logits (B, C) with integer labels (B): writes dlogits
   * ((softmax − onehot) / rows) and adds [Σ loss, Σ correct, rows, non-finite count] into metrics (4).
   * Rows at or beyond params.rows are ignored (partial last batch).
   */
  softmaxCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel;
  /** Mean squared error over pred/target (B, D): dpred = 2(p − t)/(rows·D); metrics as above. */
  mse(dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel;
  /** Inverted dropout with a counter-based RNG keyed by (params.seed, salt, index). */
  dropout(out: Tensor, x: Tensor, rate: number, salt: number): Kernel;
  dropoutBackward(dx: Tensor, dy: Tensor, rate: number, salt: number): Kernel;
  /** out (1) = Σ x² over a flat tensor (for global-norm clipping). */
  sumSquares(out: Tensor, x: Tensor): Kernel;
  /** One update of all parameters from flat buffers; `sq` is the Σg² tensor when clipping. */
  optimizerStep(params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): Kernel;
  /**
   * Batch gather from a GPU-resident u8 dataset: rows = indices[batchStart + r] (clamped to the
   * last index), pixels scaled to [0, 1]. images: u32 words holding 4 bytes each.
   */
  gatherBatch(x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel;
  fill(t: Tensor, value: number): Kernel;
  /** dst += src (same size). */
  addInto(dst: Tensor, src: Tensor): Kernel;
}

let nextId = 1;
export function newTensorId(): number {
  return nextId++;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Element alignment of views in flat buffers: 64 f32 = 256 bytes, WebGPU's storage offset alignment. */
export const VIEW_ALIGN = 64;
export function alignUp(n: number, a = VIEW_ALIGN): number {
  return Math.ceil(n / a) * a;
}

/**
 * A flat buffer holding several tensors: one allocation, views at 64-element-aligned offsets.
 * Both backends build `flat` from this.
 */
export function flatViews(
  shapes: readonly (readonly number[])[], name: string, alloc: (size: number) => Tensor,
): { flat: Tensor; views: Tensor[] } {
  let total = 0;
  const offsets = shapes.map((s) => {
    const o = total;
    total += alignUp(sizeOf(s));
    return o;
  });
  const flat = alloc(Math.max(total, 1));
  const views = shapes.map((s, i): Tensor => ({
    id: newTensorId(), name: `${name}[${i}]`, shape: [...s], size: sizeOf(s), dtype: 'f32', offset: offsets[i], store: flat.store,
  }));
  return { flat, views };
}

/** Matrix dims of a matmul from tensor shapes and flags. */
export function matmulDims(a: Tensor, b: Tensor, o: MatmulOpts = {}): { M: number; N: number; K: number; batch: number } {
  const batch = o.batch ?? 1;
  const as = a.shape.slice(batch > 1 ? 1 : 0);
  const bs = b.shape.slice(batch > 1 ? 1 : 0);
  // Treat any leading dims as rows: a (…, K) is ((prod …), K).
  const aRows = sizeOf(as) / as[as.length - 1];
  const aCols = as[as.length - 1];
  const bRows = sizeOf(bs) / bs[bs.length - 1];
  const bCols = bs[bs.length - 1];
  const [M, Ka] = o.transA ? [aCols, aRows] : [aRows, aCols];
  const [Kb, N] = o.transB ? [bCols, bRows] : [bRows, bCols];
  if (Ka !== Kb) throw new Error(`matmul: inner dims differ (${a.name} ${a.shape} vs ${b.name} ${b.shape})`);
  return { M, N, K: Ka, batch };
}
