// Fusions that only some backends have (the GPU backend's): the graph uses them where
// present and records the plain ops elsewhere (the CPU backend, whose plain ops are the reference
// the fused kernels are tested against: kernels/ops/pool/cases.ts, kernels/ops/conv/cases.ts).
import type { Backend, Conv2dGeom, FusedAct, Kernel, PoolOp, Tensor } from '../backend.ts';

export interface FusedBackwardOps {
  /** pool2dBackward then act'(gradAct.y) in one pass; gradAct.y is the pooled input as an activation's output (dx's shape). */
  pool2dBackwardAct(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom, gradAct: { act: FusedAct; y: Tensor }): Kernel;
  /** conv2dBackwardWeight that also writes dbias (F) = Σ over the N·OH·OW positions of dy. */
  conv2dBackwardWeightBias(dw: Tensor, dbias: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate?: boolean): Kernel;
  /**
   * Forward: conv2d (geometry g, bias, act) then a max pool (pg) whose windows tile the conv output
   * without overlap, in one kernel writing only the pooled out and argmax (indices into the conv output).
   */
  conv2dMaxPool(out: Tensor, argmax: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, pg: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct }): Kernel;
  /** Its backward: the max pool gather ⊙ act', act' taken from the pooled output gradAct.y (dy's shape). */
  maxPoolBackwardActPooled(dx: Tensor, dy: Tensor, argmax: Tensor, g: Conv2dGeom, gradAct: { act: FusedAct; y: Tensor }): Kernel;
}

/** The fused ops `be` has (none on the CPU backend). */
export function fusedOps(be: Backend): Partial<FusedBackwardOps> {
  return be as Backend & Partial<FusedBackwardOps>;
}
