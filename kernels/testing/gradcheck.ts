// Central finite differences on CpuBackend('f64'): checks each case's backward kernels against
// numeric derivatives of L = Σ dy ⊙ y (or the mean loss for loss ops).
import { CpuBackend } from '../cpu/backend.ts';
import { Rng } from '../rng.ts';
import { hashString, instantiate, readCpu, runBackward, runForward, writeInit, type Instance } from './harness.ts';
import type { OpCase } from './op-specs.ts';

/** Step of the central difference; in f64 truncation (eps²) and round-off (1e-16/eps) are both ≲ 1e-10. */
export const FD_EPS = 1e-6;
/** |analytic − numeric| ≤ abs + rel·max(|analytic|, |numeric|), in f64. */
export const FD_TOL = { abs: 1e-8, rel: 1e-6 };
/** Inputs with more elements than this are checked on a seeded sample (plus first and last). */
export const FD_SAMPLE = 24;

export interface GradEntry {
  wrt: string;
  index: number;
  analytic: number;
  numeric: number;
  err: number;
  allowed: number;
}

export interface GradReport {
  checked: number;
  failures: GradEntry[];
  worst: GradEntry | null; // the entry with the largest err/allowed
}

function sampleIndices(n: number, rng: Rng): number[] {
  if (n <= FD_SAMPLE) return Array.from({ length: n }, (_, i) => i);
  const s = new Set<number>([0, n - 1]);
  while (s.size < FD_SAMPLE) s.add(rng.nextU32() % n);
  return [...s].sort((a, b) => a - b);
}

/** The objective's change between two forward evaluations, divided by 2·eps. */
function makeObjective(inst: Instance): () => Float64Array {
  const g = inst.c.grad!;
  const name = g.kind === 'dot' ? g.y : g.metrics;
  return () => {
    runForward(inst);
    return Float64Array.from(readCpu(inst.t[name]));
  };
}

/** `be` is replaceable so that a test can show a wrong backward is caught. */
export function gradcheck(c: OpCase, tol = c.gradTol ?? FD_TOL, be: CpuBackend = new CpuBackend('f64')): GradReport {
  const g = c.grad;
  if (!g) throw new Error(`${c.name} has no gradient spec`);
  if (be.precision !== 'f64') throw new Error('gradcheck needs CpuBackend(\'f64\')');
  const inst = instantiate(be, c);
  writeInit(inst);
  runForward(inst);
  runBackward(inst);
  const analytic: Record<string, Float64Array> = {};
  for (const [, gradName] of g.wrt) analytic[gradName] = Float64Array.from(readCpu(inst.t[gradName]));
  const objective = makeObjective(inst);
  const rows = Math.min(c.params.rows, g.kind === 'loss' ? c.tensors.find((s) => s.name === g.wrt[0][0])!.shape[0] : 1);
  const dy = g.kind === 'dot' ? Float64Array.from(inst.init[g.dy]) : null;

  const report: GradReport = { checked: 0, failures: [], worst: null };
  let worstRatio = -1;
  const rng = new Rng(hashString(`${c.name}/fd`));
  for (const [input, gradName] of g.wrt) {
    const t = inst.t[input];
    const store = t.store as Float64Array;
    for (const i of sampleIndices(t.size, rng)) {
      // Every evaluation starts from the initial data (accumulators and metrics included).
      writeInit(inst);
      const x0 = store[t.offset + i];
      store[t.offset + i] = x0 + FD_EPS;
      const plus = objective();
      writeInit(inst);
      store[t.offset + i] = x0 - FD_EPS;
      const minus = objective();
      let numeric: number;
      if (dy) {
        // Σ dy·(y₊ − y₋) element by element: unaffected outputs cancel exactly.
        let s = 0;
        for (let j = 0; j < dy.length; j++) if (plus[j] !== minus[j]) s += dy[j] * (plus[j] - minus[j]);
        numeric = s / (2 * FD_EPS);
      } else {
        numeric = (plus[0] - minus[0]) / (2 * FD_EPS * rows);
      }
      const a = analytic[gradName][i];
      const err = Math.abs(a - numeric);
      const allowed = tol.abs + tol.rel * Math.max(Math.abs(a), Math.abs(numeric));
      const e: GradEntry = { wrt: input, index: i, analytic: a, numeric, err, allowed };
      report.checked++;
      if (!(err <= allowed)) report.failures.push(e);
      const ratio = Number.isNaN(err) ? Infinity : err / allowed;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        report.worst = e;
      }
    }
  }
  return report;
}

export function describeGrad(e: GradEntry): string {
  return `d/d${e.wrt}[${e.index}]: analytic ${e.analytic}, numeric ${e.numeric}, |diff| ${e.err.toExponential(3)} > allowed ${e.allowed.toExponential(3)}`;
}
