// The WebAssembly SIMD kernels (kernels/wasm/as/, built by scripts/build-wasm.mjs) and the heap
// they share with the CPU backend's tensors.
//
// Memory: the module imports one WebAssembly.Memory made here when this file is first imported,
// sized once and never grown (growth would detach every Float32Array view of it). CpuBackend
// allocates its f32 tensors in it (`heapF32`), so the kernels read and write tensors in place, no
// copies; tensors that do not fit (or f64 ones) stay ordinary arrays, and the kernels copy them in
// (matmul) or leave the op to the TypeScript loops. Node compiles the module synchronously at
// import; pages fetch it in `loadWasm()` (CpuBackend.ready()). Until then, or without WebAssembly
// SIMD, `wasm()` is null and the CPU backend runs its TypeScript loops, which stay the reference.

export interface WasmKernels {
  packA(a: number, sAm: number, sAk: number, M: number, Ma: number, K: number, pa: number): void;
  packB(b: number, sBk: number, sBn: number, K: number, N: number, pb: number): void;
  gemmPacked(M: number, N: number, K: number, pa: number, pb: number, c: number, bias: number, act: number, alpha: number,
    y: number, gact: number, galpha: number, acc: number): void;
  gemmTiles(M: number, N: number, K: number, pa: number, pb: number, c: number, bias: number, act: number, alpha: number,
    y: number, gact: number, galpha: number, acc: number, ib0: number, ib1: number, jb0: number, jb1: number): void;
  adam(n: number, p: number, g: number, m: number, v: number, scale: number, lr: number, b1: number, b2: number, omb1: number, omb2: number,
    bc1: number, bc2: number, eps: number, wd: number, decoupled: number): void;
  sgd(n: number, p: number, g: number, m: number, scale: number, lr: number, momentum: number, nesterov: number, wd: number): void;
  recurrentStep(cell: number, G: number, t: number, B: number, T: number, H: number, xp: number, whh: number, bhh: number,
    hseq: number, hprev: number, cseq: number, gates: number, hlast: number, h0: number, c0: number, hp: number, pa: number, pb: number): void;
  recurrentStepBackward(cell: number, G: number, t: number, seqOut: number, B: number, T: number, H: number, whh: number,
    hseq: number, hprev: number, cseq: number, gates: number, c0: number, dout: number, dgx: number, dgh: number, carry: number,
    dh: number, pa: number, pb: number): void;
  attentionForward(B: number, T: number, D: number, heads: number, causal: number, qkv: number, out: number, lse: number, p: number, bh0: number, bh1: number): void;
  attentionBackward(B: number, T: number, D: number, heads: number, causal: number, qkv: number, dout: number, dqkv: number, P: number, dS: number,
    bh0: number, bh1: number): void;
  unary(op: number, n: number, x: number, y: number, alpha: number): void;
  unaryBackward(op: number, n: number, x: number, y: number, dy: number, dx: number, alpha: number): void;
  binary(op: number, n: number, m: number, a: number, b: number, out: number): void;
  binaryBackward(op: number, n: number, m: number, a: number, b: number, dy: number, da: number, db: number, dbAcc: number): void;
  im2col(g: number, x: number, col: number): void;
  col2im(g: number, dcol: number, dx: number): void;
  gatherBatch(B: number, rowBytes: number, start: number, n: number, indices: number, images: number, labels: number, x: number, y: number): void;
  pool2d(g: number, op: number, x: number, out: number, argmax: number): void;
  pool2dBackward(g: number, op: number, dy: number, argmax: number, dx: number): void;
  addInto(n: number, dst: number, src: number): void;
  sumRows(rows: number, N: number, x: number, out: number, accumulate: number, acc: number): void;
  layerNorm(rows: number, C: number, x: number, gamma: number, beta: number, eps: number, y: number, mean: number, rstd: number): void;
  layerNormBackward(rows: number, C: number, dy: number, x: number, mean: number, rstd: number, gamma: number,
    dx: number, dgamma: number, dbeta: number, acc: number): void;
}

/** Bytes below this belong to the module's own data (AssemblyScript's static segment). */
const HEAP_BASE = 65536;
const ALIGN = 64; // bytes; every block starts on a 64-byte boundary (SIMD loads, cache lines)

let kernels: WasmKernels | null = null;
let enabled = true;
let loading: Promise<boolean> | null = null;
let failure = '';

// The smallest module using a v128 instruction: validates only where WebAssembly SIMD exists.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
export function simdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/**
 * First-fit free list over [HEAP_BASE, size) with neighbours merged on free. Blocks are few and
 * large (a model's flat buffers and activations), so a sorted array is enough.
 */
class Heap {
  readonly f32: Float32Array;
  private free: { at: number; bytes: number }[];
  private used = new Map<number, number>();
  constructor(readonly memory: WebAssembly.Memory) {
    this.f32 = new Float32Array(memory.buffer);
    this.free = [{ at: HEAP_BASE, bytes: memory.buffer.byteLength - HEAP_BASE }];
  }
  alloc(bytes: number): number {
    const need = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const i = this.free.findIndex((b) => b.bytes >= need);
    if (i < 0) return -1;
    const b = this.free[i];
    const at = b.at;
    if (b.bytes === need) this.free.splice(i, 1);
    else this.free[i] = { at: b.at + need, bytes: b.bytes - need };
    this.used.set(at, need);
    return at;
  }
  release(at: number): void {
    const bytes = this.used.get(at);
    if (bytes === undefined) return;
    this.used.delete(at);
    let i = this.free.findIndex((b) => b.at > at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at, bytes });
    const next = this.free[i + 1];
    if (next && at + bytes === next.at) this.free.splice(i, 2, { at, bytes: bytes + next.bytes });
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.bytes === at) this.free.splice(i - 1, 2, { at: prev.at, bytes: prev.bytes + this.free[i].bytes });
  }
}

// Node (tsx, scripts/train.ts, the test runner) reads and compiles the module synchronously.
const nodeFs = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function'
  ? (process.getBuiltinModule('fs') as typeof import('fs')) : null;

/**
 * Whether the heap may be a shared WebAssembly.Memory, which the worker pool (pool.ts) needs: Node
 * always (CPU_SHARED=0 turns it off), a page or worker only when cross-origin isolated (COOP/COEP).
 */
function sharedAllowed(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (nodeFs) return process.env.CPU_SHARED !== '0';
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * The heap: 1 GiB reserved up front (pages are touched only when used), less where refused; shared
 * where allowed (then the kernels are the kernels-mt.wasm build, which imports a shared memory).
 */
function makeHeap(): Heap | null {
  if (!simdSupported()) return null;
  for (const shared of sharedAllowed() ? [true, false] : [false])
    for (const mib of [1024, 512, 256]) {
      try {
        return new Heap(new WebAssembly.Memory({ initial: mib * 16, maximum: mib * 16, shared }));
      } catch {
        // the address space is short (32-bit), or shared memory refused: try less, then unshared
      }
    }
  return null;
}
const heap = makeHeap();

/** True when the heap is a shared memory (SharedArrayBuffer), so worker threads can run kernels on it. */
export function heapShared(): boolean {
  return !!heap && typeof SharedArrayBuffer !== 'undefined' && heap.memory.buffer instanceof SharedArrayBuffer;
}
/** The build that matches the heap: kernels-mt.wasm imports a shared memory, kernels.wasm a plain one. */
const wasmFile = () => (heapShared() ? 'kernels-mt.wasm' : 'kernels.wasm');

let tensorsInHeap = true;
/** false: new tensors are plain arrays, which the kernels copy in and out (to measure that cost). */
export function setTensorsInHeap(on: boolean): void {
  tensorsInHeap = on;
}

/** A zeroed f32 array of n elements in the WASM heap, or null when the heap has no room. */
export function heapF32(n: number): Float32Array | null {
  if (!heap || !tensorsInHeap) return null;
  const at = heap.alloc(n * 4);
  if (at < 0) return null;
  const v = new Float32Array(heap.memory.buffer, at, n);
  v.fill(0);
  return v;
}

/** A zeroed u32 array of n elements in the WASM heap, or null when the heap has no room. */
export function heapU32(n: number): Uint32Array | null {
  const f = heapF32(n);
  return f && new Uint32Array(f.buffer, f.byteOffset, n);
}

const inHeap = (a: unknown): a is Float32Array | Uint32Array =>
  !!heap && (a instanceof Float32Array || a instanceof Uint32Array) && a.buffer === heap.memory.buffer;

/** Returns a heapF32/heapU32 array's block to the heap (anything else is ignored). */
export function heapFree(a: unknown): void {
  if (inHeap(a)) heap!.release(a.byteOffset);
}

/** Byte address of element `offset` of a heap array (f32 or u32), or −1 when the array is not in the heap. */
export function addressOf(a: unknown, offset: number): number {
  return inHeap(a) ? a.byteOffset + offset * 4 : -1;
}

/** Scratch blocks of the heap for one op's packed operands or copies, returned by `done()`. */
export class Scratch {
  private blocks: number[] = [];
  /** Byte address of n floats, or −1 when the heap is full. */
  alloc(n: number): number {
    const at = heap ? heap.alloc(n * 4) : -1;
    if (at >= 0) this.blocks.push(at);
    return at;
  }
  /** Byte address of the n elements of `a` from `from`: in place when in the heap, else a copy (−1: no room). */
  use(a: Float32Array, from: number, n: number): number {
    const at = addressOf(a, from);
    if (at >= 0) return at;
    const c = this.alloc(n);
    if (c >= 0) heap!.f32.set(a.subarray(from, from + n), c >> 2);
    return c;
  }
  done(): void {
    for (const b of this.blocks) heap!.release(b);
    this.blocks = [];
  }
}

/** The heap's f32 view (for copying results out of scratch blocks). */
export function heapView(): Float32Array {
  return heap!.f32;
}

/** The kernels when loaded and enabled, else null (the caller then runs its TypeScript loops). */
export function wasm(): WasmKernels | null {
  return enabled ? kernels : null;
}

/** Turns the WASM kernels off (true: back on); tests compare both paths on one backend. */
export function setWasmEnabled(on: boolean): void {
  enabled = on;
}

/** Why the kernels are not loaded ('' when they are, or before a load was tried). */
export function wasmFailure(): string {
  return failure;
}

let compiled: WebAssembly.Module | null = null;
function instantiate(module: WebAssembly.Module): void {
  kernels = new WebAssembly.Instance(module, { env: { memory: heap!.memory, abort: () => { throw new Error('wasm abort'); } } }).exports as unknown as WasmKernels;
  compiled = module;
}

/** What a worker thread needs to run the same kernels on the same heap: null unless loaded over a shared heap. */
export function threadParts(): { module: WebAssembly.Module; memory: WebAssembly.Memory } | null {
  return compiled && heapShared() ? { module: compiled, memory: heap!.memory } : null;
}

// Node: compile at import, so a CpuBackend made with `new` uses the kernels from its first step.
// Browsers never take this path.
if (!heap) failure = 'this WebAssembly has no SIMD (or no memory for its heap)';
else if (nodeFs && process.env.CPU_WASM !== '0') {
  try {
    instantiate(new WebAssembly.Module(nodeFs.readFileSync(new URL(`./build/${wasmFile()}`, import.meta.url))));
  } catch (e) {
    failure = `kernels/wasm/build/${wasmFile()} did not load (${e instanceof Error ? e.message : e}); run node scripts/build-wasm.mjs`;
  }
}

/**
 * Loads the kernels once; resolves true when they are usable. Browsers: the vite build resolves the
 * `new URL(…, import.meta.url)` to its asset; pages bundled otherwise (esbuild, the bench and test
 * pages) find the copy that the build puts in public/wasm/.
 */
export function loadWasm(): Promise<boolean> {
  if (kernels || failure) return Promise.resolve(!!kernels);
  loading ??= (async () => {
    // Literal paths, so that the vite build finds and emits both assets.
    const built = heapShared() ? new URL('./build/kernels-mt.wasm', import.meta.url) : new URL('./build/kernels.wasm', import.meta.url);
    const urls = [built.href];
    if (typeof location !== 'undefined') urls.push(new URL(`wasm/${wasmFile()}`, location.href).href);
    for (const url of urls) {
      try {
        const res = await fetch(url);
        if (!res.ok) continue;
        instantiate(await WebAssembly.compile(await res.arrayBuffer()));
        return true;
      } catch (e) {
        failure = `${url}: ${e instanceof Error ? e.message : e}`;
      }
    }
    failure ||= `no kernels.wasm at ${urls.join(' or ')}`;
    return false;
  })();
  return loading;
}
