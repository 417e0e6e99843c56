// GPU dispatch of the matmul ops: kernel selection, uniforms and bindings; WGSL in this folder.
import { matmulDims, type Kernel, type MatmulOpts, type Tensor } from '../../backend.ts';
import { matmulWgsl } from './tiled.wgsl.ts';
import { matmulRegisterEligible, matmulRegisterWgsl, REG_COLS, REG_WG } from './register.wgsl.ts';
import { largeAligned, largeTileInvalid, matmulLargeWgsl, type LargeTile } from './large.wgsl.ts';
import { dotLanes, matmulDotWgsl } from './dot.wgsl.ts';
import { splitK, splitKIneligible, splitKSlices, SPLITK_MIN_K, SPLITK_MIN_SLICE } from './splitk.ts';
import { checkSizes } from '../shapes.ts';
import type { Arg, GpuBackend } from '../../gpu/backend.ts';

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

/** `name` labels the kernel instead of `matmul MxNxK` (split-K names its batched product after the whole). */
export function matmul(be: GpuBackend, out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts = {}, name?: string): Kernel {
  const { M, N, K, batch } = matmulDims(a, b, o);
  const label = name ?? `matmul ${M}x${N}x${K}`;
  if (out.size !== M * N * batch) throw new Error(`matmul: out ${out.name} has ${out.size} elements, need ${M * N * batch}`);
  // A stores M rows (M − 1 under onesRow) per batch; matmulDims reads A's and B's shapes past a batch dim, not their sizes.
  checkSizes(label, [[a, batch * (M - (o.onesRow ? 1 : 0)) * K], [b, batch * K * N], [o.bias, N], [o.gradAct?.y, M * N * batch]]);
  // vec4 loads of A run along its stored contiguous dim: the M − 1 real rows under onesRow.
  const vecA = (o.transA ? M - (o.onesRow ? 1 : 0) : K) % 4 === 0;
  const vecB = (o.transB ? K : N) % 4 === 0;
  // Small outputs get 32×32 tiles so that more workgroups share the device. SwiftShader (a CPU
  // posing as a GPU) runs 64-thread workgroups 1.5–3× faster than 256-thread ones at every size
  // measured (784×128×64: 31 ms vs 95 ms), so a fallback adapter always gets the small tile.
  const tile = be.info.isFallbackAdapter || Math.ceil(M / 64) * Math.ceil(N / 64) * batch < 16 ? 8 : 16;
  const T = tile * 4;
  const flags = {
    transA: !!o.transA, transB: !!o.transB, bias: !!o.bias, act: o.act ?? 'none',
    accumulate: !!o.accumulate, gradAct: o.gradAct?.act ?? 'none', onesRow: !!o.onesRow,
  } as const;
  // A CPU-backed adapter gets the register kernel wherever its vec4 loads fit (matmul/register.wgsl.ts);
  // a hardware GPU gets large tiles where the product fills it (matmul/large.wgsl.ts).
  if (o.kernel === 'splitk') {
    const why = splitKIneligible(o, batch), S = splitKSlices(M, N, K);
    if (why || S < 2) throw new Error(`matmul ${M}x${N}x${K}: split-K does not apply: ${why ?? `K = ${K} has no 2 or more equal slices of at least ${SPLITK_MIN_SLICE}`}`);
    return splitK(be, out, a, b, o, M, N, K, S, (y, aa, bb, oo) => matmul(be, y, aa, bb, oo, `matmul ${M}x${N}x${K} split-K ${S}`));
  }
  // Few outputs over a long K (a classifier, a weight gradient summed over tokens): lanes share each dot product.
  if (o.kernel === 'dot' || (!o.kernel && be.hw && K >= DOT_MIN_K && M * N * batch <= DOT_MAX_OUTPUTS)) {
    const lanes = dotLanes(K), groups = Math.ceil((M * N * batch) / (256 / lanes));
    const gy = Math.ceil(groups / 65535);
    // Lanes within one subgroup add by shuffles instead of workgroup memory and barriers.
    const subgroup = lanes <= be.subgroupSize;
    return be.kernel(label, matmulDotWgsl({ ...flags, lanes, subgroup }), matmulArgs(M, N, K, batch, a, b, out, o),
      [gy > 1 ? 65535 : groups, gy, 1]);
  }
  // More outputs than the dot kernel takes, still a long K in the weight-gradient layout: K in slices.
  if (!o.kernel && be.hw && K >= SPLITK_MIN_K && !splitKIneligible(o, batch)) {
    const S = splitKSlices(M, N, K);
    if (S > 1) return splitK(be, out, a, b, o, M, N, K, S, (y, aa, bb, oo) => matmul(be, y, aa, bb, oo, `matmul ${M}x${N}x${K} split-K ${S}`));
  }
  const vec4Loads = matmulRegisterEligible(M, N, K, flags.transA, flags.transB, flags.onesRow);
  const register = vec4Loads && (o.kernel ? o.kernel === 'register' : !be.hw);
  const large = vec4Loads && !register && (o.kernel ? o.kernel === 'large' : be.hw)
    ? largeTile(be, M, N, batch, o) : null;
  const rows = M >= 64 ? 8 : 4; // register kernel: rows of C per thread (fewer idle rows when M is small)
  const code = large ? matmulLargeWgsl({ ...flags, tile: large, aligned: largeAligned(M, N, K, large, flags.onesRow) })
    : register ? matmulRegisterWgsl({ ...flags, rows }) : matmulWgsl({ ...flags, vecA, vecB, tile });
  const grid: [number, number, number] = large ? [Math.ceil(N / large.bn), Math.ceil(M / large.bm), batch]
    : register ? [Math.ceil(N / (REG_WG * REG_COLS)), Math.ceil(M / (REG_WG * rows)), batch]
      : [Math.ceil(N / T), Math.ceil(M / T), batch];
  return be.kernel(label, code, matmulArgs(M, N, K, batch, a, b, out, o), grid);
}

/** Bindings shared by every matmul kernel: step, dims, A, B, C, then bias and the gradAct's y when used. */
function matmulArgs(M: number, N: number, K: number, batch: number, a: Tensor, b: Tensor, out: Tensor, o: MatmulOpts): Record<string, Arg> {
  const args: Record<string, Arg> = { d: { u: [M, N, K, batch], f: [o.gradAct?.alpha ?? 0.01] }, A: a, B: b, C: out };
  if (o.bias) args.bias = o.bias;
  if (o.gradAct) args.Y = o.gradAct.y;
  return args;
}

/** The large kernel's tile for an M × N (× batch) product (LARGE_TILES); a forced `o.tile` must fit this device's limits. */
function largeTile(be: GpuBackend, M: number, N: number, batch: number, o: MatmulOpts): LargeTile | null {
  const limits = {
    invocations: be.device.limits.maxComputeInvocationsPerWorkgroup,
    workgroupBytes: be.device.limits.maxComputeWorkgroupStorageSize,
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
