// Browser entry for the GPU op tests: runs any case of the shared table on GpuBackend and on
// CpuBackend (f32) in the page and reports per-output closeness. Driven by tests/ops-gpu.test.ts
// through globalThis.__suite; sets globalThis.__ready when the device is up (or failed).
//
// Out-of-bounds detector: each case's buffers get SLACK extra bytes past their tensor, and every
// byte of a buffer outside its tensor is poisoned with a NaN whose payload names the tensor. Run
// with Dawn's robustness off (tests/ops-gpu.test.ts launches Chromium so, and `robustness` says
// whether it took), a kernel that reads past a tensor reads NaN, which reaches its outputs and
// fails the closeness check; one that writes past a tensor changes the poison, which `slack`
// reports. With robustness on, Tint clamps accesses to the binding (the tensor's bytes), so the
// poison is never read: the detector then proves nothing, hence the check that it is off.
import type { Tensor } from '../backend.ts';
import { CpuBackend } from '../cpu/backend.ts';
import { acquireGpu } from '../device/gpu.ts';
import { GpuBackend } from '../gpu/backend.ts';
import { probeRobustness } from '../gpu/robustness.ts';
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
  /** Poisoned bytes around the case's tensors that a kernel changed (a write out of bounds), one line per tensor. */
  slack: string[];
}

export interface Suite {
  adapter: string;
  /**
   * 'off' when a read past a binding returned the bytes after it (Dawn's robustness is disabled,
   * the poison is reachable), 'on' when it was clamped or zeroed; found by a probe kernel.
   */
  robustness: 'on' | 'off';
  names: string[];
  run(name: string): Promise<CaseResult>;
  /** Bytes in use before, while holding, and after freeing 3 tensors. */
  poolTest(): Promise<{ before: number; held: number; after: number; reused: boolean }>;
  u32RoundTrip(): Promise<{ wrote: number[]; read: number[]; isU32: boolean }>;
  /** The messages of matmuls refused at record time for a short bias and a short batched A (null: not refused), and the dispatch count across them. */
  sizeRefusals(): { bias: string | null; batchedA: string | null; dispatches: number };
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

/** Extra bytes every pooled buffer of a case gets, so that even a tensor filling its size class has poisoned bytes after it. */
const SLACK = 1024;
/** The poison of a case's k-th tensor: a quiet NaN whose payload is 0xbad00 + k (never a value a kernel computes). */
const poisonWord = (k: number) => (0x7fcbad00 + k) >>> 0;

interface Poisoned { name: string; t: Tensor; word: number }

/**
 * Runs f with every pool buffer it acquires SLACK bytes larger than asked (the pool rounds up to
 * its size class), and every kernel scratch buffer (attention's Δ, split-K partials, …) too; the
 * scratch buffers come back as tensors of their asked size, to poison around.
 */
function withSlack<T>(gpu: GpuBackend, f: () => T): { value: T; scratch: Tensor[] } {
  const pool = gpu.pool;
  const acquire = pool.acquire;
  const scratchBuffer = gpu.scratchBuffer;
  const scratch: Tensor[] = [];
  pool.acquire = (bytes, usage, label) => acquire.call(pool, bytes + SLACK, usage, label);
  gpu.scratchBuffer = (floats, label) => {
    const buf = scratchBuffer.call(gpu, Math.max(1, floats) + SLACK / 4, label);
    scratch.push(gpu.make([Math.max(1, floats)], `scratch ${label}`, 'f32', buf, 0));
    return buf;
  };
  try {
    return { value: f(), scratch };
  } finally {
    pool.acquire = acquire;
    gpu.scratchBuffer = scratchBuffer;
  }
}

/** Fills every byte of each tensor's buffer outside the tensor with its poison word. */
function poison(gpu: GpuBackend, ts: Poisoned[]): void {
  for (const { t, word } of ts) {
    const buf = t.store as GPUBuffer;
    const fill = new Uint32Array(buf.size / 4).fill(word);
    gpu.device.queue.writeBuffer(buf, 0, fill, 0, t.offset);
    gpu.device.queue.writeBuffer(buf, (t.offset + t.size) * 4, fill, t.offset + t.size);
  }
}

/** Reads each tensor's whole buffer back and names the first poisoned word that changed, per tensor. */
async function checkPoison(gpu: GpuBackend, ts: Poisoned[]): Promise<string[]> {
  const bad: string[] = [];
  for (const { name, t, word } of ts) {
    const buf = t.store as GPUBuffer;
    const w = (await gpu.read(gpu.make([buf.size / 4], `${name} whole buffer`, 'u32', buf, 0))) as Uint32Array;
    const end = t.offset + t.size;
    const changed: number[] = [];
    for (let i = 0; i < w.length; i++) if ((i < t.offset || i >= end) && w[i] !== word) changed.push(i);
    if (!changed.length) continue;
    const i = changed[0];
    const where = i < t.offset ? `${t.offset - i} floats before its start` : `${i - end + 1} floats past its end`;
    const value = new Float32Array(w.buffer, i * 4, 1)[0];
    bad.push(`${name}: ${changed.length} poisoned words written, the first ${where} (now ${value}, 0x${w[i].toString(16)})`);
  }
  return bad;
}

async function main(): Promise<Suite> {
  const ctx = await acquireGpu();
  const gpu = new GpuBackend(ctx);
  return {
    adapter: `${ctx.adapterName}${ctx.isFallbackAdapter ? ' (fallback)' : ''}`,
    robustness: await probeRobustness(gpu),
    names: OP_CASES.map((c) => c.name),

    async run(name) {
      const c = caseByName(name);
      const init = generateAll(c);
      const t0 = performance.now();
      const dispatches0 = gpu.counters.dispatches;
      const bytesBefore = gpu.bytesInUse();
      const { value: { v: gv, slack }, error } = await withErrors(gpu, async () => {
        const { value: inst, scratch } = withSlack(gpu, () => instantiate(gpu, c, init));
        const ts = [...c.tensors.map((s) => ({ name: s.name, t: inst.t[s.name] })), ...scratch.map((t) => ({ name: t.name, t }))]
          .map((x, k): Poisoned => ({ ...x, word: poisonWord(k) }));
        poison(gpu, ts);
        runCase(inst);
        const v = await readValues(inst);
        const slack = await checkPoison(gpu, ts);
        release(inst);
        return { v, slack };
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
        name, outputs, ms, gpuError: error, bytesBefore, bytesAfter, slack,
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

    sizeRefusals() {
      const d0 = gpu.counters.dispatches;
      const refused = (f: () => unknown): string | null => {
        try {
          f();
          return null;
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
      };
      const a = gpu.tensor([2, 4], 'a'), b = gpu.tensor([4, 3], 'b'), out = gpu.tensor([2, 3], 'out'), bias = gpu.tensor([2], 'bias');
      const a3 = gpu.tensor([1, 2, 4], 'a3'), b3 = gpu.tensor([3, 4, 3], 'b3'), out3 = gpu.tensor([3, 2, 3], 'out3');
      const r = {
        bias: refused(() => gpu.matmul(out, a, b, { bias })),
        batchedA: refused(() => gpu.matmul(out3, a3, b3, { batch: 3 })),
        dispatches: gpu.counters.dispatches - d0,
      };
      for (const t of [a, b, out, bias, a3, b3, out3]) gpu.free(t);
      return r;
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
