// Browser entry for the GPU op tests: runs any case of the shared table on GpuBackend and on
// CpuBackend (f32) in the page and reports per-output closeness. Driven by tests/ops-gpu.test.ts
// through globalThis.__suite; sets globalThis.__ready when the device is up (or failed).
import { CpuBackend } from '../cpu/backend.ts';
import { acquireGpu } from '../device/gpu.ts';
import { GpuBackend } from '../gpu/backend.ts';
import { allclose, type CloseReport } from './allclose.ts';
import { generateAll, instantiate, readValues, release, runCase } from './harness.ts';
import { caseByName, OP_CASES } from './op-specs.ts';

export interface OutputReport extends CloseReport {
  name: string;
}

export interface CaseResult {
  name: string;
  outputs: OutputReport[];
  checkErrors: string[];
  gpuError: string | null;
  dispatches: number;
  ms: number;
  /** Pool bytes in use before the case and after its tensors were freed. */
  bytesBefore: number;
  bytesAfter: number;
}

export interface Suite {
  adapter: string;
  names: string[];
  run(name: string): Promise<CaseResult>;
  /** Bytes in use before, while holding, and after freeing 3 tensors. */
  poolTest(): Promise<{ before: number; held: number; after: number; reused: boolean }>;
  u32RoundTrip(): Promise<{ wrote: number[]; read: number[]; isU32: boolean }>;
}

async function withErrors<T>(gpu: GpuBackend, f: () => Promise<T>): Promise<{ value: T; error: string | null }> {
  gpu.device.pushErrorScope('validation');
  gpu.device.pushErrorScope('out-of-memory');
  gpu.device.pushErrorScope('internal');
  const value = await f();
  const errs = await Promise.all([gpu.device.popErrorScope(), gpu.device.popErrorScope(), gpu.device.popErrorScope()]);
  const msgs = errs.filter((e): e is GPUError => e !== null).map((e) => e.message);
  return { value, error: msgs.length ? msgs.join('\n') : gpu.lost };
}

async function main(): Promise<Suite> {
  const ctx = await acquireGpu();
  const gpu = new GpuBackend(ctx);
  return {
    adapter: `${ctx.adapterName}${ctx.isFallbackAdapter ? ' (fallback)' : ''}`,
    names: OP_CASES.map((c) => c.name),

    async run(name) {
      const c = caseByName(name);
      const init = generateAll(c);
      const t0 = performance.now();
      const dispatches0 = gpu.counters.dispatches;
      const bytesBefore = gpu.bytesInUse();
      const { value: gv, error } = await withErrors(gpu, async () => {
        const inst = instantiate(gpu, c, init);
        runCase(inst);
        const v = await readValues(inst);
        release(inst);
        return v;
      });
      const ms = performance.now() - t0;
      const bytesAfter = gpu.bytesInUse();
      const cpu = new CpuBackend('f32');
      const ci = instantiate(cpu, c, init);
      runCase(ci);
      const cv = await readValues(ci);
      const outputs: OutputReport[] = [];
      for (const s of c.tensors) {
        if (s.role === 'in') continue;
        const tol = c.gpuTolFor?.[s.name] ?? c.gpuTol;
        outputs.push({ name: s.name, ...allclose(gv[s.name], cv[s.name], tol) });
      }
      return {
        name, outputs, ms, gpuError: error, bytesBefore, bytesAfter,
        dispatches: gpu.counters.dispatches - dispatches0,
        checkErrors: c.check ? c.check(gv) : [],
      };
    },

    async poolTest() {
      await gpu.idle();
      const before = gpu.bytesInUse();
      const ts = [gpu.tensor([1000], 'p0'), gpu.tensor([3, 7], 'p1'), gpu.tensor([5000], 'p2', 'u32')];
      const held = gpu.bytesInUse();
      const firstBuffer = ts[0].store;
      for (const t of ts) gpu.free(t);
      const after = gpu.bytesInUse();
      // A tensor of the same size class gets the released buffer back rather than a new one.
      const again = gpu.tensor([900], 'p3');
      const reused = again.store === firstBuffer;
      gpu.free(again);
      return { before, held, after, reused };
    },

    async u32RoundTrip() {
      const wrote = [0, 1, 255, 65536, 0x7fffffff, 0x80000000, 0xffffffff];
      const t = gpu.tensor([wrote.length], 'u', 'u32');
      gpu.write(t, Uint32Array.from(wrote));
      const r = await gpu.read(t);
      gpu.free(t);
      return { wrote, read: [...r], isU32: r instanceof Uint32Array };
    },
  };
}

const g = globalThis as { __suite?: Suite; __suiteError?: string; __ready?: boolean };
main().then(
  (s) => { g.__suite = s; g.__ready = true; },
  (e) => { g.__suiteError = String(e?.stack ?? e); g.__ready = true; },
);
