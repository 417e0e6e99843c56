// The op interface shared by the WebGPU backend and the CPU backend.
//
// Ops do not run when called: each returns a Kernel, and kernels are grouped into a Program that
// is replayed every training step (`run`). On WebGPU a program is one command encoder and one
// queue submission with pipelines, bind groups and buffers made once; on the CPU it is a list of
// loops. Values that change every step (learning rate, step number, batch offset, dropout seed)
// travel in a small StepParams block written before each run instead of being baked into kernels.

import type { LargeTile } from './ops/matmul/large.wgsl.ts';

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
  /**
   * Activation-derivative epilogue for a backward pass: out = (op(A)·op(B)) ⊙ act'(y), with act'
   * written through the activation's output y (M, N): relu/leaky y > 0, tanh 1 − y², sigmoid
   * y(1 − y); alpha is leaky_relu's slope (0.01, as in the fused forward). This is
   * unaryBackward(act, dz, g, y, y) folded into the matmul that produces g. No bias/act with it.
   */
  gradAct?: { act: FusedAct; y: Tensor; alpha?: number };
  /**
   * op(A) has an implicit last row of ones: a is stored (M−1, K), or (K, M−1) with transA, and
   * out (M, N) gets Σ_k op(B)[k, :] as its row M−1. With transA this is [Aᵀ·G; 1ᵀ·G]: a weight
   * gradient and its bias gradient (column sums) in one matmul, written to adjacent views.
   */
  onesRow?: boolean;
  /**
   * GPU only, which kernel computes it: 'tiled' (64×64 or 32×32 workgroup-memory tiles),
   * 'large' (big double-buffered tiles, what hardware GPUs want on large products) or 'register'
   * (no workgroup memory, for CPU-backed adapters), 'dot' (lanes of a workgroup share each output's
   * sum over K: few outputs, long K). 'register' and 'large' apply only where their vec4 loads
   * fit, else 'tiled'. Unset: chosen per adapter and size. Tests set it to cover every kernel on
   * one adapter; benchmarks set `tile` too, to sweep the large kernel's shapes. 'splitk': K in slices (ops/matmul/splitk.ts).
   */
  kernel?: 'tiled' | 'register' | 'large' | 'dot' | 'splitk';
  tile?: LargeTile;
}

/**
 * Geometry of a 2-D convolution or pooling window over NHWC input (N, H, W, C) producing
 * (N, OH, OW, F). Filters are (KH, KW, C, F); pooling has F = C. Padding is given as the top/left
 * amount only: positions past the bottom/right edge read as zero (−∞ for max pooling), which is
 * how asymmetric 'same' padding comes out. OH/OW are computed by `convGeom`.
 */
/** A convolution's fused epilogue: bias, activation, and accumulation into `out`. */
export interface ConvOpts { bias?: Tensor; act?: FusedAct; accumulate?: boolean }

export interface Conv2dGeom {
  N: number; H: number; W: number; C: number;
  KH: number; KW: number; F: number;
  OH: number; OW: number;
  sh: number; sw: number; // stride
  ph: number; pw: number; // top/left padding
  dh: number; dw: number; // dilation
}
export type PoolOp = 'max' | 'avg';
/** Random per-sample affine augmentation (train program only). */
export interface AugmentConfig {
  shift: number; // max translation in pixels, each axis
  rotate: number; // max rotation in degrees, either way
  scale: number; // max relative zoom, e.g. 0.1 → ×[0.9, 1.1]
  flip: boolean; // random horizontal flip
}

/** Recurrent cells, PyTorch formulations (LSTM gates i, f, g, o; GRU r, z, n with r applied to W_hn h + b_hn). */
/** The recurrent cells, spelled once: code outside the registry compares with CELL.lstm, not a string. */
export const CELL = { lstm: 'lstm', gru: 'gru', rnn: 'rnn' } as const;
export type CellKind = (typeof CELL)[keyof typeof CELL];
/** Label of a sequence position that does not count in the loss or the metrics. */
export const IGNORE_LABEL = 0xffffffff;

/**
 * Buffers of one recurrent layer over a (B, T) batch; G = 4 (LSTM), 3 (GRU), 1 (RNN) gate blocks.
 * Forward kernels write hseq, hprev, cseq, gates, hlast; the backward reads them.
 *
 * Initial state: without h0 (and c0) the layer starts from h_{-1} = c_{-1} = 0. With them, the
 * caller runs recurrentStep(cell, −1, s) before step 0 and, for their gradients,
 * recurrentStepBackward(cell, −1, …) after step 0 (see those methods). An LSTM takes both or neither.
 */
export interface RecurrentBuffers {
  xp: Tensor; // (B, T, G·H) input projection x·W_ih + b_ih of every timestep (one GEMM)
  whh: Tensor; // (H, G·H): hp = h · W_hh + b_hh
  bhh: Tensor; // (G·H)
  hseq: Tensor; // (B, T, H) h_t
  hprev: Tensor; // (B, T, H) h_{t-1} (h0, or 0, at t = 0): rows aligned with dgh for the dW_hh GEMM
  cseq: Tensor; // (B, T, H) LSTM cell state c_t (a 1-element dummy for GRU/RNN)
  gates: Tensor; // (B, T, 4·H) LSTM i, f, g, o; GRU r, z, n, W_hn h + b_hn (dummy for RNN)
  hlast: Tensor; // (B, H) h_{T-1}
  h0?: Tensor; // (B, H) initial hidden state h_{-1}, per sample; absent = zeros
  c0?: Tensor; // (B, H) LSTM initial cell state c_{-1}; given exactly when h0 is (LSTM only)
}
export interface RecurrentGrads {
  dout: Tensor; // (B, T, H) when the layer returns sequences, else (B, H) for the last step
  dgx: Tensor; // (B, T, G·H) gradient of the loss wrt xp
  dgh: Tensor; // (B, T, G·H) gradient wrt h_{t-1}·W_hh + b_hh (differs from dgx in GRU's n block)
  carry: Tensor; // (B, H) scratch: the gradient carried to step t-1 outside the matmul (LSTM dc·f, GRU dh·z)
  whhT: Tensor; // (G·H, H) W_hh transposed, made once per backward: unit-stride reads across threads (3× faster on SwiftShader)
  dh0?: Tensor; // (B, H) gradient wrt h0, written by the backward step t = −1
  dc0?: Tensor; // (B, H) gradient wrt c0 (LSTM), written by the backward step t = −1 with dh0
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

/** Where per-kernel times come from: GPU timestamp queries, the CPU clock, or nowhere (times unavailable). */
export type ProfileSource = 'timestamp-query' | 'cpu-clock' | 'none';
/** One kernel's time in a profiled run, in program order. */
export interface KernelTiming {
  label: string;
  ms: number;
}
export interface ProgramProfile {
  source: ProfileSource;
  /** One per kernel of the program, in order; empty when source is 'none'. */
  kernels: KernelTiming[];
  /** Wall-clock time from submission until the work finished (includes readback waits on the GPU). */
  wallMs: number;
  /** The snapshot tensor's values, when one was asked for. */
  snapshot: Float32Array | null;
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
  /**
   * Runs a program once, exactly as `run` does (same effect, one submission, same counters), and
   * measures each kernel: GPU timestamps around each dispatch where the device has
   * 'timestamp-query', performance.now() around each kernel on the CPU. Without a source of
   * per-kernel times it still runs the step and says so (source 'none', no kernels): no made-up
   * numbers. Resolves once the step has finished and the times are read back; for on-demand
   * profiling, never inside the training loop. Query sets and readback buffers are made on the
   * first call per program and reused.
   */
  profile(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<ProgramProfile>;
  /** Resolves when all submitted work has finished. */
  idle(): Promise<void>;
  /**
   * Resolves when every kernel made so far is ready to run (GPU pipelines compile in the
   * background); rejects with an Error naming a kernel that failed to compile.
   */
  ready(): Promise<void>;
  destroy(): void;
  /**
   * Only where the device can be lost (WebGPU): `onLost` handlers run once with the reason, and
   * `lostWithin(ms)` resolves with the reason if the device is lost within ms, else null. A
   * backend without them (the CPU) never loses its device.
   */
  onLost?(handler: (reason: string) => void): void;
  lostWithin?(ms: number): Promise<string | null>;

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

  // ---- sequences (kernels/ops/recurrent, embedding, gather, loss) ----
  /** out (N, D) = table (V, D) row ids[n]; ids (N) are f32 token ids; out-of-range ids give zeros. */
  embedding(out: Tensor, ids: Tensor, table: Tensor): Kernel;
  /** dtable (V, D) (+)= Σ_{n: ids[n] = v} dout[n]: a gather per table row, no atomics. */
  embeddingBackward(dtable: Tensor, dout: Tensor, ids: Tensor, accumulate?: boolean): Kernel;
  /**
   * One timestep t = 0 … T-1 of a recurrent layer (recurrent matmul + gates + cell update, fused). With an initial
   * state (s.h0), t = −1 comes first: it loads h0 (and c0) where step 0 reads h_{-1} and c_{-1} (hprev[:, 0], cseq[:, 0]).
   */
  recurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): Kernel;
  /**
   * Backward of timestep t, t = T-1 … 0, after `dout` is complete. t = −1 (after t = 0; needs g.dh0, and g.dc0 for an LSTM) writes
   * dh0 = dgh[:, 0]·W_hhᵀ (+ GRU's carried dh·z), dc0 = LSTM's carried dc·f: its own step, as dh0[b, j] sums step 0's dgh[b, 0, :].
   */
  recurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel;
  /** Optional: steps 0 … T-1 (T-1 … 0) in one kernel, writing what they write; steps −1 stay. null: record the steps. */
  recurrentSequence?(cell: CellKind, s: RecurrentBuffers): Kernel | null;
  recurrentSequenceBackward?(cell: CellKind, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel | null;
  /** out (B, L) = src (n, L) rows indices[batchStart + r] (clamped to the last index); f32 or u32, same dtype. */
  gatherRows(out: Tensor, src: Tensor, indices: Tensor): Kernel;
  /**
   * Per-token softmax cross-entropy over logits (B, T, V) and labels (B, T) (IGNORE_LABEL = not
   * counted); dlogits = (softmax − onehot) / counted tokens of the first params.rows sequences.
   * metrics (≥ 6) += [Σ loss, Σ correct tokens, counted tokens, non-finite, Σ correct sequences, sequences].
   */
  sequenceCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel;

  // ---- transformers (kernels/ops/attention, kernels/ops/layernorm) ----
  /**
   * LayerNorm over the last axis of x viewed as (rows, C), C = gamma.size:
   * y = (x − μ)·rstd·gamma + beta with rstd = 1/sqrt(biased var + eps); saves mean and rstd (rows).
   */
  layerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Kernel;
  /** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·gamma; dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy (column sums, no atomics). */
  layerNormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Kernel[];
  /**
   * Multi-head scaled-dot-product attention, fused (online softmax, FlashAttention-2 style).
   * qkv (B, T, 3·D) is one GEMM's output: q = [..., 0:D], k = [..., D:2D], v = [..., 2D:3D], head h
   * owning columns h·dh … (h+1)·dh − 1 of each (torch's in_proj layout), dh = D / heads.
   * out (B, T, D) = softmax(q·kᵀ/√dh + mask)·v per head, heads concatenated; lse (B, heads, T) saves
   * the log-sum-exp of each score row for the backward. causal: key j > query i is masked.
   * dropout > 0 (train only): attention probabilities are dropped with a mask drawn from
   * hashUniform(params.seed, salt, ((b·heads + h)·T + i)·T + j) and scaled by 1/(1 − p).
   */
  attention(out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel;
  /**
   * dqkv (B, T, 3·D) from dout (B, T, D): recomputes probabilities from qkv and lse (no T×T buffer);
   * dq parallel over query rows, dk/dv parallel over key rows, so no float atomics.
   */
  attentionBackward(dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[];
  /** probs (B, heads, T, T): the attention weights (before dropout), for visualisation only; run in a program of its own. */
  attentionProbs(probs: Tensor, qkv: Tensor, lse: Tensor, heads: number, causal: boolean): Kernel;

  // ---- convolutional networks (NHWC) ----
  /** out (N, OH, OW, F) = act(conv(x (N, H, W, C), w (KH, KW, C, F)) + bias): implicit GEMM. */
  conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o?: ConvOpts): Kernel;
  /** dx (N, H, W, C) from dy (N, OH, OW, F) and w: a transposed implicit GEMM. */
  conv2dBackwardInput(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate?: boolean): Kernel;
  /** dw (KH, KW, C, F) = Σ over the batch and output positions of x-patch ⊗ dy: an implicit GEMM. */
  conv2dBackwardWeight(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate?: boolean): Kernel;
  /** Max or average pooling; max writes the flat input index it chose into argmax (u32, out's size). */
  pool2d(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel;
  /** dx as a gather: each input element sums the window outputs that chose it (max) or cover it (avg). */
  pool2dBackward(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel;
  /**
   * Batch statistics of x viewed as (rows, C), C = mean.size: mean and 1/sqrt(var + eps) (biased
   * var), and running stats updated as torch does: r = (1 − momentum)·r + momentum·batch (unbiased var).
   */
  batchnormStats(mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel;
  /** y = (x − mean)·s·gamma + beta with s = invstd, or s = 1/sqrt(stat + eps) when `fromVar` (eval, running var). */
  batchnormApply(y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel;
  /** dgamma = Σ dy·x̂, dbeta = Σ dy, then dx = gamma·invstd·(dy − (dbeta + x̂·dgamma)/rows). */
  batchnormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[];
  /**
   * out (N, H, W, C) = x resampled (bilinear, zero outside) through a random affine map per sample,
   * drawn from hashUniform(params.seed, salt, 4·n + j): no CPU round trip, reproducible per seed.
   */
  augment(out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): Kernel;
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
  const [Ma, Ka] = o.transA ? [aCols, aRows] : [aRows, aCols];
  const M = Ma + (o.onesRow ? 1 : 0); // the implicit ones row is op(A)'s last
  const [Kb, N] = o.transB ? [bCols, bRows] : [bRows, bCols];
  if (Ka !== Kb) throw new Error(`matmul: inner dims differ (${a.name} ${a.shape} vs ${b.name} ${b.shape})`);
  if (o.gradAct) {
    // The derivative epilogue replaces the forward epilogue: combining them has no use here.
    if (o.bias || (o.act ?? 'none') !== 'none' || o.gradAct.act === 'none')
      throw new Error('matmul: gradAct needs a fused activation and no bias/act');
    if (o.gradAct.y.size !== M * N * batch)
      throw new Error(`matmul: gradAct y ${o.gradAct.y.name} has ${o.gradAct.y.size} elements, need ${M * N * batch}`);
  }
  return { M, N, K: Ka, batch };
}

/** Padding of a conv/pool layer: 'same' (output ⌈in/stride⌉), 'valid' (none) or explicit per side. */
export type Padding = 'same' | 'valid' | number;

/**
 * Geometry from layer fields. Returns the output size (possibly ≤ 0, which callers refuse) and the
 * top/left padding; 'same' pads TensorFlow-style (the extra pixel, if any, at the bottom/right).
 */
export function convGeom(
  inShape: readonly [number, number, number, number], k: [number, number], F: number,
  stride: number, padding: Padding, dilation = 1,
): Conv2dGeom {
  const [N, H, W, C] = inShape;
  const [KH, KW] = k;
  const ekh = (KH - 1) * dilation + 1, ekw = (KW - 1) * dilation + 1; // effective extent
  let ph = 0, pw = 0, OH: number, OW: number;
  if (padding === 'same') {
    OH = Math.ceil(H / stride);
    OW = Math.ceil(W / stride);
    ph = Math.floor(Math.max((OH - 1) * stride + ekh - H, 0) / 2);
    pw = Math.floor(Math.max((OW - 1) * stride + ekw - W, 0) / 2);
  } else {
    const p = padding === 'valid' ? 0 : padding;
    ph = pw = p;
    OH = Math.floor((H + 2 * p - ekh) / stride) + 1;
    OW = Math.floor((W + 2 * p - ekw) / stride) + 1;
  }
  return { N, H, W, C, KH, KW, F, OH, OW, sh: stride, sw: stride, ph, pw, dh: dilation, dw: dilation };
}