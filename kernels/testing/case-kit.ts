// The vocabulary of op test cases (kernels/ops/*/cases.ts): tensor specs, generators, tolerances
// and builders. A leaf module: every family's cases.ts imports it, and op-specs.ts gathers the cases.
import type { Backend, DType, Kernel, StepParams, Tensor } from '../backend.ts';

/** How a tensor's initial data is generated (seeded per case and tensor name). */
export type Gen =
  | { kind: 'normal'; scale?: number }
  | { kind: 'uniform'; lo: number; hi: number } // positive ranges for log/sqrt/denominators
  | { kind: 'distinct' } // a shuffled grid of distinct values (no ties for max)
  | { kind: 'int'; n: number } // u32 in [0, n): labels, indices
  | { kind: 'words' } // random u32 words: packed u8 images
  | { kind: 'zeros' }
  | { kind: 'values'; values: number[] };

/**
 * in: read by the kernels only. out: written by the kernels; starts as garbage so that an element
 * a kernel forgets to write shows up. state: starts from `gen` and is updated (accumulators,
 * optimizer state, metrics). Outs and states are what the GPU test compares.
 */
export type Role = 'in' | 'out' | 'state';

export interface TensorSpec {
  name: string;
  shape: number[];
  role: Role;
  gen: Gen;
  dtype: DType;
  /** Allocate as a view at a nonzero offset inside a flat buffer (tests bind offsets). */
  view: boolean;
}

/** Allowed |gpu − cpu| per element: abs + rel·(|cpu_i| for 'elem', max|cpu| for 'max'). */
export interface Tol {
  abs: number;
  rel: number;
  scale: 'elem' | 'max';
}

/**
 * dot: L = Σ dy ⊙ y, the gradient of each `wrt` input is the named backward output.
 * loss: L = metrics[0] / rows (mean loss of the batch), gradients are dlogits / dpred.
 */
export type GradSpec =
  | { kind: 'dot'; y: string; dy: string; wrt: [input: string, grad: string][] }
  | { kind: 'loss'; metrics: string; wrt: [input: string, grad: string][] };

export type Values = Record<string, Float64Array | Float32Array | Uint32Array>;

export interface OpCase {
  name: string;
  /** Backend methods the case exercises (for the coverage test). */
  ops: string[];
  tensors: TensorSpec[];
  params: StepParams;
  /** The forward kernels run this many times with step = 1..repeat (optimizers at step > 1). */
  repeat: number;
  record(be: Backend, t: Record<string, Tensor>): { forward: Kernel[]; backward: Kernel[] };
  grad?: GradSpec;
  /** Finite-difference tolerance in f64 when the default (rel 1e-6, abs 1e-8) is too strict. */
  gradTol?: { abs: number; rel: number };
  gpuTol: Tol;
  /** Per-output overrides of gpuTol. */
  gpuTolFor?: Record<string, Tol>;
  /** Extra assertions on the values after a run (any backend); returns failure messages. */
  check?(v: Values): string[];
  /**
   * GPU only: record with GpuBackend.paths set so ('hardware': the forms a hardware GPU gets, here
   * on SwiftShader too). Unset: the adapter's own choice.
   */
  gpuPaths?: 'hardware' | 'fallback';
}

// ---- tolerances (GPU f32 vs CPU reference) ----
/** Matmul: rel 1e-5 of max|ref| + 1e-5: f32 sums of up to ~260 products on the GPU. */
export const TOL_MATMUL: Tol = { abs: 1e-5, rel: 1e-5, scale: 'max' };
/** Element-wise arithmetic: 1e-6 abs + 1e-6 of the element. */
export const TOL_EW: Tol = { abs: 1e-6, rel: 1e-6, scale: 'elem' };
/** Transcendentals (gelu's erf, tanh, sigmoid, exp, log): WGSL allows a few ulp more. */
export const TOL_TRANS: Tol = { abs: 2e-6, rel: 2e-6, scale: 'elem' };
/** Reductions and fused losses: f32 sums on the GPU vs f64 sums on the CPU, relative to max|ref|. */
export const TOL_SUM: Tol = { abs: 1e-6, rel: 1e-5, scale: 'max' };
/** Optimizers: 1e-6 of each parameter (plus 1e-6 for values near zero). */
export const TOL_OPT: Tol = { abs: 1e-6, rel: 1e-6, scale: 'elem' };
/** Bit-exact ops (fill, gather labels). */
export const TOL_EXACT: Tol = { abs: 0, rel: 0, scale: 'elem' };

export const DEFAULT_PARAMS: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 1234, rows: 1 << 20 };

// ---- builders ----
type TOpts = { view?: boolean; dtype?: DType };
export const inp = (name: string, shape: number[], gen: Gen = { kind: 'normal' }, o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'in', gen, dtype: o.dtype ?? 'f32', view: o.view ?? false });
export const out = (name: string, shape: number[], o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'out', gen: { kind: 'normal', scale: 3 }, dtype: o.dtype ?? 'f32', view: o.view ?? false });
export const state = (name: string, shape: number[], gen: Gen, o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'state', gen, dtype: o.dtype ?? 'f32', view: o.view ?? false });

export const NORMAL: Gen = { kind: 'normal' };
export const POSITIVE: Gen = { kind: 'uniform', lo: 0.5, hi: 2 };

export type CaseInput = Partial<Omit<OpCase, 'params'>> & Pick<OpCase, 'name' | 'ops' | 'tensors' | 'record' | 'gpuTol'> & { params?: Partial<StepParams> };
export function mk(c: CaseInput): OpCase {
  return { repeat: 1, ...c, params: { ...DEFAULT_PARAMS, ...c.params } };
}
