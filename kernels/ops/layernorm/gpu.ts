// GPU dispatch of the layernorm ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { checkLayerNorm, checkSizes } from '../shapes.ts';
import {
  layerNormBackwardDxRowWgsl, layerNormBackwardDxWgsl, layerNormBackwardParamsWgsl, layerNormRowWgsl, layerNormWgsl, ROW_THREAD_MAX_C, rowGrid,
  hwParamCols, hwParamGrid, hwRowGrid, hwTpr, layerNormBackwardDxHwWgsl, layerNormBackwardParamsHwWgsl, layerNormHwWgsl,
} from './wgsl.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function layerNorm(be: GpuBackend, y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Kernel {
  checkLayerNorm(y, mean, rstd, x, gamma, beta);
  const C = gamma.size, rows = x.size / C;
  // Hardware GPUs: a few rows per 256-thread workgroup, hwTpr(C) threads each (ops/layernorm/wgsl.ts).
  if (be.hw && C <= ROW_THREAD_MAX_C)
    return be.dimsKernel('layerNorm', layerNormHwWgsl(hwTpr(C)), { u: [rows, C], f: [eps] },
      { X: x, GAMMA: gamma, BETA: beta, Y: y, MEAN: mean, RSTD: rstd }, hwRowGrid(rows, hwTpr(C)));
  if (C <= ROW_THREAD_MAX_C)
    return be.ew('layerNorm', layerNormRowWgsl(), rows, { u: [rows, C], f: [eps] },
      { X: x, GAMMA: gamma, BETA: beta, Y: y, MEAN: mean, RSTD: rstd });
  return be.dimsKernel('layerNorm', layerNormWgsl(), { u: [rows, C], f: [eps] },
    { X: x, GAMMA: gamma, BETA: beta, Y: y, MEAN: mean, RSTD: rstd }, rowGrid(rows));
}

export function layerNormBackward(be: GpuBackend, dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Kernel[] {
  checkLayerNorm(dy, mean, rstd, x, gamma, dbeta);
  checkSizes('layerNorm backward', [[dx, x.size], [dgamma, gamma.size]]);
  const C = gamma.size, rows = x.size / C;
  const dims = { u: [rows, C], f: [0] };
  const dxT = { DY: dy, X: x, MEAN: mean, RSTD: rstd, GAMMA: gamma, DX: dx };
  const dxKernel = C > ROW_THREAD_MAX_C ? be.dimsKernel('layerNorm backward dx', layerNormBackwardDxWgsl(), dims, dxT, rowGrid(rows))
    : be.hw ? be.dimsKernel('layerNorm backward dx', layerNormBackwardDxHwWgsl(hwTpr(C)), dims, dxT, hwRowGrid(rows, hwTpr(C)))
    : be.ew('layerNorm backward dx', layerNormBackwardDxRowWgsl(), rows, dims, dxT);
  // Hardware GPUs: blocks of 4 or 8 columns × 64 or 32 row lanes instead of one thread per column.
  const paramT = { DY: dy, X: x, MEAN: mean, RSTD: rstd, DGAMMA: dgamma, DBETA: dbeta };
  const paramKernel = be.hw
    ? be.dimsKernel('layerNorm backward dgamma dbeta', layerNormBackwardParamsHwWgsl(hwParamCols(C)), dims, paramT, hwParamGrid(C, hwParamCols(C)))
    : be.ew('layerNorm backward dgamma dbeta', layerNormBackwardParamsWgsl(), C, dims, paramT);
  return [dxKernel, paramKernel];
}
