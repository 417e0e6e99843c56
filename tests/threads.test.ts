// The WASM kernels' worker pool (kernels/wasm/pool.ts) in Node: every op case that reaches a WASM
// kernel, run on a pool of 2 threads with every GEMM and attention split (no size threshold), gives
// the same bits as the one-thread run (threads own disjoint output tiles / heads, each computed in
// the same order) and stays within the case's tolerance of the TypeScript reference; the workers
// really run kernels (their call counters, not timing); with shared memory off the backend falls
// back to one thread and still passes.
// Run: node --import tsx --test tests/threads.test.ts
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { allclose, describe as describeClose } from '../kernels/testing/allclose.ts';
import { generateAll, instantiate, readValues, release, runCase } from '../kernels/testing/harness.ts';
import { OP_CASES } from '../kernels/testing/op-specs.ts';
import { parallel } from '../kernels/wasm/pool.ts';
import { setMinParallelWork, setThreads, setWasmEnabled, stopThreads, threadCount, threadsReason, threadWork, wasm, WASM_OPS } from '../kernels/wasm/index.ts';

const ROOT = new URL('..', import.meta.url).pathname;

async function runOn(c: (typeof OP_CASES)[number], init: ReturnType<typeof generateAll>) {
  const be = new CpuBackend('f32');
  await be.ready();
  const inst = instantiate(be, c, init);
  runCase(inst);
  const v = await readValues(inst);
  release(inst);
  return v;
}

describe('a pool of 2 threads', () => {
  before(async () => {
    setThreads(2);
    const be = new CpuBackend('f32');
    await be.ready();
    assert.equal(be.threads, 2, threadsReason());
  });
  after(async () => {
    setMinParallelWork(1 << 18);
    setThreads(1);
    await stopThreads();
  });

  test('wasm is loaded and the pool runs 2 threads', () => {
    assert.ok(wasm());
    assert.equal(threadCount(), 2);
  });

  test('the second thread runs kernels: per-thread call counters', async () => {
    setMinParallelWork(0);
    const be = new CpuBackend('f32');
    await be.ready();
    const a = be.tensor([64, 48], 'a'), b = be.tensor([48, 40], 'b'), c = be.tensor([64, 40], 'c');
    be.write(a, Float32Array.from({ length: 64 * 48 }, (_, i) => Math.sin(i)));
    be.write(b, Float32Array.from({ length: 48 * 40 }, (_, i) => Math.cos(i)));
    const qkv = be.tensor([4, 8, 3 * 16], 'qkv'), out = be.tensor([4, 8, 16], 'out'), lse = be.tensor([4, 2, 8], 'lse');
    be.write(qkv, Float32Array.from({ length: qkv.size }, (_, i) => Math.sin(i * 0.37)));
    const p = be.program('mm+attn', [be.matmul(c, a, b), be.attention(out, lse, qkv, 2, true)].flat());
    const w0 = threadWork();
    be.run(p, {} as never);
    const w1 = threadWork();
    // matmul: packA, packB, gemmTiles on each thread; attention: one call each.
    assert.deepEqual([w1[0] - w0[0], w1[1] - w0[1]], [4, 4]);
  });

  test('a kernel that traps on a worker is an error on the calling thread, naming the thread, and the pool goes on', () => {
    const k = wasm()!;
    // addInto(n, dst, src) past the end of the 1 GiB heap: an out-of-bounds trap on thread 1.
    assert.throws(() => parallel(k, [[], [['addInto', 16, 2 ** 31, 2 ** 31]]]), /a WASM kernel failed on thread 1/);
    const w0 = threadWork();
    parallel(k, [[], [['addInto', 0, 65536, 65536]]]);
    assert.equal(threadWork()[1] - w0[1], 1);
  });

  const cases = OP_CASES.filter((c) => c.ops.some((o) => (WASM_OPS as string[]).includes(o)));
  for (const c of cases) {
    test(`${c.name}: 2 threads = 1 thread bit for bit, and within tolerance of the reference`, async () => {
      const init = generateAll(c);
      setMinParallelWork(0);
      const threaded = await runOn(c, init);
      setMinParallelWork(Infinity);
      const single = await runOn(c, init);
      setWasmEnabled(false);
      const ref = await runOn(c, init);
      setWasmEnabled(true);
      setMinParallelWork(0);
      const bad: string[] = [];
      for (const s of c.tensors) {
        if (s.role === 'in') continue;
        const [t, o] = [threaded[s.name], single[s.name]];
        const same = t.length === o.length && Buffer.from(t.buffer, t.byteOffset, t.byteLength).equals(Buffer.from(o.buffer, o.byteOffset, o.byteLength));
        if (!same) bad.push(`${s.name}: 2 threads differ from 1 thread`);
        const r = allclose(t, ref[s.name], c.gpuTolFor?.[s.name] ?? c.gpuTol);
        if (!r.ok) bad.push(describeClose(s.name, r));
      }
      assert.deepEqual(bad, []);
    });
  }
});

test('without shared memory (CPU_SHARED=0) the backend runs one thread, says why, and its kernels still match the reference', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'tests/threads-unshared.child.ts'], {
    cwd: ROOT, env: { ...process.env, CPU_SHARED: '0' }, encoding: 'utf8', timeout: 120_000,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { threads: number; shared: boolean; reason: string; wasm: boolean; bad: string[]; cases: number };
  assert.equal(r.shared, false);
  assert.equal(r.wasm, true);
  assert.equal(r.threads, 1);
  assert.match(r.reason, /no shared memory/);
  assert.ok(r.cases >= 5, `${r.cases} cases`);
  assert.deepEqual(r.bad, []);
});

test('npm run train -- --backend cpu --threads 2 trains in Node on 2 threads, its loss falls, and the process exits 0', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--preset', 'mlp-mnist-small', '--backend', 'cpu', '--threads', '2',
    '--steps', '60', '--eval-every', '20', '--train-limit', '4096', '--test-limit', '500', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { loss?: number; threads?: number; final?: boolean; steps?: number });
  const evals = lines.filter((l) => !l.final);
  assert.equal(evals.length, 3);
  for (const l of lines) assert.equal(l.threads, 2);
  assert.equal(lines.at(-1)!.steps, 60);
  assert.ok(evals[2].loss! < 0.75 * evals[0].loss!, `loss ${evals.map((l) => l.loss).join(' → ')}`);
});
