// GPU dispatch of the batchnorm ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { BindingKind } from '../../device/pipelines.ts';
import { bnApplyWgsl, bnBackwardDxWgsl, bnBackwardSumsWgsl, bnStatsWgsl } from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

function bnKernel(be: GpuBackend, label: string, code: string, groups: number, dims: { u: number[]; f: number[] }, tensors: [Tensor, BindingKind][]): Kernel {
  return be.kernel(label, code, [
    { arg: 'step', kind: 'uniform' },
    { arg: dims, kind: 'uniform' },
    ...tensors.map(([arg, kind]) => ({ arg, kind })),
  ], [groups, 1, 1]);
}

export function batchnormStats(be: GpuBackend, mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
  const C = mean.size;
  return bnKernel(be, 'batchnorm stats', bnStatsWgsl(), C, { u: [x.size / C, C], f: [eps, momentum] },
    [[x, 'read'], [mean, 'rw'], [invstd, 'rw'], [runMean, 'rw'], [runVar, 'rw']]);
}

export function batchnormApply(be: GpuBackend, y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
  const C = mean.size;
  return be.ew('batchnorm apply', bnApplyWgsl(fromVar), x.size, { u: [x.size / C, C], f: [eps, 0] },
    [[x, 'read'], [mean, 'read'], [stat, 'read'], [gamma, 'read'], [beta, 'read'], [y, 'rw']]);
}

export function batchnormBackward(be: GpuBackend, dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
  const C = mean.size;
  const dims = { u: [x.size / C, C], f: [0, 0] };
  return [
    bnKernel(be, 'batchnorm backward sums', bnBackwardSumsWgsl(), C, dims,
      [[dy, 'read'], [x, 'read'], [mean, 'read'], [invstd, 'read'], [dgamma, 'rw'], [dbeta, 'rw']]),
    be.ew('batchnorm backward dx', bnBackwardDxWgsl(), x.size, dims,
      [[dy, 'read'], [x, 'read'], [mean, 'read'], [invstd, 'read'], [gamma, 'read'], [dgamma, 'read'], [dbeta, 'read'], [dx, 'rw']]),
  ];
}
