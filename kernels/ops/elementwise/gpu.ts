// GPU dispatch of the elementwise ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { BinaryOp, Kernel, Tensor, UnaryOp } from '../../backend.ts';
import {
  addIntoWgsl, binaryGradAWgsl, binaryGradBWgsl, binaryWgsl, fillWgsl, unaryBackwardWgsl, unaryWgsl,
} from './wgsl.ts';
import { checkBroadcast, checkSizes } from '../shapes.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

export function unary(be: GpuBackend, op: UnaryOp, out: Tensor, x: Tensor, alpha = 0.01): Kernel {
  checkSizes(`unary ${op}`, [[out, x.size]]);
  return be.ew(`unary ${op}`, unaryWgsl(op), x.size, { u: [x.size, 0], f: [alpha] }, { X: x, Y: out });
}

export function unaryBackward(be: GpuBackend, op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha = 0.01): Kernel {
  checkSizes(`unary ${op} backward`, [[dx, x.size], [dy, x.size], [y, x.size]]);
  return be.ew(`unary ${op} backward`, unaryBackwardWgsl(op), x.size, { u: [x.size, 0], f: [alpha] },
    { DY: dy, X: x, Yv: y, DX: dx });
}

export function binary(be: GpuBackend, op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): Kernel {
  checkBroadcast(a, b);
  checkSizes(`binary ${op}`, [[out, a.size]]);
  return be.ew(`binary ${op}`, binaryWgsl(op), a.size, { u: [a.size, b.size] }, { A: a, B: b, C: out });
}

export function binaryBackward(be: GpuBackend, op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): Kernel[] {
  checkBroadcast(a, b);
  checkSizes(`binary ${op} backward`, [[dy, a.size], [da, a.size], [db, b.size]]);
  const ks: Kernel[] = [];
  const dims = { u: [a.size, b.size] };
  if (da) ks.push(be.ew(`binary ${op} da`, binaryGradAWgsl(op), a.size, dims, { DY: dy, A: a, B: b, DA: da }));
  // db of an add is dy summed over the broadcast rows: on hardware GPUs the split sumRows.
  if (db && op === 'add' && be.hw && a.size > b.size) ks.push(be.sumRows(db, { ...dy, shape: [a.size / b.size, b.size] }));
  else if (db) ks.push(be.ew(`binary ${op} db`, binaryGradBWgsl(op), b.size, dims, { DY: dy, A: a, B: b, DB: db }));
  return ks;
}

export function fill(be: GpuBackend, t: Tensor, value: number): Kernel {
  return be.ew('fill', fillWgsl(), t.size, { u: [t.size, 0], f: [value] }, { Y: t });
}

export function addInto(be: GpuBackend, dst: Tensor, src: Tensor): Kernel {
  checkSizes('addInto', [[src, dst.size]]);
  return be.ew('addInto', addIntoWgsl(), dst.size, { u: [dst.size] }, { X: src, Y: dst });
}
