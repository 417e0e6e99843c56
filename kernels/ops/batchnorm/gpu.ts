// GPU dispatch of the batchnorm ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import type { Shader } from '../bindings.ts';
import { bnApplyWgsl, bnBackwardDxWgsl, bnBackwardSumsWgsl, bnStatsWgsl } from './wgsl.ts';
import { checkSizes } from '../shapes.ts';
import type { Dims, GpuBackend } from '../../gpu/backend.ts';

function bnKernel(be: GpuBackend, label: string, code: Shader, groups: number, dims: Dims, tensors: Record<string, Tensor>): Kernel {
  return be.dimsKernel(label, code, dims, tensors, [groups, 1, 1]);
}

/** x (rows, C): `perX` tensors as large as x, `perC` of C elements. */
function checkBn(op: string, x: Tensor, C: number, perX: Tensor[], perC: Tensor[]): void {
  if (!Number.isInteger(x.size / C)) throw new Error(`${op}: ${x.name} (${x.shape}) is not rows of ${C} channels`);
  checkSizes(op, [...perX.map((t) => [t, x.size] as const), ...perC.map((t) => [t, C] as const)]);
}

export function batchnormStats(be: GpuBackend, mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
  const C = mean.size;
  checkBn('batchnorm stats', x, C, [], [invstd, runMean, runVar]);
  return bnKernel(be, 'batchnorm stats', bnStatsWgsl(), C, { u: [x.size / C, C], f: [eps, momentum] },
    { X: x, MEAN: mean, INV: invstd, RM: runMean, RV: runVar });
}

export function batchnormApply(be: GpuBackend, y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
  const C = mean.size;
  checkBn('batchnorm apply', x, C, [y], [stat, gamma, beta]);
  return be.ew('batchnorm apply', bnApplyWgsl(fromVar), x.size, { u: [x.size / C, C], f: [eps, 0] },
    { X: x, MEAN: mean, S: stat, GAMMA: gamma, BETA: beta, Y: y });
}

export function batchnormBackward(be: GpuBackend, dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
  const C = mean.size;
  checkBn('batchnorm backward', x, C, [dx, dy], [dgamma, dbeta, invstd, gamma]);
  const dims = { u: [x.size / C, C], f: [0, 0] };
  return [
    bnKernel(be, 'batchnorm backward sums', bnBackwardSumsWgsl(), C, dims,
      { DY: dy, X: x, MEAN: mean, INV: invstd, DG: dgamma, DB: dbeta }),
    be.ew('batchnorm backward dx', bnBackwardDxWgsl(), x.size, dims,
      { DY: dy, X: x, MEAN: mean, INV: invstd, GAMMA: gamma, DG: dgamma, DB: dbeta, DX: dx }),
  ];
}
