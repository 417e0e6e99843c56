// The worker pool of the WASM kernels: N − 1 workers (worker_threads in Node, Web Workers in a
// page) each instantiate the same module over the same shared heap (runtime.ts), so a kernel call
// is just its name and numbers (byte addresses, sizes). The calling thread is thread 0: `parallel`
// hands thread t its list of calls through a SharedArrayBuffer, wakes the workers, runs its own
// share and sleeps in Atomics.wait until the last worker is done. Workers sleep in Atomics.wait
// between calls; nothing spins. Callers split work into disjoint outputs (GEMM tiles, attention
// heads), so results equal the one-thread run bit for bit.
//
// One thread, automatically, where the heap is not shared (a page without cross-origin isolation,
// CPU_SHARED=0), where workers cannot be made, or on a page's main thread (Atomics.wait is refused
// there; only the bench page opts in, spinning instead): callers then give thread 0 everything.
import { threadParts, type WasmKernels } from './runtime.ts';

/** An exported kernel and its arguments. */
export type Call = [name: keyof WasmKernels, ...args: number[]];

const MAX_THREADS = 16;
const CALLS = 4; // calls per thread per round
const ARGS = 30; // numbers per call
const SLOT = 1 + CALLS * (2 + ARGS); // f64s per thread: count, then [fn, nargs, args…] per call
const BASE = 16; // f64 index of thread 0's slot; Int32 0 … 31 are the header
// Int32 header: 0 generation, 1 workers still running, 2 failed thread + 1, 3 shutting down; 4 + t: calls run by thread t.
const GEN = 0, PENDING = 1, FAILED = 2, STOP = 3, WORK = 4;
const HEADER_INTS = 2 * BASE; // ints before the f64 slots (WORK + MAX_THREADS must fit: checked below)

// The worker's whole program, as plain JavaScript (one source for Node and pages, no bundler step).
function threadMain(d: { module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: SharedArrayBuffer; tid: number }, ready: () => void): void {
  const inst = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort: () => { throw new Error('wasm abort'); } } });
  const ex = inst.exports as Record<string, (...a: number[]) => void>;
  const fns = WebAssembly.Module.exports(d.module).filter((e) => e.kind === 'function').map((e) => ex[e.name]);
  const I = new Int32Array(d.ctrl), F = new Float64Array(d.ctrl);
  const base = 16 + d.tid * (1 + 4 * 32); // BASE, SLOT
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(I, 0, seen);
    seen = Atomics.load(I, 0);
    if (Atomics.load(I, 3)) return;
    const n = F[base];
    if (n === 0) continue; // not in this round
    try {
      for (let c = 0; c < n; c++) {
        const o = base + 1 + c * 32;
        const args: number[] = [];
        for (let i = 0; i < F[o + 1]; i++) args.push(F[o + 2 + i]);
        fns[F[o]](...args);
      }
      Atomics.add(I, 4 + d.tid, n);
    } catch (e) {
      console.error(`WASM kernel thread ${d.tid}:`, e);
      Atomics.store(I, 2, d.tid + 1);
    }
    F[base] = 0; // cleared before the round ends, so a late wake-up never runs it twice
    if (Atomics.sub(I, 1, 1) === 1) Atomics.notify(I, 1);
  }
}
if (SLOT !== 1 + 4 * 32 || BASE !== 16 || WORK + MAX_THREADS > HEADER_INTS) throw new Error('pool.ts: threadMain hard-codes the slot layout');

// `__name`: what esbuild's keepNames (tsx) may wrap a function in; the worker has no such helper.
const NODE_SRC = `const __name = (f) => f; const { workerData, parentPort } = require('node:worker_threads');
(${threadMain.toString()})(workerData, () => parentPort.postMessage('ready'));`;
const WEB_SRC = `const __name = (f) => f; self.onmessage = (e) => (${threadMain.toString()})(e.data, () => self.postMessage('ready'));`;

interface Handle { terminate(): unknown; unref?(): void }

let workers: Handle[] = [];
let ctrl: SharedArrayBuffer | null = null;
let I: Int32Array | null = null;
let F: Float64Array | null = null;
let why = 'one thread until the pool starts';
let minWork = 1 << 18;
// A round whose workers make no progress for this long means a thread died (killed, out of memory):
// the caller stops waiting, says so, and the pool is dropped for one thread. A worker's share of
// one round is a slice of one kernel call, far under this even on a slow machine.
let stallMs = 60_000;
let starting: Promise<number> | null = null;

const isNode = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function';
/** A page's main thread: Atomics.wait throws there, so the pool runs on it only when setThreads allows it. */
const onPageMainThread = () => !isNode && typeof document !== 'undefined';

let requested = 1;
let mainThreadOk = false;
/**
 * The threads CPU backends should use (the training worker: navigator.hardwareConcurrency, capped;
 * the CLI: os.availableParallelism() or --threads); the pool starts in CpuBackend.ready().
 * pageMainThread: let the pool run on a page's main thread, which cannot Atomics.wait, so it spins
 * on the count of running workers while they finish their share (only the bench page, whose
 * peer tfjs-wasm runs there too; the app trains in a worker and never sets it).
 */
export function setThreads(n: number, opts: { pageMainThread?: boolean } = {}): void {
  requested = Math.max(1, Math.min(MAX_THREADS, Math.floor(n) || 1));
  mainThreadOk = !!opts.pageMainThread;
}
export function requestedThreads(): number {
  return requested;
}

/** Threads the kernels run on now (1 without a pool). */
export function threadCount(): number {
  return workers.length + 1;
}

/** Why the kernels run on one thread ('' when the pool runs). */
export function threadsReason(): string {
  return workers.length ? '' : why;
}

/** Multiply-adds below which a GEMM stays on one thread (waking workers costs tens of µs); tests set 0. */
export function setMinParallelWork(n: number): void {
  minWork = n;
}
export function minParallelWork(): number {
  return minWork;
}

/** How long a round may make no progress before its workers count as dead (tests shorten it). */
export function setStallMs(ms: number): void {
  stallMs = ms;
}

/** Ends worker thread t (1-based) without telling the pool, as a crash would; for tests of the stall check. */
export function crashWorkerForTest(t: number): Promise<unknown> {
  return Promise.resolve(workers[t - 1]?.terminate());
}

/** Calls run by each thread since the pool started (thread 0 is the caller). */
export function threadWork(): number[] {
  return Array.from({ length: threadCount() }, (_, t) => (I ? Atomics.load(I, WORK + t) : 0));
}

async function spawn(tid: number, parts: NonNullable<ReturnType<typeof threadParts>>, shared: SharedArrayBuffer): Promise<Handle> {
  const data = { ...parts, ctrl: shared, tid };
  if (isNode) {
    const { Worker } = process.getBuiltinModule('worker_threads') as typeof import('worker_threads');
    const w = new Worker(NODE_SRC, { eval: true, workerData: data });
    await new Promise<void>((ok, no) => {
      w.once('message', () => ok());
      w.once('error', no);
    });
    w.unref(); // a pool asleep in Atomics.wait never keeps Node running
    return w;
  }
  const url = URL.createObjectURL(new Blob([WEB_SRC], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  await new Promise<void>((ok, no) => {
    w.onmessage = () => ok();
    w.onerror = (e) => no(new Error(e.message || 'a kernel thread failed to start'));
    w.postMessage(data);
  });
  return w;
}

/**
 * Starts the pool with n threads in all (the caller and n − 1 workers), after the kernels have
 * loaded (CpuBackend.ready()). Resolves to the threads in use: 1, with `threadsReason()`, where a
 * pool cannot run. A pool already running with another count is stopped first.
 */
export function startThreads(n: number): Promise<number> {
  const want = Math.max(1, Math.min(MAX_THREADS, Math.floor(n) || 1));
  if (starting) return starting.then(() => (threadCount() === want ? want : startThreads(want)));
  if (threadCount() === want) return Promise.resolve(want);
  starting = (async () => {
    await stopThreads();
    const parts = threadParts();
    if (want === 1) why = 'one thread asked for';
    else if (!parts) why = 'one thread: no shared memory (the page is not cross-origin isolated)';
    else if (onPageMainThread() && !mainThreadOk) why = 'one thread: the page\'s main thread cannot wait';
    else if (!isNode && typeof Worker === 'undefined') why = 'one thread: no Worker here';
    else {
      ctrl = new SharedArrayBuffer((BASE + MAX_THREADS * SLOT) * 8);
      I = new Int32Array(ctrl);
      F = new Float64Array(ctrl);
      try {
        workers = await Promise.all(Array.from({ length: want - 1 }, (_, t) => spawn(t + 1, parts, ctrl!)));
      } catch (e) {
        await stopThreads();
        why = `one thread: a worker did not start (${e instanceof Error ? e.message : e})`;
      }
    }
    return threadCount();
  })();
  return starting.finally(() => (starting = null));
}

/** Stops the workers (the kernels go on, on one thread). */
export async function stopThreads(): Promise<void> {
  if (I && workers.length) {
    Atomics.store(I, STOP, 1);
    Atomics.add(I, GEN, 1);
    Atomics.notify(I, GEN);
  }
  const ws = workers;
  workers = [];
  await Promise.all(ws.map((w) => w.terminate()));
  why = 'one thread: the pool was stopped';
}

/**
 * Runs tasks[t] on thread t (tasks[0] on this one, with `own`, this thread's kernels) and returns
 * when all are done. tasks may be shorter than threadCount(); a thread with no calls sleeps on.
 */
export function parallel(own: WasmKernels, tasks: Call[][]): void {
  if (tasks.length > threadCount()) throw new Error(`parallel: ${tasks.length} tasks for ${threadCount()} threads`);
  let running = 0;
  for (let t = 1; t < tasks.length; t++) {
    const calls = tasks[t];
    if (!calls.length) continue;
    if (calls.length > CALLS) throw new Error(`parallel: thread ${t} has ${calls.length} calls, at most ${CALLS}`);
    const base = BASE + t * SLOT;
    calls.forEach(([name, ...args], c) => {
      if (args.length > ARGS) throw new Error(`parallel: ${name} has ${args.length} arguments, at most ${ARGS}`);
      const o = base + 1 + c * (2 + ARGS);
      F![o] = fnIndex(name);
      F![o + 1] = args.length;
      F!.set(args, o + 2);
    });
    F![base] = calls.length;
    running++;
  }
  if (running) {
    Atomics.store(I!, PENDING, running);
    Atomics.add(I!, GEN, 1);
    Atomics.notify(I!, GEN);
  }
  let err: unknown = null;
  try {
    for (const [name, ...args] of tasks[0] ?? []) (own[name] as (...a: number[]) => void)(...args);
  } catch (e) {
    err = e;
  }
  if (I) Atomics.add(I, WORK, tasks[0]?.length ?? 0);
  if (!running) {
    if (err) throw err;
    return;
  }
  if (onPageMainThread()) while (Atomics.load(I!, PENDING) !== 0); // bounded by the workers' share (setThreads pageMainThread)
  else for (let v = Atomics.load(I!, PENDING); v !== 0; v = Atomics.load(I!, PENDING))
    if (Atomics.wait(I!, PENDING, v, stallMs) === 'timed-out' && Atomics.load(I!, PENDING) === v) {
      const ws = workers;
      workers = [];
      why = `one thread: ${v} kernel thread${v === 1 ? '' : 's'} stopped answering`;
      for (const w of ws) void w.terminate();
      throw new Error(`the CPU backend's kernel threads stopped answering for ${stallMs / 1000} s (${v} of ${ws.length}); the next run uses one thread`);
    }
  const failed = Atomics.exchange(I!, FAILED, 0);
  if (err) throw err;
  if (failed) throw new Error(`a WASM kernel failed on thread ${failed - 1} (its console has the message)`);
}

let names: string[] | null = null;
function fnIndex(name: string): number {
  names ??= WebAssembly.Module.exports(threadParts()!.module).filter((e) => e.kind === 'function').map((e) => e.name);
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`parallel: the module has no kernel ${name}`);
  return i;
}

/** [from, to) of part t of n items split into `parts` near-equal ranges. */
export function share(n: number, parts: number, t: number): [number, number] {
  return [Math.floor((n * t) / parts), Math.floor((n * (t + 1)) / parts)];
}
