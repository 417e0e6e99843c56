// GPU dispatch of the conv ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { sumRowsWgsl } from '../reduce/wgsl.ts';
import { checkConv, checkConvOperands } from '../shapes.ts';
import { CONV_WG, CONV_WG_HW, convBlock, convDims, convWgsl, type ConvMode } from './wgsl.ts';
import { convMaxPoolWgsl } from './pool.wgsl.ts';
import { convMaxPoolMismatch } from './geom.ts';
import { convDwChunkSumWgsl, convDwParallelWgsl, DW_WG } from './dw.wgsl.ts';
import type { Conv2dGeom, FusedAct } from '../../backend.ts';
import type { Arg, GpuBackend, GpuKernel } from '../../gpu/backend.ts';

/** Workgroups the hardware conv weight gradient aims for (an H100 has 132 SMs). */
const DW_TARGET_GROUPS = 264;

/** Threads per conv workgroup on this backend's kernel paths. */
export const convThreads = (be: GpuBackend) => (be.hw ? CONV_WG_HW : CONV_WG);

/** Workgroups (x, z) for one thread per row, `wg` threads each: rows past 65535 workgroups spill into z. */
function rowGrid(rows: number, wg: number): [number, number] {
  const groups = Math.ceil(rows / wg), gz = Math.ceil(groups / 65535);
  return [gz > 1 ? 65535 : groups, gz];
}

/**
 * The three implicit GEMMs share one generator; X is the gathered operand, Bm the other. `bias` is
 * fwd's bias, or for dw the dbias output (written by one extra row, see convWgsl).
 */
function convGemm(be: GpuBackend, mode: ConvMode, label: string, y: Tensor, X: Tensor, Bm: Tensor, g: Conv2dGeom, bias: Tensor | undefined, act: FusedAct, accumulate: boolean): Kernel {
  const { u, M, N } = convDims(g, mode);
  const fb = convBlock(N);
  // One thread per row (dw's bias one more), 64 per workgroup on SwiftShader and 256 on hardware
  // GPUs (see CONV_WG).
  const wg = convThreads(be);
  const [gx, gz] = rowGrid(mode === 'dw' && bias ? M + 1 : M, wg);
  const args: Record<string, Arg> = { d: { u }, X, Bm, Y: y };
  if (bias) args[mode === 'dw' ? 'DB' : 'bias'] = bias;
  const code = convWgsl({ mode, bias: !!bias, act, accumulate, fb, vec: mode !== 'dx' && g.F % 4 === 0, wg });
  return be.kernel(`${label}${mode === 'dw' && bias ? '+dbias' : ''} ${M}x${N}`, code, args, [gx, Math.ceil(N / fb), gz]);
}

export function conv2d(be: GpuBackend, out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct; accumulate?: boolean } = {}): Kernel {
  checkConv(out, x, w, g);
  return convGemm(be, 'fwd', 'conv2d', out, x, w, g, o.bias, o.act ?? 'none', !!o.accumulate);
}

export function conv2dBackwardInput(be: GpuBackend, dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
  checkConv(dy, dx, w, g);
  return convGemm(be, 'dx', 'conv2d dx', dx, dy, w, g, undefined, 'none', accumulate);
}

export function conv2dBackwardWeight(be: GpuBackend, dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
  checkConv(dy, x, dw, g);
  return backwardWeight(be, dw, null, x, dy, g, accumulate);
}

/** dw and dbias (F) = Σ over the N·OH·OW positions of dy, in the dispatch that computes dw. */
export function conv2dBackwardWeightBias(be: GpuBackend, dw: Tensor, dbias: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
  checkConv(dy, x, dw, g);
  if (dbias.size !== g.F) throw new Error(`conv2dBackwardWeightBias: dbias ${dbias.name} has ${dbias.size} elements, need F = ${g.F}`);
  return backwardWeight(be, dw, dbias, x, dy, g, accumulate);
}

function backwardWeight(be: GpuBackend, dw: Tensor, dbias: Tensor | null, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate: boolean): Kernel {
  const { u, M, N, K: P } = convDims(g, 'dw');
  const rows = dbias ? M + 1 : M;
  if (!be.hw || rows > 65535) return convGemm(be, 'dw', 'conv2d dw', dw, x, dy, g, dbias ?? undefined, 'none', accumulate);
  // Hardware GPUs: a workgroup per row splits the sum over output positions (conv/dw.wgsl.ts),
  // and chunks of positions fill the GPU (DW_TARGET_GROUPS) when rows are few, each chunk at
  // least 4 positions per thread; the chunks' partials are then summed into dw (and dbias, whose
  // row is one more: rows = M + 1).
  const fb = convBlock(N), blocks = Math.ceil(N / fb);
  const chunks = Math.max(1, Math.min(Math.ceil(DW_TARGET_GROUPS / (rows * blocks)), Math.floor(P / (4 * DW_WG))));
  const chunk = Math.ceil(P / chunks);
  const dst = chunks === 1 ? dw : be.make([chunks, rows * N], 'conv2d dw chunks', 'f32', be.scratchBuffer(chunks * rows * N, 'conv2d dw chunks'), 0);
  const du = [...u];
  du[18] = chunk; // d.p0: positions per chunk
  const label = `conv2d dw${dbias ? '+dbias' : ''} ${M}x${N}`;
  const code = convDwParallelWgsl({ fb, vec: g.F % 4 === 0, accumulate: chunks === 1 && accumulate, bias: !!dbias, chunked: chunks > 1 });
  const k = be.dimsKernel(label, code, { u: du }, { X: x, Bm: dy, Y: dst, ...(dbias && chunks === 1 ? { DB: dbias } : {}) }, [rows, blocks, chunks]);
  if (chunks > 1)
    k.next = (dbias
      ? be.ew('conv2d dw+dbias chunks', convDwChunkSumWgsl(accumulate), rows * N, { u: [chunks, M * N, rows * N, 0] }, { S: dst, Y: dw, DB: dbias })
      : be.ew('conv2d dw chunks', sumRowsWgsl(), M * N, { u: [chunks, 0, M * N, accumulate ? 1 : 0] }, { X: dst, Y: dw })) as GpuKernel;
  return k;
}

/**
 * conv2d (bias, act) then a non-overlapping max pool, in one dispatch (conv/pool.wgsl.ts): writes
 * the pooled out (N, POH, POW, F) and argmax (u32, flat indices into the conv output (N, OH, OW, F)).
 */
export function conv2dMaxPool(be: GpuBackend, out: Tensor, argmax: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, pg: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct } = {}): Kernel {
  const why = convMaxPoolMismatch(g, pg);
  if (why) throw new Error(`conv2dMaxPool: ${why}`);
  checkConvOperands('conv2dMaxPool:', x, w, g);
  const pooled = g.N * pg.OH * pg.OW * g.F;
  for (const t of [out, argmax]) if (t.size !== pooled) throw new Error(`conv2dMaxPool: ${t.name} has ${t.size} elements, the pooled output needs ${g.N}x${pg.OH}x${pg.OW}x${g.F}`);
  if (argmax.dtype !== 'u32') throw new Error(`conv2dMaxPool: argmax ${argmax.name} must be u32`);
  if (o.bias && o.bias.size !== g.F) throw new Error(`conv2dMaxPool: bias ${o.bias.name} has ${o.bias.size} elements, need F = ${g.F}`);
  const { u } = convDims(g, 'fwd');
  const M = pooled / g.F;
  u[15] = M; // rows: pooled pixels
  u[18] = pg.KH;
  u[19] = pg.KW;
  const fb = convBlock(g.F), wg = convThreads(be);
  const [gx, gz] = rowGrid(M, wg);
  const code = convMaxPoolWgsl({ bias: !!o.bias, act: o.act ?? 'none', fb, vec: g.F % 4 === 0, wg });
  const args: Record<string, Arg> = { d: { u }, X: x, Bm: w, Y: out, AM: argmax };
  if (o.bias) args.bias = o.bias;
  return be.kernel(`conv2d+maxpool ${M}x${g.F}`, code, args, [gx, Math.ceil(g.F / fb), gz]);
}
