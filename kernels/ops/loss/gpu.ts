// GPU dispatch of the loss ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { BindingKind } from '../../device/pipelines.ts';
import { mseWgsl, sequenceCeWgsl, softmaxCeWgsl } from './wgsl.ts';
import type { Arg, GpuBackend } from '../../gpu/backend.ts';

function lossKernel(be: GpuBackend, label: string, code: string, B: number, C: number, tensors: [Tensor, BindingKind][]): Kernel {
  const args: { arg: Arg; kind: BindingKind }[] = [
    { arg: 'step', kind: 'uniform' },
    { arg: { u: [B, C] }, kind: 'uniform' },
    ...tensors.map(([arg, kind]) => ({ arg, kind })),
  ];
  return be.kernel(label, code, args, [1, 1, 1]);
}

export function softmaxCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const B = labels.size, C = logits.size / B;
  const t: [Tensor, BindingKind][] = [[logits, 'read'], [labels, 'read'], [metrics, 'rw']];
  if (dlogits) t.push([dlogits, 'rw']);
  return lossKernel(be, 'softmaxCrossEntropy', softmaxCeWgsl(!!dlogits), B, C, t);
}

export function mse(be: GpuBackend, dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
  const B = pred.shape[0], C = pred.size / B;
  const t: [Tensor, BindingKind][] = [[pred, 'read'], [target, 'read'], [metrics, 'rw']];
  if (dpred) t.push([dpred, 'rw']);
  return lossKernel(be, 'mse', mseWgsl(!!dpred), B, C, t);
}

export function sequenceCrossEntropy(be: GpuBackend, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const [B, T] = labels.shape.length >= 2 ? labels.shape : [labels.shape[0], 1];
  const V = logits.size / (B * T);
  const t: [Tensor, BindingKind][] = [[logits, 'read'], [labels, 'read'], [metrics, 'rw']];
  if (dlogits) t.push([dlogits, 'rw']);
  return be.kernel('sequenceCrossEntropy', sequenceCeWgsl(!!dlogits), [
    { arg: 'step', kind: 'uniform' }, { arg: { u: [B, T, V] }, kind: 'uniform' }, ...t.map(([arg, kind]) => ({ arg, kind })),
  ], [1, 1, 1]);
}
