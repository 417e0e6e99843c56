// Builds the WebAssembly SIMD kernels (kernels/wasm/as/*.ts, AssemblyScript) into
// kernels/wasm/build/kernels.wasm. Run by postinstall; nothing generated is committed.
// AssemblyScript: typed source close to the engine's TypeScript, v128 intrinsics, a maintained
// compiler on npm (no native toolchain to install).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'kernels/wasm/build');
mkdirSync(out, { recursive: true });
const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
if (!existsSync(asc)) {
  // An install without dev dependencies: the CPU backend then runs its TypeScript loops.
  console.warn('build-wasm: assemblyscript is not installed; the CPU backend will run without its WebAssembly SIMD kernels');
  process.exit(0);
}
const common = ['kernels/wasm/as/index.ts', '-O3', '--noAssert', '--runtime', 'stub'];
// kernels.wasm: a plain memory, for pages that are not cross-origin isolated (one thread).
execFileSync(process.execPath, [
  asc, ...common, '-o', 'kernels/wasm/build/kernels.wasm', '--enable', 'simd',
  '--importMemory', // the heap made by kernels/wasm/runtime.ts, shared with the CPU backend's tensors
], { cwd: root, stdio: 'inherit' });
// kernels-mt.wasm: the same kernels over a shared memory (at most 1 GiB = 16384 pages, the heap
// runtime.ts reserves), which every thread of kernels/wasm/pool.ts instantiates. A module that
// imports a shared memory cannot take a plain one, hence two builds.
execFileSync(process.execPath, [
  asc, ...common, '-o', 'kernels/wasm/build/kernels-mt.wasm', '--enable', 'simd,threads',
  '--importMemory', '--sharedMemory', '--maximumMemory', '16384',
], { cwd: root, stdio: 'inherit' });
// Pages bundled by esbuild (the bench and the browser tests) serve public/ only: a copy goes there.
mkdirSync(join(root, 'public/wasm'), { recursive: true });
for (const f of ['kernels.wasm', 'kernels-mt.wasm']) copyFileSync(join(out, f), join(root, 'public/wasm', f));
console.log('build-wasm: kernels/wasm/build/kernels{,-mt}.wasm and their copies in public/wasm/');
