// One table of op test cases, shared by the CPU finite-difference checks (tests/ops-cpu.test.ts)
// and the GPU-vs-CPU comparison (kernels/testing/gpu-suite.ts, tests/ops-gpu.test.ts).
//
// A case names its tensors (shape, generator, role) and records its kernels on any Backend:
// `forward` kernels, and `backward` kernels that turn a random dy into input gradients. The harness
// (harness.ts) allocates, fills, runs and reads them; nothing here touches a device.
import type {
  Backend, BinaryOp, DType, FusedAct, Kernel, OptimizerConfig, ReduceOp, StepParams, Tensor, UnaryOp,
} from '../backend.ts';
import { BINARY_OPS, UNARY_OPS } from '../backend.ts';
import { RNN_CASES } from '../ops/recurrent/cases.ts';
import { CONV_CASES } from '../ops/conv/cases.ts';
import { ATTENTION_CASES } from '../ops/attention/cases.ts';
import { tileName, type LargeTile } from '../ops/matmul/large.wgsl.ts';

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

const DEFAULT_PARAMS: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 1234, rows: 1 << 20 };

// ---- builders ----
type TOpts = { view?: boolean; dtype?: DType };
const inp = (name: string, shape: number[], gen: Gen = { kind: 'normal' }, o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'in', gen, dtype: o.dtype ?? 'f32', view: o.view ?? false });
const out = (name: string, shape: number[], o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'out', gen: { kind: 'normal', scale: 3 }, dtype: o.dtype ?? 'f32', view: o.view ?? false });
const state = (name: string, shape: number[], gen: Gen, o: TOpts = {}): TensorSpec =>
  ({ name, shape, role: 'state', gen, dtype: o.dtype ?? 'f32', view: o.view ?? false });

const NORMAL: Gen = { kind: 'normal' };
const POSITIVE: Gen = { kind: 'uniform', lo: 0.5, hi: 2 };

type CaseInput = Partial<Omit<OpCase, 'params'>> & Pick<OpCase, 'name' | 'ops' | 'tensors' | 'record' | 'gpuTol'> & { params?: Partial<StepParams> };
function mk(c: CaseInput): OpCase {
  return { repeat: 1, ...c, params: { ...DEFAULT_PARAMS, ...c.params } };
}

// ---- matmul ----
const LT = (bm: number, bn: number, bk: number, tm: number, tn: number, double = true): LargeTile => ({ bm, bn, bk, tm, tn, double });
interface MmCase {
  M: number; N: number; K: number;
  tA?: boolean; tB?: boolean; bias?: boolean; act?: FusedAct; acc?: boolean; batch?: number; view?: boolean;
  kernel?: 'tiled' | 'register' | 'large' | 'dot'; // force one GPU kernel (unset: the adapter's choice)
  tile?: LargeTile; // the large kernel's tile (unset: chosen by size)
}

function matmulCase(o: MmCase): OpCase {
  const { M, N, K } = o;
  const tA = !!o.tA, tB = !!o.tB, act = o.act ?? 'none', batch = o.batch ?? 1;
  if (o.acc && act !== 'none') throw new Error('matmul case: accumulate is tested without an activation');
  const lead = batch > 1 ? [batch] : [];
  const flags = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
  const name = `matmul ${flags} ${M}x${N}x${K}` + (o.bias ? ' +bias' : '') + (act !== 'none' ? ` ${act}` : '') +
    (o.acc ? ' accumulate' : '') + (batch > 1 ? ` batch${batch}` : '') + (o.view ? ' view' : '') + (o.kernel ? ` ${o.kernel}` : '') +
    (o.tile ? ` ${tileName(o.tile)}` : '');
  const kernel = o.kernel, tile = o.tile;
  const tensors: TensorSpec[] = [
    inp('a', [...lead, ...(tA ? [K, M] : [M, K])], NORMAL, { view: o.view }),
    inp('b', [...lead, ...(tB ? [N, K] : [K, N])], NORMAL, { view: o.view }),
    o.acc ? state('y', [...lead, M, N], NORMAL) : out('y', [...lead, M, N], { view: o.view }),
    inp('dy', [...lead, M, N]),
    out('da', [...lead, ...(tA ? [K, M] : [M, K])]),
    out('db', [...lead, ...(tB ? [N, K] : [K, N])]),
  ];
  if (o.bias) tensors.push(inp('bias', [N]), out('dbias', [N]));
  if (act !== 'none') tensors.push(out('dz', [...lead, M, N]));
  const wrt: [string, string][] = [['a', 'da'], ['b', 'db']];
  if (o.bias) wrt.push(['bias', 'dbias']);
  return mk({
    name,
    ops: ['matmul', 'sumRows', ...(act !== 'none' ? ['unaryBackward'] : [])],
    tensors,
    gpuTol: TOL_MATMUL,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt },
    record(be, t) {
      const forward = [be.matmul(t.y, t.a, t.b, { transA: tA, transB: tB, bias: o.bias ? t.bias : undefined, act, accumulate: o.acc, batch, kernel, tile })];
      // dz = act'(z)·dy: every fused activation's derivative is a function of its output y.
      const backward: Kernel[] = [];
      const dz = act === 'none' ? t.dy : t.dz;
      if (act !== 'none') backward.push(be.unaryBackward(act, t.dz, t.dy, t.y, t.y));
      // dA = dz·op(B)ᵀ (stored (K,M) when transposed: op(B)·dzᵀ); dB = op(A)ᵀ·dz (or dzᵀ·op(A)).
      backward.push(tA
        ? be.matmul(t.da, t.b, dz, { transA: tB, transB: true, batch, kernel, tile })
        : be.matmul(t.da, dz, t.b, { transB: !tB, batch, kernel, tile }));
      backward.push(tB
        ? be.matmul(t.db, dz, t.a, { transA: true, transB: tA, batch, kernel, tile })
        : be.matmul(t.db, t.a, dz, { transA: !tA, batch, kernel, tile }));
      if (o.bias) backward.push(be.sumRows(t.dbias, dz));
      return { forward, backward };
    },
  });
}

const MATMUL_CASES: OpCase[] = [
  // The four transpose combinations, odd sizes (1, 7, 33, 129), each fused activation.
  matmulCase({ M: 33, N: 129, K: 7 }),
  matmulCase({ M: 7, N: 33, K: 129, tB: true, bias: true, act: 'relu' }),
  matmulCase({ M: 129, N: 7, K: 33, tA: true, bias: true, act: 'leaky_relu' }),
  matmulCase({ M: 1, N: 7, K: 33, tA: true, tB: true, bias: true, act: 'tanh' }),
  matmulCase({ M: 7, N: 1, K: 33, act: 'sigmoid' }),
  matmulCase({ M: 33, N: 7, K: 1, bias: true }),
  // 32×32 tiles with scalar loads (no dim divisible by 4), K spanning 9 slices of 16.
  matmulCase({ M: 65, N: 63, K: 130, bias: true, act: 'relu' }),
  matmulCase({ M: 65, N: 63, K: 130, tA: true, tB: true, bias: true, act: 'sigmoid' }),
  // vec4 loads on both operands in each layout.
  matmulCase({ M: 32, N: 64, K: 20, bias: true, act: 'tanh' }),
  matmulCase({ M: 64, N: 36, K: 20, tA: true, act: 'leaky_relu' }),
  matmulCase({ M: 36, N: 20, K: 64, tB: true, bias: true }),
  matmulCase({ M: 20, N: 64, K: 36, tA: true, tB: true }),
  // 64×64 tiles (≥ 16 output tiles): vec4 and scalar, with and without transposes.
  matmulCase({ M: 257, N: 196, K: 20, bias: true, act: 'relu' }),
  matmulCase({ M: 260, N: 193, K: 17, tA: true, tB: true }),
  matmulCase({ M: 130, N: 131, K: 12, batch: 3, bias: true, act: 'tanh' }),
  // accumulate (out += result), batched, and views at a nonzero offset.
  matmulCase({ M: 33, N: 17, K: 20, bias: true, acc: true }),
  matmulCase({ M: 9, N: 12, K: 8, tA: true, tB: true, acc: true }),
  matmulCase({ M: 7, N: 9, K: 5, batch: 3, bias: true, act: 'relu' }),
  matmulCase({ M: 8, N: 12, K: 5, tA: true, tB: true, batch: 3, act: 'sigmoid' }),
  matmulCase({ M: 12, N: 8, K: 16, tA: true, batch: 3 }),
  matmulCase({ M: 13, N: 24, K: 8, bias: true, act: 'leaky_relu', view: true }),
  // The register kernel (matmul/register.wgsl.ts): a CPU-backed adapter such as SwiftShader picks it
  // for the vec4-eligible cases above; these add accumulate, 8-row threads with ragged edges, and
  // the same eligible cases forced onto the tiled kernel so both stay covered on one adapter.
  matmulCase({ M: 36, N: 20, K: 8, tA: true, tB: true, acc: true, kernel: 'register' }),
  matmulCase({ M: 68, N: 72, K: 12, tA: true, tB: true, bias: true, act: 'relu', kernel: 'register' }),
  matmulCase({ M: 70, N: 76, K: 24, bias: true, act: 'sigmoid', kernel: 'register' }),
  matmulCase({ M: 32, N: 64, K: 20, bias: true, act: 'tanh', kernel: 'tiled' }),
  matmulCase({ M: 64, N: 36, K: 20, tA: true, act: 'leaky_relu', kernel: 'tiled' }),
  matmulCase({ M: 36, N: 20, K: 64, tB: true, bias: true, kernel: 'tiled' }),
  matmulCase({ M: 20, N: 64, K: 36, tA: true, tB: true, kernel: 'tiled' }),
  matmulCase({ M: 257, N: 196, K: 20, bias: true, act: 'relu', kernel: 'tiled' }),
  matmulCase({ M: 12, N: 8, K: 16, tA: true, batch: 3, kernel: 'tiled' }),
  // The large kernel (matmul/large.wgsl.ts, hardware GPUs): whole tiles (no bounds checks) and
  // ragged ones, one and two staging buffers, K shorter than a slice, each layout, the biggest tile.
  matmulCase({ M: 64, N: 64, K: 32, bias: true, act: 'relu', kernel: 'large', tile: LT(32, 32, 16, 4, 4) }),
  matmulCase({ M: 70, N: 76, K: 24, tA: true, tB: true, bias: true, act: 'sigmoid', kernel: 'large', tile: LT(32, 64, 16, 4, 4) }),
  matmulCase({ M: 36, N: 20, K: 8, tA: true, acc: true, kernel: 'large', tile: LT(64, 32, 16, 8, 4, false) }),
  matmulCase({ M: 130, N: 260, K: 40, tB: true, bias: true, act: 'tanh', kernel: 'large', tile: LT(128, 256, 8, 8, 16) }),
  matmulCase({ M: 128, N: 256, K: 16, kernel: 'large', tile: LT(128, 256, 8, 8, 16) }),
  matmulCase({ M: 12, N: 8, K: 16, tA: true, batch: 3, kernel: 'large' }),
  // The dot kernel (matmul/dot.wgsl.ts, hardware GPUs, few outputs over a long K): 4, 8 and 16 lanes, each layout.
  matmulCase({ M: 7, N: 10, K: 300, bias: true, act: 'relu', kernel: 'dot' }),
  matmulCase({ M: 33, N: 5, K: 70, tA: true, tB: true, bias: true, act: 'sigmoid', kernel: 'dot' }),
  matmulCase({ M: 9, N: 12, K: 600, tA: true, acc: true, kernel: 'dot' }),
  matmulCase({ M: 5, N: 6, K: 260, tB: true, batch: 3, kernel: 'dot' }),
];

/**
 * The backward-pass matmul variants, compared GPU vs CPU and (check) against a plain f64 product:
 * gradAct: y = (op(a)·op(b)) ⊙ act'(h), h the activation's output (M, N), as a dense layer's dx
 * matmul writes the previous layer's pre-activation gradient; onesRow: op(a) gets an implicit
 * ones row M−1 (a stores M−1 rows), as [dW; db] = [x | 1]ᵀ·dz into adjacent views.
 */
interface MmBackCase {
  M: number; N: number; K: number;
  tA?: boolean; tB?: boolean; gradAct?: FusedAct; onesRow?: boolean; acc?: boolean; batch?: number; view?: boolean;
  kernel?: 'tiled' | 'register' | 'large' | 'dot';
  tile?: LargeTile;
}

// Activation outputs in each activation's range: relu/leaky any sign (y ≤ 0 is the zero side).
const ACT_OUT_GEN: Record<FusedAct, Gen> = {
  none: NORMAL, relu: NORMAL, leaky_relu: NORMAL,
  tanh: { kind: 'uniform', lo: -0.99, hi: 0.99 }, sigmoid: { kind: 'uniform', lo: 0.01, hi: 0.99 },
};

function matmulBackCase(o: MmBackCase): OpCase {
  const { M, N, K } = o;
  const tA = !!o.tA, tB = !!o.tB, batch = o.batch ?? 1, ga = o.gradAct, Ma = o.onesRow ? M - 1 : M;
  const lead = batch > 1 ? [batch] : [];
  const name = `matmul ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}x${N}x${K}` + (ga ? ` gradAct ${ga}` : '') +
    (o.onesRow ? ' onesRow' : '') + (o.acc ? ' accumulate' : '') + (batch > 1 ? ` batch${batch}` : '') + (o.view ? ' view' : '') + (o.kernel ? ` ${o.kernel}` : '') +
    (o.tile ? ` ${tileName(o.tile)}` : '');
  const tensors: TensorSpec[] = [
    inp('a', [...lead, ...(tA ? [K, Ma] : [Ma, K])], NORMAL, { view: o.view }),
    inp('b', [...lead, ...(tB ? [N, K] : [K, N])], NORMAL, { view: o.view }),
    o.acc ? state('y', [...lead, M, N], NORMAL, { view: o.view }) : out('y', [...lead, M, N], { view: o.view }),
  ];
  if (ga) tensors.push(inp('h', [...lead, M, N], ACT_OUT_GEN[ga], { view: o.view }));
  return mk({
    name,
    ops: ['matmul'],
    tensors,
    gpuTol: TOL_MATMUL,
    record(be, t) {
      return {
        forward: [be.matmul(t.y, t.a, t.b, {
          transA: tA, transB: tB, batch, accumulate: o.acc, onesRow: o.onesRow, gradAct: ga ? { act: ga, y: t.h } : undefined, kernel: o.kernel, tile: o.tile,
        })],
        backward: [],
      };
    },
    // Accumulating cases start from random y (not kept), so only the GPU comparison covers them.
    check: o.acc ? undefined : (v) => {
      const A = v.a, B = v.b, Y = v.y, H = v.h;
      let worst = 0, scale = 0;
      for (let z = 0; z < batch; z++)
        for (let m = 0; m < M; m++)
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let k = 0; k < K; k++) {
              const av = m === Ma ? 1 : A[z * Ma * K + (tA ? k * Ma + m : m * K + k)];
              s += av * B[z * K * N + (tB ? n * K + k : k * N + n)];
            }
            const i = z * M * N + m * N + n;
            if (ga) {
              const h = H[i];
              s *= ga === 'relu' ? (h > 0 ? 1 : 0) : ga === 'leaky_relu' ? (h > 0 ? 1 : 0.01) : ga === 'tanh' ? 1 - h * h : h * (1 - h);
            }
            worst = Math.max(worst, Math.abs(Y[i] - s));
            scale = Math.max(scale, Math.abs(s));
          }
      return worst <= 1e-5 * (1 + scale) ? [] : [`max |y − ref| ${worst} (max |ref| ${scale})`];
    },
  });
}

const MATMUL_BACK_CASES: OpCase[] = [
  // gradAct on the dx layout (dz (M, K) · Wᵀ, W stored (N, K)), odd sizes, each activation.
  ...(['relu', 'leaky_relu', 'tanh', 'sigmoid'] as const).map((ga) => matmulBackCase({ M: 37, N: 19, K: 23, tB: true, gradAct: ga })),
  matmulBackCase({ M: 64, N: 36, K: 20, tB: true, gradAct: 'tanh' }), // vec4 loads
  matmulBackCase({ M: 257, N: 196, K: 20, tB: true, gradAct: 'relu' }), // 64×64 tiles
  matmulBackCase({ M: 37, N: 19, K: 23, gradAct: 'sigmoid', batch: 3 }),
  matmulBackCase({ M: 13, N: 24, K: 8, tB: true, gradAct: 'leaky_relu', view: true }),
  // onesRow on the dW layout (xᵀ·dz, x stored (K, M−1)): scalar (M−1 = 37) and vec4 (M−1 = 36) loads.
  matmulBackCase({ M: 38, N: 19, K: 23, tA: true, onesRow: true }),
  matmulBackCase({ M: 37, N: 19, K: 23, tA: true, onesRow: true }),
  matmulBackCase({ M: 37, N: 19, K: 23, tA: true, onesRow: true, acc: true, view: true }),
  matmulBackCase({ M: 65, N: 130, K: 64, tA: true, onesRow: true, acc: true }),
  matmulBackCase({ M: 261, N: 196, K: 20, tA: true, onesRow: true, view: true }), // 64×64 tiles, vec4
  matmulBackCase({ M: 37, N: 19, K: 24, onesRow: true }), // (M−1, K) storage, vec4 along k
  matmulBackCase({ M: 9, N: 12, K: 7, tA: true, tB: true, onesRow: true, batch: 3 }),
  // Register kernel: the ones row without transA, and 8-row threads; the tiled kernel forced on
  // the eligible shapes above.
  matmulBackCase({ M: 37, N: 20, K: 24, onesRow: true, kernel: 'register' }),
  matmulBackCase({ M: 69, N: 68, K: 16, tA: true, onesRow: true, acc: true, kernel: 'register' }),
  matmulBackCase({ M: 72, N: 20, K: 12, tB: true, gradAct: 'leaky_relu', batch: 2, kernel: 'register' }),
  matmulBackCase({ M: 64, N: 36, K: 20, tB: true, gradAct: 'tanh', kernel: 'tiled' }),
  matmulBackCase({ M: 261, N: 196, K: 20, tA: true, onesRow: true, view: true, kernel: 'tiled' }),
  // Large kernel: the ones row in both layouts (never aligned), gradAct, batches.
  matmulBackCase({ M: 37, N: 20, K: 24, onesRow: true, kernel: 'large' }),
  matmulBackCase({ M: 69, N: 68, K: 16, tA: true, onesRow: true, acc: true, kernel: 'large', tile: LT(32, 64, 16, 4, 4) }),
  matmulBackCase({ M: 72, N: 20, K: 12, tB: true, gradAct: 'leaky_relu', batch: 2, kernel: 'large' }),
  matmulBackCase({ M: 64, N: 36, K: 20, tB: true, gradAct: 'tanh', kernel: 'large', tile: LT(64, 32, 16, 8, 4, false) }),
  // Dot kernel: the ones row in both layouts, gradAct, a view.
  matmulBackCase({ M: 38, N: 19, K: 300, tA: true, onesRow: true, kernel: 'dot' }),
  matmulBackCase({ M: 37, N: 19, K: 24, onesRow: true, acc: true, view: true, kernel: 'dot' }),
  matmulBackCase({ M: 37, N: 19, K: 280, tB: true, gradAct: 'tanh', kernel: 'dot' }),
];

// ---- element-wise ----
const UNARY_GEN: Partial<Record<UnaryOp, Gen>> = {
  log: POSITIVE, sqrt: POSITIVE, tanh: { kind: 'normal', scale: 2 }, sigmoid: { kind: 'normal', scale: 3 },
  gelu: { kind: 'normal', scale: 2 },
};
const TRANSCENDENTAL = new Set<UnaryOp>(['gelu', 'tanh', 'sigmoid', 'exp', 'log']);

function unaryCase(op: UnaryOp, shape: number[], o: { alpha?: number; view?: boolean } = {}): OpCase {
  const alpha = o.alpha;
  return mk({
    name: `unary ${op} ${shape.join('x')}` + (alpha !== undefined ? ` alpha=${alpha}` : '') + (o.view ? ' view' : ''),
    ops: ['unary', 'unaryBackward'],
    tensors: [
      inp('x', shape, UNARY_GEN[op] ?? NORMAL, { view: o.view }),
      out('y', shape, { view: o.view }),
      inp('dy', shape),
      out('dx', shape, { view: o.view }),
    ],
    gpuTol: TRANSCENDENTAL.has(op) ? TOL_TRANS : TOL_EW,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.unary(op, t.y, t.x, alpha)],
      backward: [be.unaryBackward(op, t.dx, t.dy, t.x, t.y, alpha)],
    }),
  });
}

const UNARY_CASES: OpCase[] = [
  ...UNARY_OPS.map((op) => unaryCase(op, [7, 33])),
  unaryCase('leaky_relu', [7, 33], { alpha: 0.2 }),
  unaryCase('relu', [300, 7], { view: true }),
];

function binaryCase(op: BinaryOp, aShape: number[], bShape: number[], o: { view?: boolean; hw?: boolean } = {}): OpCase {
  return mk({
    name: `binary ${op} ${aShape.join('x')} ∘ ${bShape.join('x')}` + (o.view ? ' view' : '') + (o.hw ? ' hardware' : ''),
    gpuPaths: o.hw ? 'hardware' : undefined,
    ops: ['binary', 'binaryBackward'],
    tensors: [
      inp('a', aShape, NORMAL, { view: o.view }),
      inp('b', bShape, op === 'div' ? POSITIVE : NORMAL, { view: o.view }),
      out('y', aShape),
      inp('dy', aShape),
      out('da', aShape, { view: o.view }),
      out('db', bShape, { view: o.view }),
    ],
    // db of a broadcast b sums 9 rows (up to 300 for the scalar) in f32.
    gpuTol: TOL_EW,
    gpuTolFor: { db: TOL_SUM },
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['a', 'da'], ['b', 'db']] },
    record: (be, t) => ({
      forward: [be.binary(op, t.y, t.a, t.b)],
      backward: be.binaryBackward(op, t.da, t.db, t.dy, t.a, t.b),
    }),
  });
}

const BINARY_CASES: OpCase[] = [
  ...BINARY_OPS.map((op) => binaryCase(op, [9, 33], [9, 33])),
  ...BINARY_OPS.map((op) => binaryCase(op, [9, 33], [33])), // row vector broadcast over rows
  binaryCase('mul', [30, 10], [1], { view: true }), // scalar broadcast
  // Hardware GPUs sum an add's broadcast db with sumRows: one chunk, several, a scalar b.
  binaryCase('add', [70, 33], [33], { hw: true, view: true }),
  binaryCase('add', [1200, 5], [5], { hw: true }),
  binaryCase('add', [300, 1], [1], { hw: true }),
  // Only da, or only db, requested.
  mk({
    name: 'binary sub da only / div db only',
    ops: ['binary', 'binaryBackward'],
    tensors: [inp('a', [5, 6]), inp('b', [6], POSITIVE), out('y', [5, 6]), out('y2', [5, 6]), inp('dy', [5, 6]), out('da', [5, 6]), out('db', [6])],
    gpuTol: TOL_EW,
    record: (be, t) => ({
      forward: [be.binary('sub', t.y, t.a, t.b), be.binary('div', t.y2, t.a, t.b)],
      backward: [...be.binaryBackward('sub', t.da, null, t.dy, t.a, t.b), ...be.binaryBackward('div', null, t.db, t.dy, t.a, t.b)],
    }),
  }),
];

// ---- reductions ----
function reduceCase(op: ReduceOp, axis: number): OpCase {
  const shape = [5, 6, 7];
  const ax = axis < 0 ? shape.length + axis : axis;
  const yShape = shape.filter((_, i) => i !== ax);
  return mk({
    name: `reduce ${op} axis ${axis} of ${shape.join('x')}`,
    ops: ['reduce', 'reduceBackward'],
    tensors: [
      inp('x', shape, op === 'max' ? { kind: 'distinct' } : NORMAL),
      out('y', yShape),
      inp('dy', yShape),
      out('dx', shape),
    ],
    gpuTol: TOL_SUM,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.reduce(op, t.y, t.x, axis)],
      backward: [be.reduceBackward(op, t.dx, t.dy, t.x, t.y, axis)],
    }),
  });
}

const REDUCE_CASES: OpCase[] = (['sum', 'mean', 'max'] as const).flatMap((op) => [0, 1, -1].map((axis) => reduceCase(op, axis)));

// Hardware GPUs split ≥ 64 rows across a workgroup's lanes (sumRowsParallelWgsl): 1, 7 and 129
// columns (one partly filled block of 64, and 256 lanes for a single column), rows not a multiple of the lanes.
const SUMROWS_CASES: OpCase[] = ([[33, 129, false], [33, 129, true], [1000, 7, true, true], [333, 129, false, true], [77, 1, false, true]] as const)
  .map(([rows, cols, acc, hw]) => mk({
    name: `sumRows ${rows}x${cols}${acc ? ' accumulate' : ''}${hw ? ' hardware' : ''}`,
    ops: ['sumRows'],
    tensors: [inp('x', [rows, cols]), acc ? state('y', [cols], NORMAL) : out('y', [cols])],
    gpuTol: TOL_SUM,
    gpuPaths: hw ? 'hardware' : undefined,
    record: (be, t) => ({ forward: [be.sumRows(t.y, t.x, acc)], backward: [] }),
  }));

// ---- losses ----
/** metrics start non-zero: the loss kernels add into them. */
const METRICS0: Gen = { kind: 'values', values: [0.5, 1, 2, 0] };

function ceCase(B: number, C: number, o: { rows?: number; grad: boolean }): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  return mk({
    name: `softmaxCrossEntropy ${B}x${C}` + (rows < B ? ` rows=${rows}` : '') + (o.grad ? '' : ' no dlogits'),
    ops: ['softmaxCrossEntropy'],
    tensors: [
      inp('logits', [B, C], { kind: 'normal', scale: 2 }),
      inp('labels', [B], { kind: 'int', n: C }, { dtype: 'u32' }),
      state('metrics', [4], METRICS0),
      ...(o.grad ? [out('dlogits', [B, C])] : []),
    ],
    params: { rows },
    gpuTol: TOL_SUM,
    gpuTolFor: { dlogits: TOL_EW },
    grad: o.grad ? { kind: 'loss', metrics: 'metrics', wrt: [['logits', 'dlogits']] } : undefined,
    record: (be, t) => ({ forward: [be.softmaxCrossEntropy(o.grad ? t.dlogits : null, t.logits, t.labels, t.metrics)], backward: [] }),
  });
}

function mseCase(B: number, D: number, o: { rows?: number; grad: boolean }): OpCase {
  const rows = Math.min(o.rows ?? B, B);
  return mk({
    name: `mse ${B}x${D}` + (rows < B ? ` rows=${rows}` : '') + (o.grad ? '' : ' no dpred'),
    ops: ['mse'],
    tensors: [
      inp('pred', [B, D]),
      inp('target', [B, D]),
      state('metrics', [4], METRICS0),
      ...(o.grad ? [out('dpred', [B, D])] : []),
    ],
    params: { rows },
    gpuTol: TOL_SUM,
    gpuTolFor: { dpred: TOL_EW },
    grad: o.grad ? { kind: 'loss', metrics: 'metrics', wrt: [['pred', 'dpred']] } : undefined,
    record: (be, t) => ({ forward: [be.mse(o.grad ? t.dpred : null, t.pred, t.target, t.metrics)], backward: [] }),
  });
}

const LOSS_CASES: OpCase[] = [
  ceCase(7, 10, { grad: true }),
  ceCase(7, 10, { grad: false }),
  ceCase(7, 10, { rows: 5, grad: true }),
  ceCase(300, 10, { rows: 290, grad: true }), // more rows than the 256 threads
  mseCase(6, 5, { grad: true }),
  mseCase(6, 5, { grad: false }),
  mseCase(6, 5, { rows: 4, grad: true }),
  mseCase(300, 3, { rows: 299, grad: true }),
];

// ---- dropout ----
function dropoutCase(n: number, rate: number, salt: number, seed: number): OpCase {
  return mk({
    name: `dropout ${n} rate=${rate} salt=${salt}`,
    ops: ['dropout', 'dropoutBackward'],
    tensors: [inp('x', [n]), out('y', [n]), inp('dy', [n]), out('dx', [n])],
    params: { seed },
    gpuTol: TOL_EW,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.dropout(t.y, t.x, rate, salt)],
      backward: [be.dropoutBackward(t.dx, t.dy, rate, salt)],
    }),
    check(v) {
      const x = v.x, y = v.y, dy = v.dy, dx = v.dx, errs: string[] = [];
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const k = y[i] !== 0;
        if (k) {
          kept++;
          const want = x[i] / (1 - rate);
          if (Math.abs(y[i] - want) > 1e-6 * Math.abs(want)) errs.push(`y[${i}] = ${y[i]}, want x/(1-rate) = ${want}`);
        }
        const wantDx = k ? dy[i] / (1 - rate) : 0;
        if (Math.abs(dx[i] - wantDx) > 1e-6 * Math.abs(wantDx)) errs.push(`dx[${i}] = ${dx[i]}, want ${wantDx} (mask of y)`);
        if (errs.length > 5) break;
      }
      const frac = kept / n, sigma = Math.sqrt((rate * (1 - rate)) / n);
      if (Math.abs(frac - (1 - rate)) > 3 * sigma)
        errs.push(`kept fraction ${frac.toFixed(5)} is ${(Math.abs(frac - (1 - rate)) / sigma).toFixed(2)}σ from ${1 - rate} (σ = ${sigma.toExponential(2)})`);
      return errs;
    },
  });
}

const DROPOUT_CASES: OpCase[] = [dropoutCase(4096, 0.3, 7, 99), dropoutCase(1000, 0.5, 3, 0xdeadbeef)];

// ---- training-step ops ----
const SUMSQ_CASES: OpCase[] = [mk({
  name: 'sumSquares 5000',
  ops: ['sumSquares'],
  tensors: [inp('x', [5000], NORMAL, { view: true }), out('y', [1])],
  gpuTol: TOL_SUM,
  record: (be, t) => ({ forward: [be.sumSquares(t.y, t.x)], backward: [] }),
  check(v) {
    let s = 0;
    for (let i = 0; i < 5000; i++) s += v.x[i] * v.x[i];
    return Math.abs(v.y[0] - s) <= 1e-5 * s ? [] : [`Σx² = ${v.y[0]}, want ${s} (rel err ${Math.abs(v.y[0] - s) / s})`];
  },
})];

const OPT_BASE: OptimizerConfig = { kind: 'sgd', momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 };
const OPT_CONFIGS: [string, Partial<OptimizerConfig>][] = [
  ['sgd', { kind: 'sgd', weightDecay: 0.01 }],
  ['sgd+momentum', { kind: 'sgd', momentum: 0.9 }],
  ['sgd+nesterov', { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
  ['adam', { kind: 'adam', weightDecay: 0.01 }],
  ['adamw', { kind: 'adamw', weightDecay: 0.1 }],
];

function optimizerCase(label: string, partial: Partial<OptimizerConfig>, clip: boolean): OpCase {
  // ‖g‖ ≈ √1000 ≈ 32, so clipNorm 1 scales the gradient by ~1/32.
  const cfg: OptimizerConfig = { ...OPT_BASE, ...partial, clipNorm: clip ? 1 : 0 };
  const n = 1000;
  return mk({
    name: `optimizerStep ${label}${clip ? ' clip=1' : ''} x3 steps`,
    ops: ['optimizerStep', ...(clip ? ['sumSquares'] : [])],
    tensors: [
      state('w', [n], NORMAL, { view: clip }),
      inp('g', [n], NORMAL, { view: clip }),
      state('m', [n], { kind: 'zeros' }, { view: clip }),
      state('v', [n], { kind: 'zeros' }, { view: clip }),
      ...(clip ? [out('sq', [1])] : []),
    ],
    repeat: 3, // steps 1, 2, 3: bias correction and momentum buffers past their first step
    params: { lr: 0.05 },
    gpuTol: TOL_OPT,
    gpuTolFor: { sq: TOL_SUM },
    record: (be, t) => ({
      forward: clip ? [be.sumSquares(t.sq, t.g), be.optimizerStep(t.w, t.g, t.m, t.v, cfg, t.sq)] : [be.optimizerStep(t.w, t.g, t.m, t.v, cfg, null)],
      backward: [],
    }),
  });
}

const OPT_CASES: OpCase[] = OPT_CONFIGS.flatMap(([label, c]) => [false, true].map((clip) => optimizerCase(label, c, clip)));

function gatherCase(nImages: number, rowBytes: number, B: number, nIdx: number, batchStart: number): OpCase {
  const words = Math.ceil((nImages * rowBytes) / 4);
  return mk({
    name: `gatherBatch ${B} of ${nImages} rowBytes=${rowBytes} batchStart=${batchStart}/${nIdx}`,
    ops: ['gatherBatch'],
    tensors: [
      inp('images', [words], { kind: 'words' }, { dtype: 'u32' }),
      inp('labels', [nImages], { kind: 'int', n: 10 }, { dtype: 'u32' }),
      inp('indices', [nIdx], { kind: 'int', n: nImages }, { dtype: 'u32' }),
      out('x', [B, rowBytes]),
      out('y', [B], { dtype: 'u32' }),
    ],
    params: { batchStart },
    // byte/255: WGSL's f32 division may be 2.5 ulp off (ulp ≤ 6e-8 for values ≤ 1).
    gpuTol: { abs: 2e-7, rel: 0, scale: 'elem' },
    gpuTolFor: { y: TOL_EXACT },
    record: (be, t) => ({ forward: [be.gatherBatch(t.x, t.y, t.images, t.labels, t.indices, rowBytes)], backward: [] }),
    // Independent unpacking of the bytes (little-endian words), with the clamp at the end.
    check(v) {
      const errs: string[] = [];
      const im = v.images as Uint32Array, idx = v.indices as Uint32Array;
      for (let r = 0; r < B; r++) {
        const src = idx[Math.min(batchStart + r, nIdx - 1)];
        if (v.y[r] !== v.labels[src]) errs.push(`y[${r}] = ${v.y[r]}, want label ${v.labels[src]} of image ${src}`);
        for (let j = 0; j < rowBytes; j++) {
          const byte = src * rowBytes + j;
          const want = ((im[Math.floor(byte / 4)] >>> (8 * (byte % 4))) & 0xff) / 255;
          const got = v.x[r * rowBytes + j];
          if (Math.abs(got - want) > 2e-7) {
            errs.push(`x[${r}, ${j}] = ${got}, want ${want} (image ${src}, byte ${byte})`);
            break;
          }
        }
      }
      return errs;
    },
  });
}

const GATHER_CASES: OpCase[] = [gatherCase(10, 784, 4, 12, 10), gatherCase(9, 5, 6, 7, 3)];

const MISC_CASES: OpCase[] = [
  mk({
    name: 'fill 1000 view',
    ops: ['fill'],
    tensors: [out('t', [1000], { view: true }), out('u', [7])],
    gpuTol: TOL_EXACT,
    record: (be, t) => ({ forward: [be.fill(t.t, 0.25), be.fill(t.u, -3.5)], backward: [] }),
    check: (v) => [...v.t].some((x) => x !== 0.25) || [...v.u].some((x) => x !== -3.5) ? ['fill left other values'] : [],
  }),
  mk({
    name: 'addInto 1000',
    ops: ['addInto'],
    tensors: [state('dst', [1000], NORMAL, { view: true }), inp('src', [1000])],
    gpuTol: TOL_EW,
    record: (be, t) => ({ forward: [be.addInto(t.dst, t.src)], backward: [] }),
  }),
];

export const OP_CASES: OpCase[] = [
  ...MATMUL_CASES, ...MATMUL_BACK_CASES, ...UNARY_CASES, ...BINARY_CASES, ...REDUCE_CASES, ...SUMROWS_CASES, ...LOSS_CASES,
  ...DROPOUT_CASES, ...SUMSQ_CASES, ...OPT_CASES, ...GATHER_CASES, ...MISC_CASES,
  ...RNN_CASES,
  ...CONV_CASES,
  ...ATTENTION_CASES,
];

{
  const seen = new Set<string>();
  for (const c of OP_CASES) {
    if (seen.has(c.name)) throw new Error(`op-specs: duplicate case name ${c.name}`);
    seen.add(c.name);
  }
}

export function caseByName(name: string): OpCase {
  const c = OP_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no op case named ${name}`);
  return c;
}

/** Every op method of the Backend interface: the coverage test checks that the table calls each. */
export const BACKEND_OPS = [
  'matmul', 'unary', 'unaryBackward', 'binary', 'binaryBackward', 'reduce', 'reduceBackward', 'sumRows',
  'softmaxCrossEntropy', 'mse', 'dropout', 'dropoutBackward', 'sumSquares', 'optimizerStep', 'gatherBatch',
  'fill', 'addInto',
  'embedding', 'embeddingBackward', 'recurrentStep', 'recurrentStepBackward', 'gatherRows', 'sequenceCrossEntropy',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'pool2d', 'pool2dBackward',
  'batchnormStats', 'batchnormApply', 'batchnormBackward', 'augment',
  'layerNorm', 'layerNormBackward', 'attention', 'attentionBackward', 'attentionProbs',
] as const;
