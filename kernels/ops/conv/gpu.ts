// GPU dispatch of the conv ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { sumRowsWgsl } from '../reduce/wgsl.ts';
import { checkConv } from '../shapes.ts';
import { CONV_WG, convBlock, convDims, convWgsl, type ConvMode } from './wgsl.ts';
import { convDwParallelWgsl, DW_WG } from './dw.wgsl.ts';
import type { Conv2dGeom, FusedAct } from '../../backend.ts';
import type { Arg, GpuBackend, GpuKernel } from '../../gpu/backend.ts';

/** Workgroups the hardware conv weight gradient aims for (an H100 has 132 SMs). */
const DW_TARGET_GROUPS = 264;

/** The three implicit GEMMs share one generator; X is the gathered operand, Bm the other. */
function convGemm(be: GpuBackend, mode: ConvMode, label: string, y: Tensor, X: Tensor, Bm: Tensor, g: Conv2dGeom, bias: Tensor | undefined, act: FusedAct, accumulate: boolean): Kernel {
  const { u, M, N } = convDims(g, mode);
  const fb = convBlock(N);
  // One thread per row, 64 per workgroup; rows past 65535 workgroups spill into z.
  const rowGroups = Math.ceil(M / CONV_WG);
  const gz = Math.ceil(rowGroups / 65535);
  const args: Record<string, Arg> = { d: { u }, X, Bm, Y: y };
  if (bias) args.bias = bias;
  const code = convWgsl({ mode, bias: !!bias, act, accumulate, fb, vec: mode !== 'dx' && g.F % 4 === 0 });
  return be.kernel(`${label} ${M}x${N}`, code, args, [gz > 1 ? 65535 : rowGroups, Math.ceil(N / fb), gz]);
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
  const { u, M, N, K: P } = convDims(g, 'dw');
  if (!be.hw || M > 65535) return convGemm(be, 'dw', 'conv2d dw', dw, x, dy, g, undefined, 'none', accumulate);
  // Hardware GPUs: a workgroup per row splits the sum over output positions (conv/dw.wgsl.ts),
  // and chunks of positions fill the GPU (DW_TARGET_GROUPS) when rows are few, each chunk at
  // least 4 positions per thread; the chunks' partials are then summed into dw.
  const fb = convBlock(N), blocks = Math.ceil(N / fb);
  const chunks = Math.max(1, Math.min(Math.ceil(DW_TARGET_GROUPS / (M * blocks)), Math.floor(P / (4 * DW_WG))));
  const chunk = Math.ceil(P / chunks);
  const dst = chunks === 1 ? dw : be.make([chunks, M * N], 'conv2d dw chunks', 'f32', be.scratchBuffer(chunks * M * N, 'conv2d dw chunks'), 0);
  const du = [...u];
  du[18] = chunk; // d.p0: positions per chunk
  const k = be.dimsKernel(`conv2d dw ${M}x${N}`, convDwParallelWgsl({ fb, vec: g.F % 4 === 0, accumulate: chunks === 1 && accumulate }),
    { u: du }, { X: x, Bm: dy, Y: dst }, [M, blocks, chunks]);
  if (chunks > 1) k.next = be.ew('conv2d dw chunks', sumRowsWgsl(), M * N, { u: [chunks, 0, M * N, accumulate ? 1 : 0] }, { X: dst, Y: dw }) as GpuKernel;
  return k;
}
