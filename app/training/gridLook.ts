// Worker side of the live decision boundary: one grid evaluator per session (an eval-mode graph
// over the live weights, kernels/train/grid.ts). Each request is one submission queued between the
// training steps already submitted, so the step loop never waits for a picture.
import { createGridEvaluator, type BoundaryGrid, type GridEvaluator, type Session } from '../engine.ts';

/** Grid side: 48² = 2304 points, one forward; smooth enough once scaled up on the page. */
export const GRID_SIZE = 48;

let cached: { s: Session; ev: GridEvaluator } | null = null;

/** The live model's output over the grid (and each hidden unit's with `units`). */
export function boundary(s: Session, units: boolean): Promise<BoundaryGrid> {
  if (cached?.s !== s) {
    dropGrid();
    cached = { s, ev: createGridEvaluator(s.c, GRID_SIZE) };
  }
  return cached.ev.evaluate({ units });
}

/** Frees the evaluator's tensors; call before the session's backend goes away. */
export function dropGrid(): void {
  try {
    cached?.ev.dispose();
  } catch {
    // its backend is already gone
  }
  cached = null;
}
