// `npm test`: every test, under node's test runner. Unit tests (CPU backend, spec, PyTorch oracle)
// first, then the WebGPU tests in headless Chromium, then the end-to-end tests of the built page.
// Files run one at a time: the browser tests share two cores with SwiftShader.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const list = (dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
const filter = process.argv.slice(2);
let files = [...list('tests'), ...list('e2e')];
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
const env = { ...process.env };
if (files.some((f) => f.startsWith('e2e')) && !env.E2E_DIST) {
  // One production build for every end-to-end file (they test what `npm run build` ships).
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
  env.E2E_DIST = join(root, 'dist');
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit', env });
process.exit(r.status ?? 1);
