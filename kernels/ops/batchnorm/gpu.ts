// GPU dispatch of the batchnorm ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { Shader } from '../bindings.ts';
import { bnApplyWgsl, bnBackwardDxWgsl, bnBackwardSumsWgsl, bnStatsWgsl } from './wgsl.ts';
import type { Dims, GpuBackend } from '../../gpu/backend.ts';

function bnKernel(be: GpuBackend, label: string, code: Shader, groups: number, dims: Dims, tensors: Record<string, Tensor>): Kernel {
  return be.dimsKernel(label, code, dims, tensors, [groups, 1, 1]);
}

export function batchnormStats(be: GpuBackend, mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
  const C = mean.size;
  return bnKernel(be, 'batchnorm stats', bnStatsWgsl(), C, { u: [x.size / C, C], f: [eps, momentum] },
    { X: x, MEAN: mean, INV: invstd, RM: runMean, RV: runVar });
}

export function batchnormApply(be: GpuBackend, y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
  const C = mean.size;
  return be.ew('batchnorm apply', bnApplyWgsl(fromVar), x.size, { u: [x.size / C, C], f: [eps, 0] },
    { X: x, MEAN: mean, S: stat, GAMMA: gamma, BETA: beta, Y: y });
}

export function batchnormBackward(be: GpuBackend, dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
  const C = mean.size;
  const dims = { u: [x.size / C, C], f: [0, 0] };
  return [
    bnKernel(be, 'batchnorm backward sums', bnBackwardSumsWgsl(), C, dims,
      { DY: dy, X: x, MEAN: mean, INV: invstd, DG: dgamma, DB: dbeta }),
    be.ew('batchnorm backward dx', bnBackwardDxWgsl(), x.size, dims,
      { DY: dy, X: x, MEAN: mean, INV: invstd, GAMMA: gamma, DG: dgamma, DB: dbeta, DX: dx }),
  ];
}
