// Which conv + max pool pairs one kernel can compute (conv/pool.wgsl.ts): shared by the GPU op and
// the graph that decides the fusion (autodiff/convpool.ts). No device code.
import type { Conv2dGeom } from '../../backend.ts';

/**
 * Why a conv (geometry g) and the max pool pg after it cannot be one kernel, or null when they can:
 * the pool reads the conv output, keeps channels, and its windows tile it without overlap or
 * padding (stride == size, no padding, no dilation, every window inside).
 */
export function convMaxPoolMismatch(g: Conv2dGeom, pg: Conv2dGeom): string | null {
  if (pg.N !== g.N || pg.H !== g.OH || pg.W !== g.OW || pg.C !== g.F || pg.F !== g.F)
    return `the pool's input ${pg.N}x${pg.H}x${pg.W}x${pg.C} is not the conv output ${g.N}x${g.OH}x${g.OW}x${g.F}`;
  if (pg.sh !== pg.KH || pg.sw !== pg.KW) return `pool windows overlap or skip (size ${pg.KH}x${pg.KW}, stride ${pg.sh}x${pg.sw})`;
  if (pg.ph !== 0 || pg.pw !== 0 || pg.dh !== 1 || pg.dw !== 1) return 'pool padding or dilation';
  if (pg.OH !== Math.floor(g.OH / pg.KH) || pg.OW !== Math.floor(g.OW / pg.KW)) return `pool output ${pg.OH}x${pg.OW} is not the conv output floored by the window`;
  return null;
}
