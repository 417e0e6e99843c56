// Shape checks shared by both backends and the graph: the sizes an op's tensors must have,
// checked once here so that the CPU and GPU backends refuse the same bad input with the same message.
import { sizeOf, type Conv2dGeom, type Tensor } from '../backend.ts';

export interface AttnDims { B: number; T: number; D: number; heads: number; dh: number }

export function attentionDims(qkv: Tensor, heads: number): AttnDims {
  const [B, T, D3] = qkv.shape.length === 3 ? qkv.shape : [1, qkv.shape[0], qkv.shape[1]];
  const D = D3 / 3;
  if (!Number.isInteger(D) || D % heads !== 0) throw new Error(`attention: ${qkv.name} (${qkv.shape}) is not (B, T, 3·D) with D divisible by ${heads} heads`);
  return { B, T, D, heads, dh: D / heads };
}

/** y (N, OH, OW, F), x (N, H, W, C), w (KH, KW, C, F) sizes against the geometry. */
export function checkConv(y: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom): void {
  checkConvOperands('conv2d:', x, w, g);
  if (y.size !== g.N * g.OH * g.OW * g.F) throw new Error(`conv2d: ${y.name} has ${y.size} elements, geometry needs ${g.N}x${g.OH}x${g.OW}x${g.F}`);
}

/** The conv's output is not empty, x (N, H, W, C) and w (KH, KW, C, F) fit the geometry; `lead` ("conv2d:") starts the message. */
export function checkConvOperands(lead: string, x: Tensor, w: Tensor, g: Conv2dGeom): void {
  if (g.OH < 1 || g.OW < 1) throw new Error(`${lead} empty output ${g.OH}x${g.OW}`);
  if (x.size !== g.N * g.H * g.W * g.C) throw new Error(`${lead} ${x.name} has ${x.size} elements, geometry needs ${g.N}x${g.H}x${g.W}x${g.C}`);
  if (w.size !== g.KH * g.KW * g.C * g.F) throw new Error(`${lead} ${w.name} has ${w.size} elements, geometry needs ${g.KH}x${g.KW}x${g.C}x${g.F}`);
}

/** x and y (rows, C), mean and rstd (rows), gamma and beta (C). */
export function checkLayerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor): void {
  const C = gamma.size, rows = x.size / C;
  if (!Number.isInteger(rows) || y.size !== x.size || mean.size !== rows || rstd.size !== rows || beta.size !== C)
    throw new Error(`layerNorm: ${x.name} (${x.shape}), ${y.name}, ${mean.name}, ${rstd.name}, ${gamma.name} (${C}), ${beta.name} do not fit (rows, C)`);
}

/** qkv (B, T, 3·D), out (B, T, D), lse (B, heads, T). */
export function checkAttention(qkv: Tensor, heads: number, out: Tensor, lse: Tensor): void {
  const { B, T, D } = attentionDims(qkv, heads);
  if (out.size !== B * T * D || lse.size !== B * heads * T)
    throw new Error(`attention: ${out.name} (${out.shape}) / ${lse.name} (${lse.shape}) do not fit ${qkv.name} (${qkv.shape}) with ${heads} heads`);
}

export function checkPool(y: Tensor, x: Tensor, g: Conv2dGeom): void {
  if (g.F !== g.C) throw new Error('pool2d: geometry must keep the channel count (F = C)');
  if (x.size !== g.N * g.H * g.W * g.C || y.size !== g.N * g.OH * g.OW * g.C)
    throw new Error(`pool2d: ${x.name} (${x.size}) / ${y.name} (${y.size}) do not match the geometry`);
}

/**
 * Each tensor holds at least the elements its kernel indexes: the GPU kernels bound their loops by
 * the dims uniform, not by the bindings, so this check at record time is what keeps every access
 * inside its tensor (and lets bench:node run with Dawn's robustness off). Null entries are skipped.
 */
export function checkSizes(op: string, need: readonly (readonly [Tensor | null | undefined, number])[]): void {
  for (const [t, n] of need)
    if (t && t.size < n) throw new Error(`${op}: ${t.name} (${t.shape}) has ${t.size} elements, the kernel indexes ${n}`);
}

export function checkBroadcast(a: Tensor, b: Tensor): void {
  if (b.size === 0 || a.size % b.size !== 0)
    throw new Error(`broadcast: ${b.name} (${b.shape}) does not divide ${a.name} (${a.shape})`);
}

/** x viewed as (outer, len, inner) around `axis`. */
export function axisSplit(shape: readonly number[], axis: number): [number, number, number] {
  const ax = axis < 0 ? shape.length + axis : axis;
  if (ax < 0 || ax >= shape.length) throw new Error(`reduce: axis ${axis} out of range for shape ${shape}`);
  return [sizeOf(shape.slice(0, ax)), shape[ax], sizeOf(shape.slice(ax + 1))];
}
