// Figures that prove themselves (issue 22): every training item reads its loss back outside the
// timed window (measure.ts: loss_start after the first step, loss_end the mean of a few untimed
// steps after the last repetition), and a side whose loss is not finite or did not fall is
// refused: its figure is withdrawn, the line says why, and the benchmark exits non-zero.

/** Why a training side's figure cannot stand, or null when its loss is finite and fell. */
export function lossRefusal(start: number | null | undefined, end: number | null | undefined): string | null {
  if (start == null || end == null) return 'no loss was read back';
  if (!Number.isFinite(start)) return `loss_start is not finite (${start})`;
  if (!Number.isFinite(end)) return `loss_end is not finite (${end})`;
  if (!(end < start)) return `loss did not fall (loss_start ${start.toPrecision(4)}, loss_end ${end.toPrecision(4)})`;
  return null;
}

/** The line's own text for a refusal: which side, and why. */
export const refusalText = (side: 'ours' | 'peer', why: string): string => `${side}: refused: ${why}`;

/** True when a benchmark line carries a refusal (so the run must exit non-zero). */
export const isRefused = (r: Record<string, unknown>): boolean => Array.isArray(r.refused) && r.refused.length > 0;

export const mean = (v: readonly number[]): number => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : NaN);
