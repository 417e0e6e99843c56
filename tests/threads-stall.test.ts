// A kernel thread that dies (killed, out of memory) must not hang training: the caller's wait
// gives up after the stall time with a message, the pool drops to one thread and says why, and
// the kernels go on working on that one thread.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { crashWorkerForTest, parallel, setStallMs } from '../kernels/wasm/pool.ts';
import { heapF32, heapFree, setThreads, stopThreads, threadCount, threadsReason, threadWork, wasm } from '../kernels/wasm/index.ts';

after(async () => {
  setStallMs(60_000);
  setThreads(1);
  await stopThreads();
});

test('a dead worker: the wait ends with a message, the pool falls back to one thread, kernels still work', { timeout: 30_000 }, async () => {
  setThreads(2);
  const be = new CpuBackend('f32');
  await be.ready();
  assert.equal(be.threads, 2, threadsReason());
  const k = wasm()!;
  parallel(k, [[], [['addInto', 0, 65536, 65536]]]); // the worker answers while alive
  assert.equal(threadWork()[1], 1);
  await crashWorkerForTest(1);
  setStallMs(300);
  const t0 = Date.now();
  assert.throws(() => parallel(k, [[], [['addInto', 0, 65536, 65536]]]), /kernel threads stopped answering for 0.3 s \(1 of 1\); the next run uses one thread/);
  const waited = Date.now() - t0;
  assert.ok(waited >= 300 && waited < 5000, `gave up after ${waited} ms`);
  assert.equal(threadCount(), 1);
  assert.match(threadsReason(), /one thread: 1 kernel thread stopped answering/);
  // One thread on: a real kernel call, its result checked.
  const dst = heapF32(8)!, src = heapF32(8)!;
  dst.fill(1.5);
  src.fill(2);
  parallel(k, [[['addInto', 8, dst.byteOffset, src.byteOffset]]]);
  assert.deepEqual(Array.from(dst), Array(8).fill(3.5));
  heapFree(dst);
  heapFree(src);
});
