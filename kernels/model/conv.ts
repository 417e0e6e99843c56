// Geometry of the convolutional layer kinds from their spec fields: one function that shape
// inference (validation), the model builder, the export and the tests all use. A layer with
// `filters` is a convolution, one with `size` a pooling window.
import { convGeom, type Conv2dGeom } from '../backend.ts';
import type { Padding } from './types.ts';

interface ConvFields { filters: number; kernel: number | [number, number]; stride?: number; padding?: Padding; dilation?: number }
interface PoolFields { size: number; stride?: number; padding?: Padding }
export type SpatialLayer = ConvFields | PoolFields;

const isConv = (l: SpatialLayer): l is ConvFields => 'filters' in l;

/** Geometry of a conv/pool layer on per-sample input (H, W, C) with batch N. */
export function layerGeom(l: SpatialLayer, inShape: readonly number[], N = 1): Conv2dGeom {
  const [H, W, C] = inShape;
  if (isConv(l)) {
    const k: [number, number] = Array.isArray(l.kernel) ? [l.kernel[0], l.kernel[1]] : [l.kernel, l.kernel];
    return convGeom([N, H, W, C], k, l.filters, l.stride ?? 1, l.padding ?? 'valid', l.dilation ?? 1);
  }
  return convGeom([N, H, W, C], [l.size, l.size], C, l.stride ?? l.size, l.padding ?? 'valid', 1);
}

/**
 * Why a conv/pool layer cannot run on this input, naming the field; null when it can. notImage:
 * the input is not an image at all (a Flatten came before), which moving the layer up can mend.
 */
export function spatialProblem(l: SpatialLayer, inShape: readonly number[], data?: readonly number[]): { field: string | null; message: string; notImage?: boolean } | null {
  const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
  if (inShape.length !== 3)
    return {
      field: null, notImage: true, // the layer itself, not one of its fields
      message: `needs an image input (height, width, channels), but gets ${inShape.length === 1 ? `one vector of ${inShape[0].toLocaleString('en-US')} values` : `a sequence ${fmt(inShape)}`}` +
        (!data || data.length === 3 ? '; it must come before any Flatten' : '; this data has no images, so convolution and pooling do not apply'),
    };
  const g = layerGeom(l, inShape);
  const ekh = (g.KH - 1) * g.dh + 1, ekw = (g.KW - 1) * g.dw + 1;
  const field = isConv(l) ? 'kernel' : 'size';
  const pad = typeof l.padding === 'number' ? l.padding : 0;
  if (!isConv(l) && pad * 2 > l.size)
    return { field: 'padding', message: `padding ${pad} is more than half the window ${l.size}: a window could lie entirely in the padding` };
  if (g.OH < 1 || g.OW < 1) {
    const ext = ekh !== g.KH || ekw !== g.KW ? ` (${ekh}×${ekw} with dilation ${g.dh})` : '';
    return {
      field,
      message: `${g.KH}×${g.KW}${ext} is larger than the padded input ${g.H + 2 * pad}×${g.W + 2 * pad}: the output would be empty (${g.OH}×${g.OW})`,
    };
  }
  return null;
}

/**
 * Padding of a conv/pool layer on each side. 'same' pads TF-style: the odd pixel of an uneven
 * total goes to the bottom/right, which torch's symmetric `padding=` cannot express.
 */
export function pads(l: SpatialLayer, shape: number[]) {
  const g = layerGeom(l, shape);
  if (l.padding !== 'same') return { g, top: g.ph, bottom: g.ph, left: g.pw, right: g.pw };
  const ekh = (g.KH - 1) * g.dh + 1, ekw = (g.KW - 1) * g.dw + 1;
  const th = Math.max((g.OH - 1) * g.sh + ekh - g.H, 0), tw = Math.max((g.OW - 1) * g.sw + ekw - g.W, 0);
  return { g, top: g.ph, bottom: th - g.ph, left: g.pw, right: tw - g.pw };
}
