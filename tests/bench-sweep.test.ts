// bench:node --sweep's check (scripts/bench-node/sweep.ts): the output is filled with NaN before
// each kernel, so a kernel that writes nothing fails instead of passing on the previous kernel's
// product, and every entry is compared with a float64 reference (sampled beyond 2^31 multiply-adds).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { productError, reference, type SweepProblem } from '../scripts/bench-node/sweep.ts';
import { Rng } from '../kernels/rng.ts';

/** C = op(A)·op(B) in float32, as a correct kernel would leave it. */
function product(p: SweepProblem, A: Float32Array, B: Float32Array): Float32Array {
  const C = new Float32Array(p.M * p.N);
  for (let m = 0; m < p.M; m++)
    for (let n = 0; n < p.N; n++) {
      let s = 0;
      for (let k = 0; k < p.K; k++) s = Math.fround(s + Math.fround(A[p.transA ? k * p.M + m : m * p.K + k] * B[p.transB ? n * p.K + k : k * p.N + n]));
      C[m * p.N + n] = s;
    }
  return C;
}

const rand = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

test('the sweep check: a float32 product of every layout passes; a wrong, transposed-wrong or unwritten entry fails', () => {
  const rng = new Rng(5);
  for (const p of [
    { name: 'nn', M: 33, N: 17, K: 70 },
    { name: 'nt', M: 20, N: 13, K: 9, transB: true },
    { name: 'tn', M: 13, N: 20, K: 68, transA: true },
  ] as SweepProblem[]) {
    const A = rand(p.M * p.K, rng), B = rand(p.K * p.N, rng);
    const ref = reference(p, A, B);
    assert.equal(ref.full, true);
    assert.equal(ref.at.length, p.M * p.N, 'every entry is checked');
    const C = product(p, A, B);
    const ok = productError(C, ref);
    assert.ok(ok <= 1e-5, `${p.name}: ${ok}`);

    const last = C.slice();
    last[p.M * p.N - 1] += 0.01; // one wrong entry, in the last row (a sampled check could miss it)
    assert.ok(productError(last, ref) > 1e-3, p.name);

    const unwritten = C.slice();
    unwritten[p.N + 1] = NaN; // what a kernel that skipped an entry leaves in the cleared buffer
    assert.equal(productError(unwritten, ref), Infinity, p.name);

    // The other layout's product (a kernel that ignored the transpose flag) is wrong.
    if (p.M === p.N || !(p.transA || p.transB)) continue;
    const swapped = product({ ...p, transA: false, transB: false, M: p.M, N: p.N, K: p.K }, A, B);
    assert.ok(productError(swapped, ref) > 1e-3, `${p.name}: the transpose flag matters`);
  }
});

test('beyond 2^31 multiply-adds the reference is 512 sampled entries, and a NaN anywhere still fails', () => {
  const p: SweepProblem = { name: 'big', M: 2048, N: 2048, K: 1024 };
  // A and B of ones: every entry of the product is K.
  const A = new Float32Array(p.M * p.K).fill(1), B = new Float32Array(p.K * p.N).fill(1);
  const ref = reference(p, A, B);
  assert.equal(ref.full, false);
  assert.equal(ref.at.length, 512);
  assert.ok(ref.ref.every((v) => v === p.K));
  const C = new Float32Array(p.M * p.N).fill(p.K);
  assert.equal(productError(C, ref), 0);
  C[12345] = NaN;
  assert.equal(productError(C, ref), Infinity);
});
