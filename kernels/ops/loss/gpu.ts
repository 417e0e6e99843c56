// GPU dispatch of the loss ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { Shader } from '../bindings.ts';
import { mseWgsl, sequenceCeWgsl, softmaxCeWgsl } from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

function lossKernel(be: GpuBackend, label: string, code: Shader, B: number, C: number, tensors: Record<string, Tensor>): Kernel {
  return be.dimsKernel(label, code, { u: [B, C] }, tensors, [1, 1, 1]);
}

export function softmaxCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const B = labels.size, C = logits.size / B;
  const t: Record<string, Tensor> = { L: logits, Y: labels, MET: metrics };
  if (dlogits) t.DL = dlogits;
  return lossKernel(be, 'softmaxCrossEntropy', softmaxCeWgsl(!!dlogits), B, C, t);
}

export function mse(be: GpuBackend, dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
  const B = pred.shape[0], C = pred.size / B;
  const t: Record<string, Tensor> = { P: pred, T: target, MET: metrics };
  if (dpred) t.DP = dpred;
  return lossKernel(be, 'mse', mseWgsl(!!dpred), B, C, t);
}

export function sequenceCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const [B, T] = labels.shape.length >= 2 ? labels.shape : [labels.shape[0], 1];
  const V = logits.size / (B * T);
  const t: Record<string, Tensor> = { L: logits, Y: labels, MET: metrics };
  if (dlogits) t.DL = dlogits;
  return be.dimsKernel('sequenceCrossEntropy', sequenceCeWgsl(!!dlogits), { u: [B, T, V] }, t, [1, 1, 1]);
}
