// `npm run bench:node:bundle`: what the GPU machine needs besides .gpu/ (../shared/tools/gpu-carry.sh),
// in dist-bench/ (git-ignored, so a device run names it in `carry`):
//   bench-node.mjs   scripts/bench-node.ts and the engine in one ESM file for Node (esbuild);
//                    dawn.node is not in it: there it is loaded from $DAWN_NODE (.gpu/env.sh)
//   torch_bench.py   the PyTorch side, found next to the bundle
//   table.mjs        scripts/bench-node/table.ts: the JSON lines as BENCHMARKS.md's table rows
//   build.json       provenance: the commit the bundle was built from, whether the tree had changes, when
//   gpu-all.sh is not here: it is tracked (scripts/bench-node/gpu-all.sh) and travels with the tree
//   mnist/           the first MNIST_N training and 256 test images as idx files: public/mnist is
//                    git-ignored and 55 MB, so it does not travel; the benchmark uses no others
//                    (MNIST_N = 2,048 is 4 batches at --batch 512, the largest bench:node takes)
// Then checks that the working tree plus .gpu/ and dist-bench/ fit the 64 MiB a device run takes.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MNIST_N } from '../bench/data.ts';
import { findMnistDir, readMnist, writeMnistSubset } from './mnist.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'dist-bench');
const LIMIT = 64 * 1024 * 1024;

function du(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.size;
  return readdirSync(p).reduce((t, f) => t + du(join(p, f)), 0);
}
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const r = await build({
  entryPoints: [join(ROOT, 'scripts', 'bench-node.ts')],
  outfile: join(OUT, 'bench-node.mjs'),
  bundle: true, platform: 'node', format: 'esm', target: 'node20',
  external: ['webgpu'], // loaded only without DAWN_NODE, from node_modules
  logLevel: 'warning',
  legalComments: 'none',
  // TensorFlow.js (the second peer) is CommonJS and requires Node built-ins: give the ESM bundle a require.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
if (r.errors.length) process.exit(1);
const t = await build({
  entryPoints: [join(ROOT, 'scripts', 'bench-node', 'table.ts')], outfile: join(OUT, 'table.mjs'),
  bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', legalComments: 'none',
});
if (t.errors.length) process.exit(1);
const git = (...args: string[]): string => { try { return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return ''; } };
writeFileSync(join(OUT, 'build.json'), `${JSON.stringify({ commit: git('rev-parse', 'HEAD'), branch: git('rev-parse', '--abbrev-ref', 'HEAD'), changed_files: git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length, built: new Date().toISOString() })}\n`);
copyFileSync(join(ROOT, 'scripts', 'bench-node', 'torch_bench.py'), join(OUT, 'torch_bench.py'));
const src = findMnistDir([join(ROOT, 'public', 'mnist')]);
if (!src) {
  console.error('bench:node:bundle: public/mnist is missing: run `npm install` first');
  process.exit(1);
}
writeMnistSubset(readMnist(src), join(OUT, 'mnist'), MNIST_N, 256);

// What a device run sends: tracked and untracked-not-ignored files, plus the carried paths.
const tree = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
  .split('\0').filter(Boolean).reduce((t, f) => t + du(join(ROOT, f)), 0);
const gpu = du(join(ROOT, '.gpu')), bench = du(OUT);
const total = tree + gpu + bench;
console.log(`bench:node:bundle: dist-bench/ ${mib(bench)} (bench-node.mjs ${mib(du(join(OUT, 'bench-node.mjs')))}, mnist/ ${mib(du(join(OUT, 'mnist')))}); ` +
  `.gpu/ ${existsSync(join(ROOT, '.gpu')) ? mib(gpu) : 'absent (run ../shared/tools/gpu-carry.sh for the GPU machine)'}; working tree ${mib(tree)}; ` +
  `total ${mib(total)} of the 64 MiB a device run takes${total > LIMIT ? ': TOO BIG' : ''}`);
if (total > LIMIT) process.exit(1);
