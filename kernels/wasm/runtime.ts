// Loads the WebAssembly SIMD kernels (kernels/wasm/as/, built by scripts/build-wasm.mjs) and hands
// out scratch memory in their heap. In Node the module loads synchronously when this file is first
// imported; in a page or worker, `loadWasm()` (called by CpuBackend.ready()) fetches it. Until it
// is loaded, or where WebAssembly SIMD is missing, `wasm()` is null and the CPU backend runs its
// plain-TypeScript loops, which stay the reference.

export interface WasmKernels {
  memory: WebAssembly.Memory;
  packA(a: number, sAm: number, sAk: number, M: number, Ma: number, K: number, pa: number): void;
  packB(b: number, sBk: number, sBn: number, K: number, N: number, pb: number): void;
  gemmPacked(M: number, N: number, K: number, pa: number, pb: number, c: number, bias: number, act: number, alpha: number,
    y: number, gact: number, galpha: number, acc: number): void;
}

/** Bytes below this belong to the module's own data; the arena starts here. */
const HEAP_BASE = 65536;
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

function instantiate(module: WebAssembly.Module): void {
  kernels = new WebAssembly.Instance(module, {}).exports as unknown as WasmKernels;
}

// Node (tsx, scripts/train.ts, the test runner): read and compile synchronously at import, so a
// CpuBackend made with `new` uses the kernels from its first step. Browsers never take this path.
const nodeFs = typeof process !== 'undefined' && typeof process.getBuiltinModule === 'function'
  ? (process.getBuiltinModule('fs') as typeof import('fs')) : null;
if (nodeFs && simdSupported() && process.env.CPU_WASM !== '0') {
  try {
    instantiate(new WebAssembly.Module(nodeFs.readFileSync(new URL('./build/kernels.wasm', import.meta.url))));
  } catch (e) {
    failure = `kernels/wasm/build/kernels.wasm did not load (${e instanceof Error ? e.message : e}); run node scripts/build-wasm.mjs`;
  }
}

/**
 * Loads the kernels once; resolves true when they are usable. Browsers: the vite build resolves the
 * `new URL(…, import.meta.url)` to its asset; pages bundled otherwise (esbuild, the bench and test
 * pages) find the copy that the build puts in public/wasm/.
 */
export function loadWasm(): Promise<boolean> {
  if (kernels || failure) return Promise.resolve(!!kernels);
  if (!simdSupported()) {
    failure = 'this WebAssembly has no SIMD';
    return Promise.resolve(false);
  }
  loading ??= (async () => {
    const urls = [new URL('./build/kernels.wasm', import.meta.url).href];
    if (typeof location !== 'undefined') urls.push(new URL('wasm/kernels.wasm', location.href).href);
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

/**
 * A bump arena over the module's memory, reset by each op: `alloc` returns byte offsets (16-byte
 * aligned); `f32()` is a view over the whole memory, made again after the memory grows (growth
 * detaches the old views).
 */
export class Arena {
  private top = HEAP_BASE;
  private view: Float32Array;
  constructor(private readonly k: WasmKernels) {
    this.view = new Float32Array(k.memory.buffer);
  }
  reset(): void {
    this.top = HEAP_BASE;
  }
  alloc(floats: number): number {
    const p = this.top;
    this.top += Math.ceil(floats / 4) * 16;
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / 65536));
    return p;
  }
  /** Copies src into a fresh block; returns its byte offset. */
  put(src: ArrayLike<number> & { subarray?: unknown }, from: number, n: number): number {
    const p = this.alloc(n);
    this.f32().set((src as Float32Array).subarray(from, from + n), p >> 2);
    return p;
  }
  f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }
}
