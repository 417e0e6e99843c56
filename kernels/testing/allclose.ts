// Closeness of two arrays under an abs + rel tolerance, with the numbers needed to explain a failure.
import type { Tol } from './op-specs.ts';

type Arr = ArrayLike<number>;

export interface CloseReport {
  n: number;
  /** max over elements of |a − b| / allowed; ≤ 1 passes. */
  worstRatio: number;
  maxAbsErr: number;
  maxRef: number;
  worstIndex: number;
  actual: number;
  expected: number;
  allowed: number;
  ok: boolean;
}

/** Elementwise |actual − expected| ≤ abs + rel·scale, scale = |expected_i| ('elem') or max|expected| ('max'). */
export function allclose(actual: Arr, expected: Arr, tol: Tol): CloseReport {
  if (actual.length !== expected.length) throw new Error(`allclose: lengths ${actual.length} vs ${expected.length}`);
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) maxRef = Math.max(maxRef, Math.abs(expected[i]));
  const r: CloseReport = { n: actual.length, worstRatio: 0, maxAbsErr: 0, maxRef, worstIndex: -1, actual: NaN, expected: NaN, allowed: NaN, ok: true };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    const err = Math.abs(a - e);
    const allowed = tol.abs + tol.rel * (tol.scale === 'max' ? maxRef : Math.abs(e));
    // NaN anywhere, or an error over the allowance, fails; exact tolerance (0) needs exact equality.
    const ratio = a === e ? 0 : Number.isNaN(err) ? Infinity : allowed === 0 ? Infinity : err / allowed;
    if (err > r.maxAbsErr || Number.isNaN(err)) r.maxAbsErr = Number.isNaN(err) ? NaN : err;
    if (ratio > r.worstRatio || r.worstIndex < 0) {
      r.worstRatio = ratio;
      r.worstIndex = i;
      r.actual = a;
      r.expected = e;
      r.allowed = allowed;
    }
  }
  r.ok = r.worstRatio <= 1;
  return r;
}

export function describe(label: string, r: CloseReport): string {
  return `${label}: max|err| ${r.maxAbsErr.toExponential(3)} (max|ref| ${r.maxRef.toExponential(3)}, n ${r.n}); ` +
    `worst at [${r.worstIndex}]: got ${r.actual}, want ${r.expected}, allowed ±${r.allowed.toExponential(3)} (ratio ${r.worstRatio.toFixed(3)})`;
}
