// GPU dispatch of the pool ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { checkPool } from '../shapes.ts';
import { poolBackwardWgsl, poolWgsl } from './wgsl.ts';
import type { Conv2dGeom, FusedAct, PoolOp } from '../../backend.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

function poolDims(g: Conv2dGeom, total: number): { u: number[] } {
  return { u: [g.N, g.H, g.W, g.C, g.KH, g.KW, g.F, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, total] };
}

export function pool2d(be: GpuBackend, op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
  checkPool(out, x, g);
  if (op === 'max' && !argmax) throw new Error('pool2d max: needs an argmax tensor (u32, the output\'s size)');
  const t: Record<string, Tensor> = { X: x, Y: out };
  if (op === 'max') t.AM = argmax!;
  return be.ew(`pool2d ${op}`, poolWgsl(op), out.size, poolDims(g, out.size), t);
}

export function pool2dBackward(be: GpuBackend, op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
  checkPool(dy, dx, g);
  if (op === 'max' && !argmax) throw new Error('pool2dBackward max: needs the argmax tensor from the forward pass');
  const t: Record<string, Tensor> = { DY: dy, DX: dx };
  if (op === 'max') t.AM = argmax!;
  return be.ew(`pool2d ${op} backward`, poolBackwardWgsl(op), dx.size, poolDims(g, dx.size), t);
}

/**
 * pool2dBackward with act'(y) applied in the same pass: dx = gather(dy) ⊙ act'(y), y (the pooled
 * input, dx's shape) the output of the activation that fed the pool. One dispatch for two.
 */
export function pool2dBackwardAct(be: GpuBackend, op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom, gradAct: { act: FusedAct; y: Tensor }): Kernel {
  checkPool(dy, dx, g);
  if (op === 'max' && !argmax) throw new Error('pool2dBackwardAct max: needs the argmax tensor from the forward pass');
  if (gradAct.act === 'none') throw new Error('pool2dBackwardAct: gradAct.act is none (use pool2dBackward)');
  if (gradAct.y.size !== dx.size) throw new Error(`pool2dBackwardAct: activation output ${gradAct.y.name} has ${gradAct.y.size} elements, dx ${dx.name} has ${dx.size}`);
  const t: Record<string, Tensor> = { DY: dy, DX: dx, YA: gradAct.y };
  if (op === 'max') t.AM = argmax!;
  return be.ew(`pool2d ${op} backward ${gradAct.act}'`, poolBackwardWgsl(op, gradAct.act), dx.size, poolDims(g, dx.size), t);
}

/**
 * The max pool backward of a conv + max pool kernel (conv2dMaxPool): dx = gather(dy) ⊙ act'(·),
 * the activation's output read from the pooled output yp (dy's shape) at the window that chose
 * each position, since the conv output itself was never written.
 */
export function maxPoolBackwardActPooled(be: GpuBackend, dx: Tensor, dy: Tensor, argmax: Tensor, g: Conv2dGeom, gradAct: { act: FusedAct; y: Tensor }): Kernel {
  checkPool(dy, dx, g);
  if (gradAct.act === 'none') throw new Error('maxPoolBackwardActPooled: gradAct.act is none (use pool2dBackward)');
  if (gradAct.y.size !== dy.size) throw new Error(`maxPoolBackwardActPooled: pooled output ${gradAct.y.name} has ${gradAct.y.size} elements, dy ${dy.name} has ${dy.size}`);
  if (argmax.size !== dy.size) throw new Error(`maxPoolBackwardActPooled: argmax ${argmax.name} has ${argmax.size} elements, dy ${dy.name} has ${dy.size}`);
  return be.ew(`pool2d max backward ${gradAct.act}' from pooled`, poolBackwardWgsl('max', gradAct.act, true), dx.size, poolDims(g, dx.size),
    { DY: dy, DX: dx, AM: argmax, YP: gradAct.y });
}
