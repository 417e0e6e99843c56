// The WebAssembly SIMD GEMM (kernels/wasm/) against the CPU backend's TypeScript matmul, the
// reference, on one CpuBackend('f32') with the WASM kernels switched on and off. Odd shapes
// (1, 3, 17, 129 — none a multiple of the 4×8 tile), every transpose variant, the fused epilogues
// (bias, each activation, act' through y, accumulate, the implicit ones row) and batches.
// Tolerance: |wasm − ts| ≤ 2e-5·(1 + |ts|) · sqrt(K)/4 + 1e-6: f32 sums in a different order against
// the reference's f64 sums rounded once. Run: node --import tsx --test tests/wasm-gemm.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FusedAct, MatmulOpts, StepParams, Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { Rng } from '../kernels/rng.ts';
import { setWasmEnabled, wasm, wasmFailure } from '../kernels/wasm/index.ts';

const P: StepParams = { step: 1, batchStart: 0, lr: 0.1, seed: 1, rows: 1 << 20 };

test('the WASM SIMD kernels are loaded in Node', () => {
  assert.ok(wasm(), `not loaded: ${wasmFailure()}`);
});

function rand(be: CpuBackend, shape: number[], name: string, rng: Rng): Tensor {
  const t = be.tensor(shape, name);
  const v = new Float32Array(t.size);
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-1, 1);
  be.write(t, v);
  return t;
}

/** Runs the same matmul with WASM on and off; returns the worst scaled error and both outputs. */
function compare(M: number, N: number, K: number, o: MatmulOpts & { batchN?: number }, seed = 1) {
  const be = new CpuBackend('f32');
  const rng = new Rng(seed);
  const bt = o.batch ?? 1;
  const Ma = o.onesRow ? M - 1 : M;
  const lead = bt > 1 ? [bt] : [];
  const a = rand(be, [...lead, ...(o.transA ? [K, Ma] : [Ma, K])], 'a', rng);
  const b = rand(be, [...lead, ...(o.transB ? [N, K] : [K, N])], 'b', rng);
  const init = rand(be, [...lead, M, N], 'init', rng);
  const opts: MatmulOpts = { ...o };
  if (o.bias) opts.bias = rand(be, [N], 'bias', rng);
  if (o.gradAct) {
    const y = rand(be, [...lead, M, N], 'y', rng);
    const yv = y.store as Float32Array; // a plausible activation output: in (0, 1) for sigmoid, (−1, 1) for tanh
    if (o.gradAct.act === 'sigmoid') for (let i = 0; i < yv.length; i++) yv[i] = (yv[i] + 1) / 2;
    opts.gradAct = { ...o.gradAct, y };
  }
  const outs: Float32Array[] = [];
  for (const on of [true, false]) {
    setWasmEnabled(on);
    const out = be.tensor([...lead, M, N], 'out');
    (out.store as Float32Array).set(init.store as Float32Array);
    be.run(be.program('mm', [be.matmul(out, a, b, opts)]), P);
    outs.push(Float32Array.from(out.store as Float32Array));
  }
  setWasmEnabled(true);
  const [w, t] = outs;
  let worst = 0;
  const tol = (x: number) => 2e-5 * (1 + Math.abs(x)) * Math.max(1, Math.sqrt(K) / 4) + 1e-6;
  for (let i = 0; i < t.length; i++) worst = Math.max(worst, Math.abs(w[i] - t[i]) / tol(t[i]));
  return { worst, w, t };
}

const SIZES = [1, 3, 17, 129];
const VARIANTS: [string, MatmulOpts][] = [
  ['A·B', {}], ['Aᵀ·B', { transA: true }], ['A·Bᵀ', { transB: true }], ['Aᵀ·Bᵀ', { transA: true, transB: true }],
];

for (const [name, o] of VARIANTS)
  test(`gemm ${name}: every M, N, K in {1, 3, 17, 129} within tolerance`, () => {
    for (const M of SIZES) for (const N of SIZES) for (const K of SIZES) {
      const r = compare(M, N, K, o, M * 1000 + N * 10 + K);
      assert.ok(r.worst <= 1, `${name} M=${M} N=${N} K=${K}: error ${r.worst.toFixed(2)}× tolerance`);
    }
  });

const ACTS: FusedAct[] = ['none', 'relu', 'leaky_relu', 'tanh', 'sigmoid'];
test('gemm epilogues: bias + each activation, accumulate, act\' through y, ones row, batch', () => {
  const cases: [string, number, number, number, MatmulOpts][] = [];
  for (const act of ACTS) {
    cases.push([`bias ${act}`, 17, 129, 33, { bias: {} as Tensor, act }]);
    cases.push([`bias ${act} 3x3x1`, 3, 3, 1, { bias: {} as Tensor, act }]);
    if (act !== 'none') cases.push([`gradAct ${act} transB`, 129, 17, 65, { transB: true, gradAct: { act, y: {} as Tensor, alpha: 0.2 } }]);
  }
  cases.push(['accumulate Aᵀ·B', 17, 9, 129, { transA: true, accumulate: true }]);
  cases.push(['onesRow Aᵀ·B (dW; db)', 18, 33, 129, { transA: true, onesRow: true }]);
  cases.push(['onesRow accumulate', 4, 8, 3, { transA: true, onesRow: true, accumulate: true }]);
  cases.push(['batch 3 A·Bᵀ', 17, 5, 9, { batch: 3, transB: true }]);
  cases.push(['batch 2 Aᵀ·B bias relu', 7, 17, 3, { batch: 2, transA: true, bias: {} as Tensor, act: 'relu' }]);
  for (const [name, M, N, K, o] of cases) {
    const r = compare(M, N, K, o);
    assert.ok(r.worst <= 1, `${name}: error ${r.worst.toFixed(2)}× tolerance`);
  }
});

test('the WASM path really runs: f32 sums differ in their last bits from the reference\'s f64 sums', () => {
  const r = compare(33, 40, 129, {});
  let differ = 0;
  for (let i = 0; i < r.t.length; i++) if (r.w[i] !== r.t[i]) differ++;
  assert.ok(differ > r.t.length / 10, `only ${differ} of ${r.t.length} outputs differ: is the WASM GEMM running?`);
});

test('the comparison can fail: an error of 1e-3 in one column is caught', () => {
  const r = compare(17, 9, 33, { bias: {} as Tensor, act: 'none' });
  const shifted = Float32Array.from(r.w, (v, i) => (i % 9 === 4 ? v + 1e-3 : v));
  let worst = 0;
  for (let i = 0; i < r.t.length; i++) worst = Math.max(worst, Math.abs(shifted[i] - r.t[i]) / (2e-5 * (1 + Math.abs(r.t[i])) * 1.44 + 1e-6));
  assert.ok(worst > 1, 'an error of 1e-3 in one column went unnoticed');
});
