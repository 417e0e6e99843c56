// GPU dispatch of the loss ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { Shader } from '../bindings.ts';
import { crossEntropyWgsl, mseWgsl } from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

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
  const t: Record<string, Tensor> = { L: logits, Y: labels, MET: metrics };
  if (dlogits) t.DL = dlogits;
  return be.dimsKernel(label, crossEntropyWgsl(!!dlogits, seqMetrics), { u: [B, T, V] }, t, [1, 1, 1]);
}
