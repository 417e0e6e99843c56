// The WebAssembly SIMD kernels other than the GEMM (kernels/wasm/) against the CPU backend's
// TypeScript loops, the reference: the same kernels built on one CpuBackend('f32') run from the
// same inputs with the WASM kernels on and then off, every written tensor compared. Odd sizes
// (1, 3, 17, 129). Tolerance per case, stated beside it: |wasm − ts| ≤ tol·(1 + |ts|).
// Run: node --import tsx --test tests/wasm-ops.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernel, OptimizerConfig, StepParams, Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { Rng } from '../kernels/rng.ts';
import { setWasmEnabled, wasm } from '../kernels/wasm/index.ts';

/**
 * Builds tensors (random in [lo, hi]) and kernels with `make`, runs them `runs` times with WASM on,
 * then from the same inputs with it off; returns the worst scaled error over `outs`.
 */
export function onVsOff(
  make: (be: CpuBackend, t: (shape: number[], name: string, lo?: number, hi?: number) => Tensor) => { kernels: Kernel[]; outs: Tensor[] },
  tol: number, params: Partial<StepParams> = {}, runs = 1,
): { worst: number; where: string } {
  const be = new CpuBackend('f32');
  const rng = new Rng(5);
  const all: Tensor[] = [];
  const t = (shape: number[], name: string, lo = -1, hi = 1) => {
    const x = be.tensor(shape, name);
    be.write(x, Float32Array.from({ length: x.size }, () => rng.uniform(lo, hi)));
    all.push(x);
    return x;
  };
  const { kernels, outs } = make(be, t);
  const init = all.map((x) => Float32Array.from((x.store as Float32Array).subarray(x.offset, x.offset + x.size)));
  const prog = be.program('case', kernels);
  const P: StepParams = { step: 1, batchStart: 0, lr: 0.05, seed: 3, rows: 1 << 20, ...params };
  const results: Float32Array[][] = [];
  for (const on of [true, false]) {
    setWasmEnabled(on);
    all.forEach((x, i) => be.write(x, init[i]));
    for (let r = 0; r < runs; r++) be.run(prog, { ...P, step: P.step + r });
    results.push(outs.map((x) => Float32Array.from((x.store as Float32Array).subarray(x.offset, x.offset + x.size))));
  }
  setWasmEnabled(true);
  let worst = 0, where = '';
  outs.forEach((o, j) => {
    const [w, r] = [results[0][j], results[1][j]];
    for (let i = 0; i < r.length; i++) {
      const e = Math.abs(w[i] - r[i]) / (tol * (1 + Math.abs(r[i])));
      if (!(e <= worst)) { worst = Number.isNaN(e) ? Infinity : e; where = `${o.name}[${i}] wasm ${w[i]} ts ${r[i]}`; }
    }
  });
  return { worst, where };
}

const SIZES = [1, 3, 17, 129];
const OPT: OptimizerConfig = { kind: 'adam', momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 };

test('wasm is loaded (else every comparison below would compare the TypeScript loops with themselves)', () => assert.ok(wasm()));

// Tolerance 2e-6 relative over 3 steps: f32 arithmetic against the reference's f64 rounded to f32 per step.
for (const [name, cfg] of [
  ['adam', OPT], ['adamw wd 0.1', { ...OPT, kind: 'adamw', weightDecay: 0.1 }], ['adam L2 0.01 clip 0.5', { ...OPT, weightDecay: 0.01, clipNorm: 0.5 }],
  ['sgd', { ...OPT, kind: 'sgd' }], ['sgd momentum 0.9', { ...OPT, kind: 'sgd', momentum: 0.9 }],
  ['sgd nesterov wd 0.01', { ...OPT, kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 }],
] as [string, OptimizerConfig][])
  test(`optimizer ${name}: n in {1, 3, 17, 129}, 3 steps, within 2e-6`, () => {
    for (const n of SIZES) {
      const r = onVsOff((be, t) => {
        const p = t([n], 'params'), g = t([n], 'grads'), m = t([n], 'm', 0, 0.1), v = t([n], 'v', 0, 0.01);
        const sq = cfg.clipNorm > 0 ? t([1], 'sq', 1, 4) : null;
        return { kernels: [be.optimizerStep(p, g, m, v, cfg, sq)], outs: [p, m, v] };
      }, 2e-6, {}, 3);
      assert.ok(r.worst <= 1, `n=${n}: ${r.worst.toFixed(2)}× tolerance at ${r.where}`);
    }
  });

test('the comparison can fail: a 1e-4 change in beta1 is caught', () => {
  const be = new CpuBackend('f32');
  setWasmEnabled(true);
  const mk = (b1: number) => {
    const p = be.tensor([17], 'p'), g = be.tensor([17], 'g'), m = be.tensor([17], 'm'), v = be.tensor([17], 'v');
    be.write(g, Float32Array.from({ length: 17 }, (_, i) => Math.sin(i)));
    be.run(be.program('o', [be.optimizerStep(p, g, m, v, { ...OPT, beta1: b1 }, null)]), { step: 2, batchStart: 0, lr: 0.1, seed: 1, rows: 1 });
    return (p.store as Float32Array).slice(p.offset, p.offset + 17);
  };
  const a = mk(0.9), b = mk(0.9001);
  assert.ok(a.some((x, i) => Math.abs(x - b[i]) > 2e-6 * (1 + Math.abs(b[i]))), 'a 1e-4 change in beta1 moves no parameter by more than the tolerance');
});
