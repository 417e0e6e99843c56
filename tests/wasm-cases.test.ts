// Every op case of the shared table (kernels/testing/op-specs.ts) that reaches a WebAssembly SIMD
// kernel, run on CpuBackend('f32') with the WASM kernels on and against the same backend with them
// off (the TypeScript reference), each output within the case's GPU tolerance (the WASM kernels,
// like the WGSL ones, are f32 implementations checked against the same reference).
// Run: node --import tsx --test tests/wasm-cases.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { allclose, describe as describeClose } from '../kernels/testing/allclose.ts';
import { generateAll, instantiate, readValues, release, runCase } from '../kernels/testing/harness.ts';
import { OP_CASES } from '../kernels/testing/op-specs.ts';
import { setWasmEnabled, wasm, WASM_OPS } from '../kernels/wasm/index.ts';

test('wasm is loaded (else each case below compares the TypeScript loops with themselves)', () => assert.ok(wasm()));

describe('WASM vs TypeScript reference on CpuBackend f32, per op case', () => {
  const cases = OP_CASES.filter((c) => c.ops.some((o) => (WASM_OPS as string[]).includes(o)));
  test('the table has cases for every WASM op', () => {
    for (const op of WASM_OPS) assert.ok(cases.some((c) => c.ops.includes(op)), `no case exercises ${op}`);
  });
  for (const c of cases) {
    test(c.name, async () => {
      const init = generateAll(c);
      const values = [];
      for (const on of [true, false]) {
        setWasmEnabled(on);
        const be = new CpuBackend('f32');
        const inst = instantiate(be, c, init);
        runCase(inst);
        values.push(await readValues(inst));
        release(inst);
      }
      setWasmEnabled(true);
      const bad: string[] = [];
      for (const s of c.tensors) {
        if (s.role === 'in') continue;
        const r = allclose(values[0][s.name], values[1][s.name], c.gpuTolFor?.[s.name] ?? c.gpuTol);
        if (!r.ok) bad.push(describeClose(s.name, r));
      }
      assert.deepEqual(bad, []);
    });
  }
});
