// GPU dispatch of the loss ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { Shader } from '../bindings.ts';
import { crossEntropyWgsl, mseWgsl } from './wgsl.ts';
import { ceCountWgsl, ceFinishWgsl, ceRowsWgsl } from './rows.wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { GpuBackend, GpuKernel } from '../../gpu/backend.ts';

/**
 * Logits per thread of the one-workgroup kernel (T·V, each walked 4 times) above which hardware
 * GPUs take the row-parallel kernels (rows.wgsl.ts): a character model's 32 × ~100 is far above,
 * MNIST's 10 classes and the toy tasks' ~100 below (one dispatch beats three there).
 */
const SERIAL_LOGITS = 1024;

function lossKernel(be: GpuBackend, label: string, code: Shader, B: number, C: number, tensors: Record<string, Tensor>): Kernel {
  return be.dimsKernel(label, code, { u: [B, C] }, tensors, [1, 1, 1]);
}

/** Classification: the sequence kernel with T = 1, without the whole-sequence metrics. */
export function softmaxCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const B = labels.size;
  return crossEntropy(be, 'softmaxCrossEntropy', dlogits, logits, labels, metrics, B, 1, logits.size / B, false);
}

export function mse(be: GpuBackend, dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
  const B = pred.shape[0], C = pred.size / B;
  checkSizes('mse', [[target, pred.size], [dpred, pred.size], [metrics, 4]]);
  const t: Record<string, Tensor> = { P: pred, T: target, MET: metrics };
  if (dpred) t.DP = dpred;
  return lossKernel(be, 'mse', mseWgsl(!!dpred), B, C, t);
}

export function sequenceCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const [B, T] = labels.shape.length >= 2 ? labels.shape : [labels.shape[0], 1];
  return crossEntropy(be, 'sequenceCrossEntropy', dlogits, logits, labels, metrics, B, T, logits.size / (B * T), true);
}

function crossEntropy(be: GpuBackend, label: string, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor,
  B: number, T: number, V: number, seqMetrics: boolean): Kernel {
  if (!Number.isInteger(V)) throw new Error(`${label}: ${logits.name} (${logits.shape}) is not ${B}×${T} rows of logits`);
  checkSizes(label, [[dlogits, B * T * V], [metrics, seqMetrics ? 6 : 4]]);
  const t: Record<string, Tensor> = { L: logits, Y: labels, MET: metrics };
  if (dlogits) t.DL = dlogits;
  if (be.hw && T * V > SERIAL_LOGITS) return rowParallel(be, label, t, B, T, V, seqMetrics);
  return be.dimsKernel(label, crossEntropyWgsl(!!dlogits, seqMetrics), { u: [B, T, V] }, t, [1, 1, 1]);
}

/** count → rows (a workgroup per token row, rows past 65535 wrap into y) → finish, chained as one kernel under `label`. */
function rowParallel(be: GpuBackend, label: string, t: Record<string, Tensor>, B: number, T: number, V: number, seqMetrics: boolean): Kernel {
  const R = B * T, dims = { u: [B, T, V] };
  const cnt = be.make([1], `${label} count`, 'f32', be.scratchBuffer(1, `${label} count`), 0);
  const rows = be.make([R, 4], `${label} rows`, 'f32', be.scratchBuffer(R * 4, `${label} rows`), 0);
  const k = be.dimsKernel(label, ceCountWgsl(), dims, { Y: t.Y, CNT: cnt }, [1, 1, 1]);
  const rk = be.dimsKernel(`${label} rows`, ceRowsWgsl(!!t.DL), dims, { L: t.L, Y: t.Y, CNT: cnt, ROWS: rows, ...(t.DL ? { DL: t.DL } : {}) },
    [Math.min(R, 65535), Math.ceil(R / 65535), 1]);
  k.next = rk;
  rk.next = be.dimsKernel(`${label} finish`, ceFinishWgsl(seqMetrics), dims, { ROWS: rows, CNT: cnt, MET: t.MET }, [1, 1, 1]) as GpuKernel;
  return k;
}
