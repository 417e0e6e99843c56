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
execFileSync(process.execPath, [
  asc, 'kernels/wasm/as/index.ts',
  '-o', 'kernels/wasm/build/kernels.wasm',
  '-O3', '--noAssert', '--runtime', 'stub', '--enable', 'simd',
  '--importMemory', // the heap made by kernels/wasm/runtime.ts, shared with the CPU backend's tensors
], { cwd: root, stdio: 'inherit' });
// Pages bundled by esbuild (the bench and the browser tests) serve public/ only: a copy goes there.
mkdirSync(join(root, 'public/wasm'), { recursive: true });
copyFileSync(join(out, 'kernels.wasm'), join(root, 'public/wasm/kernels.wasm'));
console.log('build-wasm: kernels/wasm/build/kernels.wasm and public/wasm/kernels.wasm');
