// GPU dispatch of the pool ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { checkPool } from '../shapes.ts';
import { poolBackwardWgsl, poolWgsl } from './wgsl.ts';
import type { Conv2dGeom, PoolOp } from '../../backend.ts';
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
