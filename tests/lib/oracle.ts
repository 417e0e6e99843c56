// Shared plumbing of the PyTorch oracle tests: run a Python script over a JSON file of cases, and
// compare engine numbers to torch's with a relative tolerance that floors tiny references at 1% of
// the tensor's largest magnitude (so near-zero entries are not judged by relative error alone).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '../../kernels/backend.ts';
import { Graph } from '../../kernels/autodiff/graph.ts';
import { CpuBackend } from '../../kernels/cpu/backend.ts';
import { buildModel, describeParams } from '../../kernels/nn/model.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';

export const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';

/** Runs `script IN.json OUT.json` and returns OUT parsed; throws with torch's stderr on failure. */
export function runOracle<T>(script: string, input: unknown): T {
  const dir = mkdtempSync(join(tmpdir(), 'oracle-'));
  try {
    const src = join(dir, 'in.json'), dst = join(dir, 'out.json');
    writeFileSync(src, JSON.stringify(input));
    const r = spawnSync(PYTHON, [script, src, dst], { encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`${PYTHON} ${script} failed (status ${r.status}): ${r.error?.message ?? ''}\n${r.stderr}`);
    return JSON.parse(readFileSync(dst, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Values of a CPU-backend tensor as plain numbers. */
export const values = (t: Tensor): number[] => Array.from((t.store as Float32Array | Float64Array).subarray(t.offset, t.offset + t.size));

export interface Cmp { worst: number; where: string; a: number; b: number }

/** Worst ratio of |a − b| to rel·max(|b|, 1e-2·max|b|): ≤ 1 passes. */
export function compareRel(a: number[], b: number[], rel: number, what: string): Cmp {
  assert.equal(a.length, b.length, `${what}: length`);
  const scale = Math.max(...b.map(Math.abs));
  const r: Cmp = { worst: 0, where: '', a: NaN, b: NaN };
  b.forEach((bv, i) => {
    const allowed = rel * Math.max(Math.abs(bv), 1e-2 * scale, 1e-30);
    const ratio = Math.abs(a[i] - bv) / allowed;
    if (!(ratio <= r.worst)) Object.assign(r, { worst: Number.isNaN(ratio) ? Infinity : ratio, where: `${what}[${i}]`, a: a[i], b: bv });
  });
  return r;
}

/** Logs the worst comparison and fails naming every tensor over its tolerance. */
export function assertAllWithin(cmps: Cmp[], label: string): void {
  const worst = cmps.reduce((a, b) => (b.worst > a.worst ? b : a));
  console.log(`# ${label}: worst ${worst.where} at ${worst.worst.toPrecision(2)}× the tolerance`);
  const bad = cmps.filter((r) => !(r.worst <= 1));
  assert.deepEqual(bad.map((r) => r.where), [],
    bad.map((r) => `${r.where}: engine ${r.a} vs torch ${r.b} (${r.worst.toFixed(2)}× the tolerance)`).join('\n'));
}

export interface LayerCase { x: number[]; dout: number[]; params: { name: string; shape: number[]; values: number[] }[] }
export interface LayerResult { y: number[]; dx: number[]; dparams: number[][] }

/**
 * Runs layers (built by buildModel) forward and backward once on the CpuBackend: input x of shape
 * xShape (batch first), the given parameters, dL/dy = dout. Returns y, dL/dx and dL/dparams.
 */
export function forwardBackwardCpu(layers: LayerSpec[], xShape: number[], d: LayerCase, precision: 'f32' | 'f64'): LayerResult {
  const be = new CpuBackend(precision);
  const info = describeParams(layers, xShape.slice(1));
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  d.params.forEach((p, i) => be.write(P.views[i], Float32Array.from(p.values)));
  const g = new Graph(be, true);
  const x = g.alloc(xShape, 'x');
  const dx = be.tensor(xShape, 'dx');
  g.param(x, dx);
  be.write(x, Float32Array.from(d.x));
  const y = buildModel(g, layers, x, { values: P.views, grads: G.views });
  be.write(g.seed(y), Float32Array.from(d.dout));
  const bwd = g.backward();
  be.run(be.program('forward + backward', [...g.forward, ...bwd]), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: xShape[0] });
  return { y: values(y), dx: values(dx), dparams: G.views.map(values) };
}
