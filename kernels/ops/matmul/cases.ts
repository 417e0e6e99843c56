// Op cases of the matmul kernels (tiled, register, large, dot) and their fused epilogues and gradient activations.
import { type FusedAct, type Kernel } from '../../backend.ts';
import { inp, mk, NORMAL, out, state, TOL_MATMUL, type Gen, type OpCase, type TensorSpec } from '../../testing/case-kit.ts';
import { tileName, type LargeTile } from './large.wgsl.ts';

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

export const MATMUL_CASES: OpCase[] = [
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
  kernel?: 'tiled' | 'register' | 'large' | 'dot' | 'splitk';
  tile?: LargeTile;
  hw?: boolean; // GpuBackend.paths 'hardware': the kernels a hardware GPU gets, here on SwiftShader
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
    (o.tile ? ` ${tileName(o.tile)}` : '') + (o.hw ? ' hardware' : '');
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
    gpuPaths: o.hw ? 'hardware' : undefined,
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

export const MATMUL_BACK_CASES: OpCase[] = [
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
  // Split-K (dW layout, K in S slices as a batched product, then a sum): S = 4 with [dW; db] on
  // vec4 loads; S = 3 on odd slices of 259 (scalar loads); accumulating; 2 slices of a small
  // product; on SwiftShader's kernels and, 'hardware', the large ones; and chosen by shape
  // (hardware, 4,550 outputs over K 1,024: past the dot kernel's 4,096).
  ...[false, true].flatMap((hw) => [
    matmulBackCase({ M: 65, N: 70, K: 1024, tA: true, onesRow: true, kernel: 'splitk', hw }),
    matmulBackCase({ M: 9, N: 130, K: 777, tA: true, kernel: 'splitk', hw }),
    matmulBackCase({ M: 37, N: 19, K: 600, tA: true, acc: true, view: true, kernel: 'splitk', hw }),
    matmulBackCase({ M: 66, N: 69, K: 1040, tA: true, onesRow: true, acc: true, kernel: 'splitk', hw }),
  ]),
  matmulBackCase({ M: 65, N: 70, K: 1024, tA: true, onesRow: true, hw: true }),
];
