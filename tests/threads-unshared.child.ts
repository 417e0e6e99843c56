// Child process of tests/threads.test.ts, run with CPU_SHARED=0 (a heap that cannot be shared, as
// in a page without cross-origin isolation): asks for 2 threads, and prints one JSON line with the
// threads the backend got, why, and every WASM op case checked against the TypeScript reference.
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { allclose, describe as describeClose } from '../kernels/testing/allclose.ts';
import { generateAll, instantiate, readValues, release, runCase } from '../kernels/testing/harness.ts';
import { OP_CASES } from '../kernels/testing/op-specs.ts';
import { heapShared } from '../kernels/wasm/runtime.ts';
import { setMinParallelWork, setThreads, setWasmEnabled, threadsReason, wasm, WASM_OPS } from '../kernels/wasm/index.ts';

setThreads(2);
setMinParallelWork(0);
const be = new CpuBackend('f32');
await be.ready();
const bad: string[] = [];
const cases = OP_CASES.filter((c) => c.ops.some((o) => (WASM_OPS as string[]).includes(o)));
for (const c of cases) {
  const init = generateAll(c);
  const values = [];
  for (const on of [true, false]) {
    setWasmEnabled(on);
    const b = new CpuBackend('f32');
    await b.ready();
    const inst = instantiate(b, c, init);
    runCase(inst);
    values.push(await readValues(inst));
    release(inst);
  }
  setWasmEnabled(true);
  for (const s of c.tensors) {
    if (s.role === 'in') continue;
    const r = allclose(values[0][s.name], values[1][s.name], c.gpuTolFor?.[s.name] ?? c.gpuTol);
    if (!r.ok) bad.push(`${c.name}: ${describeClose(s.name, r)}`);
  }
}
console.log(JSON.stringify({ threads: be.threads, shared: heapShared(), reason: threadsReason(), wasm: !!wasm(), bad, cases: cases.length }));
