// Op cases of conv2d and its two backward GEMMs, spread into the shared table of op-specs.ts: finite differences on
// CpuBackend('f64') and GPU-vs-CPU in Chromium. Odd sizes throughout, and a grid of
// stride/padding/dilation combos. Only type imports from op-specs.ts (it imports this file).
import { convGeom, type DType, type FusedAct, type Kernel, type Padding, type StepParams } from '../../backend.ts';
import { fusedOps } from '../../autodiff/fused.ts';
import type { Gen, OpCase, TensorSpec, Tol } from '../../testing/op-specs.ts';

const P: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 1234, rows: 1 << 20 };
const T_ = (name: string, shape: number[], role: TensorSpec['role'], gen: Gen, dtype: DType = 'f32', view = false): TensorSpec =>
  ({ name, shape, role, gen, dtype, view });
const inp = (name: string, shape: number[], gen: Gen = { kind: 'normal' }, view = false) => T_(name, shape, 'in', gen, 'f32', view);
const out = (name: string, shape: number[], dtype: DType = 'f32') => T_(name, shape, 'out', { kind: 'normal', scale: 3 }, dtype);
const state = (name: string, shape: number[], gen: Gen) => T_(name, shape, 'state', gen);

/** Implicit GEMMs: f32 sums of up to K = KH·KW·C (or N·OH·OW for dw) products, relative to max|ref|. */
const TOL_CONV: Tol = { abs: 1e-5, rel: 1e-5, scale: 'max' };

interface ConvCase {
  N: number; H: number; W: number; C: number; F: number;
  k: number | [number, number]; stride?: number; pad?: Padding; dil?: number;
  bias?: boolean; act?: FusedAct; acc?: boolean; view?: boolean;
  hw?: boolean; // the hardware-GPU kernels (parallel dw and sumRows), here on SwiftShader
  /**
   * dbias inside the dw dispatch (conv2dBackwardWeightBias, GPU only; the CPU backend records
   * dw + sumRows, the reference). With acc, dbias accumulates too.
   */
  dwb?: boolean;
}

function convCase(o: ConvCase): OpCase {
  const k: [number, number] = Array.isArray(o.k) ? o.k : [o.k, o.k];
  const s = o.stride ?? 1, pad = o.pad ?? 'valid', dil = o.dil ?? 1, act = o.act ?? 'none';
  const g = convGeom([o.N, o.H, o.W, o.C], k, o.F, s, pad, dil);
  const xs = [o.N, o.H, o.W, o.C], ws = [k[0], k[1], o.C, o.F], ys = [o.N, g.OH, g.OW, o.F];
  const name = `conv2d ${xs.join('x')} k${k.join('x')} F${o.F} s${s} p${pad} d${dil}` + (o.bias ? ' +bias' : '') +
    (act !== 'none' ? ` ${act}` : '') + (o.acc ? ' accumulate' : '') + (o.view ? ' view' : '') + (o.hw ? ' hardware' : '') + (o.dwb ? ' dw+dbias' : '');
  const tensors: TensorSpec[] = [
    inp('x', xs, { kind: 'normal' }, !!o.view),
    inp('w', ws, { kind: 'normal', scale: 0.5 }, !!o.view),
    o.acc ? state('y', ys, { kind: 'normal' }) : out('y', ys),
    inp('dy', ys),
    o.acc ? state('dx', xs, { kind: 'normal' }) : out('dx', xs),
    o.acc ? state('dw', ws, { kind: 'normal' }) : out('dw', ws),
  ];
  if (o.bias) tensors.push(inp('bias', [o.F]), o.dwb && o.acc ? state('dbias', [o.F], { kind: 'normal' }) : out('dbias', [o.F]));
  if (act !== 'none') tensors.push(out('dz', ys));
  const wrt: [string, string][] = [['x', 'dx'], ['w', 'dw']];
  if (o.bias) wrt.push(['bias', 'dbias']);
  return {
    name,
    ops: ['conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', ...(o.bias ? ['sumRows'] : []), ...(act !== 'none' ? ['unaryBackward'] : [])],
    tensors, params: P, repeat: 1,
    gpuTol: TOL_CONV,
    gpuPaths: o.hw ? 'hardware' : undefined,
    grad: o.acc ? undefined : { kind: 'dot', y: 'y', dy: 'dy', wrt },
    record(be, t) {
      const forward = [be.conv2d(t.y, t.x, t.w, g, { bias: o.bias ? t.bias : undefined, act, accumulate: o.acc })];
      const backward: Kernel[] = [];
      const dz = act === 'none' ? t.dy : t.dz;
      if (act !== 'none') backward.push(be.unaryBackward(act, t.dz, t.dy, t.y, t.y));
      backward.push(be.conv2dBackwardInput(t.dx, dz, t.w, g, o.acc));
      const wb = fusedOps(be).conv2dBackwardWeightBias;
      if (o.dwb && o.bias && wb) backward.push(wb.call(be, t.dw, t.dbias, t.x, dz, g, o.acc));
      else {
        backward.push(be.conv2dBackwardWeight(t.dw, t.x, dz, g, o.acc));
        if (o.bias) backward.push(be.sumRows(t.dbias, { ...dz, shape: [o.N * g.OH * g.OW, o.F] }, o.dwb && o.acc));
      }
      return { forward, backward };
    },
  };
}

const CONV: OpCase[] = [
  // stride × padding × dilation grid on odd sizes; 'same' with stride 2 pads asymmetrically.
  convCase({ N: 2, H: 7, W: 9, C: 3, F: 5, k: 3, pad: 'same', bias: true, act: 'relu' }),
  convCase({ N: 2, H: 8, W: 7, C: 2, F: 3, k: 3, stride: 2, pad: 'same', bias: true }),
  convCase({ N: 1, H: 9, W: 9, C: 2, F: 4, k: 3, pad: 'valid', dil: 2, bias: true, act: 'tanh' }),
  convCase({ N: 2, H: 7, W: 6, C: 3, F: 2, k: [2, 3], stride: 2, pad: 1 }),
  convCase({ N: 1, H: 10, W: 11, C: 1, F: 6, k: 5, stride: 3, pad: 2, dil: 2, bias: true, act: 'leaky_relu' }),
  convCase({ N: 2, H: 9, W: 8, C: 3, F: 3, k: 3, stride: 2, pad: 'valid', dil: 2, act: 'sigmoid' }),
  convCase({ N: 2, H: 6, W: 5, C: 2, F: 3, k: 4, stride: 1, pad: 'same', dil: 1 }), // even kernel, 'same'
  convCase({ N: 2, H: 5, W: 5, C: 4, F: 3, k: 1, stride: 2 }), // 1×1 strided: not the matmul route
  convCase({ N: 3, H: 5, W: 7, C: 5, F: 7, k: 3, stride: 3, pad: 1, bias: true }),
  // larger: several 32×32 (64×64 on GPUs) tiles and K spanning many 16-slices
  convCase({ N: 4, H: 12, W: 11, C: 8, F: 20, k: 3, pad: 'same', bias: true, act: 'relu' }),
  convCase({ N: 3, H: 14, W: 13, C: 17, F: 33, k: 3, stride: 2, pad: 1, bias: true, act: 'relu' }),
  convCase({ N: 2, H: 28, W: 28, C: 1, F: 6, k: 5, pad: 'valid', bias: true, act: 'relu', view: true }),
  // accumulate into y, dx and dw
  convCase({ N: 2, H: 6, W: 7, C: 3, F: 4, k: 3, stride: 2, pad: 'same', bias: true, acc: true }),
  // Hardware-GPU forms: scalar dy reads (F 5, 33: several filter blocks), vec4 (F 4, 20), strides,
  // dilation, padding, accumulate, a view, and more positions than a workgroup has threads.
  convCase({ N: 2, H: 7, W: 9, C: 3, F: 5, k: 3, pad: 'same', bias: true, act: 'relu', hw: true }),
  convCase({ N: 1, H: 10, W: 11, C: 1, F: 6, k: 5, stride: 3, pad: 2, dil: 2, bias: true, act: 'leaky_relu', hw: true }),
  convCase({ N: 3, H: 14, W: 13, C: 17, F: 33, k: 3, stride: 2, pad: 1, bias: true, act: 'relu', hw: true }),
  convCase({ N: 4, H: 12, W: 11, C: 8, F: 20, k: 3, pad: 'same', bias: true, act: 'relu', hw: true }),
  convCase({ N: 2, H: 28, W: 28, C: 1, F: 4, k: 5, pad: 'valid', bias: true, view: true, hw: true }),
  convCase({ N: 2, H: 6, W: 7, C: 3, F: 4, k: 3, stride: 2, pad: 'same', bias: true, acc: true, hw: true }),
  // ≥ 2,048 positions: dw splits them into chunks summed by a second pass, as does the bias's sumRows.
  convCase({ N: 4, H: 28, W: 28, C: 1, F: 6, k: 5, pad: 'valid', bias: true, hw: true }),
  convCase({ N: 3, H: 30, W: 30, C: 2, F: 4, k: 3, pad: 'same', bias: true, acc: true, hw: true }),
  // dbias in the dw dispatch: SwiftShader's thread-per-row kernel (row M the bias) and the hardware
  // workgroup-per-row kernel, unchunked and chunked (≥ 2,048 positions: the chunk pass splits
  // the partial sums between dw and dbias); scalar (F 5, 1, 33) and vec4 (F 4, 20) dy reads; one
  // filter; 1 row of weights (k 1 strided, C 1); accumulating into both.
  ...[false, true].flatMap((hw) => [
    convCase({ N: 2, H: 7, W: 9, C: 3, F: 5, k: 3, pad: 'same', bias: true, act: 'relu', dwb: true, hw }),
    convCase({ N: 3, H: 14, W: 13, C: 17, F: 33, k: 3, stride: 2, pad: 1, bias: true, dwb: true, hw }),
    convCase({ N: 2, H: 5, W: 5, C: 1, F: 1, k: 1, stride: 2, bias: true, dwb: true, hw }),
    convCase({ N: 2, H: 6, W: 7, C: 3, F: 4, k: 3, stride: 2, pad: 'same', bias: true, acc: true, dwb: true, hw }),
    convCase({ N: 4, H: 28, W: 28, C: 1, F: 6, k: 5, pad: 'valid', bias: true, dwb: true, hw }),
    convCase({ N: 3, H: 30, W: 30, C: 2, F: 20, k: 3, pad: 'same', bias: true, acc: true, dwb: true, hw }),
  ]),
];

/**
 * Conv2D (bias, act) then a max pool whose windows tile the conv output (size == stride, no
 * padding): the GPU backend runs conv2dMaxPool (one kernel writing only the pooled p and the
 * argmax) and its backward maxPoolBackwardActPooled (act' taken from p); the CPU backend records
 * the plain ops, conv2d → pool2d forward and pool2dBackward → unaryBackward → conv backward, the
 * reference. y (the conv output) and dyc (its gradient before act') are the CPU's intermediates:
 * role 'in', so the GPU, which never writes them, is not compared on them, and a GPU backward
 * that read y (random data there) would show in dz.
 */
interface ConvPoolCase { N: number; H: number; W: number; C: number; F: number; k: number; stride?: number; pad?: Padding; dil?: number; pool: number; bias?: boolean; act?: FusedAct; hw?: boolean }

function convPoolCase(o: ConvPoolCase): OpCase {
  const s = o.stride ?? 1, pad = o.pad ?? 'valid', dil = o.dil ?? 1, act = o.act ?? 'none';
  const g = convGeom([o.N, o.H, o.W, o.C], [o.k, o.k], o.F, s, pad, dil);
  const pg = convGeom([o.N, g.OH, g.OW, o.F], [o.pool, o.pool], o.F, o.pool, 'valid', 1);
  const xs = [o.N, o.H, o.W, o.C], ws = [o.k, o.k, o.C, o.F], ys = [o.N, g.OH, g.OW, o.F], ps = [o.N, pg.OH, pg.OW, o.F];
  const name = `conv2d+maxpool ${xs.join('x')} k${o.k} F${o.F} s${s} p${pad} d${dil} pool${o.pool}` + (o.bias ? ' +bias' : '') + (act !== 'none' ? ` ${act}` : '') + (o.hw ? ' hardware' : '');
  const tensors: TensorSpec[] = [
    inp('x', xs), inp('w', ws, { kind: 'normal', scale: 0.5 }),
    inp('y', ys, { kind: 'normal', scale: 3 }), inp('dyc', ys, { kind: 'normal', scale: 3 }),
    out('p', ps), out('argmax', ps, 'u32'), inp('dp', ps),
    out('dz', ys), out('dx', xs), out('dw', ws),
  ];
  if (o.bias) tensors.push(inp('bias', [o.F]), out('dbias', [o.F]));
  const wrt: [string, string][] = [['x', 'dx'], ['w', 'dw']];
  if (o.bias) wrt.push(['bias', 'dbias']);
  return {
    name,
    ops: ['conv2d', 'pool2d', 'pool2dBackward', 'conv2dBackwardInput', 'conv2dBackwardWeight', ...(act !== 'none' ? ['unaryBackward'] : [])],
    tensors, params: P, repeat: 1,
    gpuTol: TOL_CONV,
    // The argmax is exact: the same window position wins on both (ties, relu's zeros, go to the first).
    gpuTolFor: { argmax: { abs: 0, rel: 0, scale: 'elem' } },
    gpuPaths: o.hw ? 'hardware' : undefined,
    grad: { kind: 'dot', y: 'p', dy: 'dp', wrt },
    record(be, t) {
      const f = fusedOps(be);
      const bias = o.bias ? t.bias : undefined;
      const forward = f.conv2dMaxPool
        ? [f.conv2dMaxPool.call(be, t.p, t.argmax, t.x, t.w, g, pg, { bias, act })]
        : [be.conv2d(t.y, t.x, t.w, g, { bias, act }), be.pool2d('max', t.p, t.y, t.argmax, pg)];
      const backward: Kernel[] = [];
      if (act === 'none') backward.push(be.pool2dBackward('max', t.dz, t.dp, t.argmax, pg));
      else if (f.maxPoolBackwardActPooled) backward.push(f.maxPoolBackwardActPooled.call(be, t.dz, t.dp, t.argmax, pg, { act, y: t.p }));
      else backward.push(be.pool2dBackward('max', t.dyc, t.dp, t.argmax, pg), be.unaryBackward(act, t.dz, t.dyc, t.y, t.y));
      backward.push(be.conv2dBackwardInput(t.dx, t.dz, t.w, g));
      const wb = f.conv2dBackwardWeightBias;
      if (o.bias && wb) backward.push(wb.call(be, t.dw, t.dbias, t.x, t.dz, g));
      else {
        backward.push(be.conv2dBackwardWeight(t.dw, t.x, t.dz, g));
        if (o.bias) backward.push(be.sumRows(t.dbias, { ...t.dz, shape: [o.N * g.OH * g.OW, o.F] }));
      }
      return { forward, backward };
    },
    check(v) {
      // Each argmax names a conv output of the same channel inside the pooled pixel's own window.
      const errs: string[] = [];
      for (let i = 0; i < v.argmax.length && errs.length < 3; i++) {
        const a = v.argmax[i], f = i % o.F, m = Math.floor(i / o.F);
        const pw = m % pg.OW, ph = Math.floor(m / pg.OW) % pg.OH, n = Math.floor(m / (pg.OW * pg.OH));
        const af = a % o.F, ar = Math.floor(a / o.F), aw = ar % g.OW, ah = Math.floor(ar / g.OW) % g.OH, an = Math.floor(ar / (g.OW * g.OH));
        if (af !== f || an !== n || Math.floor(ah / o.pool) !== ph || Math.floor(aw / o.pool) !== pw || ah >= pg.OH * o.pool || aw >= pg.OW * o.pool)
          errs.push(`argmax[${i}] = ${a} is not in pooled pixel (${n}, ${ph}, ${pw}) channel ${f}'s window`);
      }
      return errs;
    },
  };
}

// Odd conv outputs (the trailing row/column in no window), F not a multiple of 4 or of the
// 4/8/16-column block (5, 17, 6, 20), C = 1, N = 1 and 3, each activation kind, bias or not; on
// SwiftShader's 64-thread kernels and the hardware path's 256-thread ones.
const CONV_POOL: OpCase[] = [false, true].flatMap((hw) => [
  convPoolCase({ N: 2, H: 9, W: 10, C: 3, F: 5, k: 3, pool: 2, bias: true, act: 'relu', hw }), // conv 7×8 → 3×4
  convPoolCase({ N: 1, H: 28, W: 28, C: 1, F: 6, k: 5, pool: 2, bias: true, act: 'relu', hw }), // LeNet's first layer
  convPoolCase({ N: 3, H: 11, W: 9, C: 2, F: 4, k: 3, pad: 'same', pool: 3, bias: true, act: 'tanh', hw }), // vec4 filters
  convPoolCase({ N: 2, H: 9, W: 7, C: 3, F: 17, k: 2, stride: 2, pool: 2, hw }), // conv 4×3 → 2×1, no act, no bias
  convPoolCase({ N: 3, H: 10, W: 11, C: 1, F: 20, k: 3, dil: 2, pool: 2, bias: true, act: 'leaky_relu', hw }), // conv 6×7 → 3×3
  convPoolCase({ N: 1, H: 7, W: 8, C: 4, F: 3, k: 2, pad: 1, pool: 3, act: 'sigmoid', hw }), // conv 8×9 → 2×3
]);

export const CONV_CASES: OpCase[] = [...CONV, ...CONV_POOL];
