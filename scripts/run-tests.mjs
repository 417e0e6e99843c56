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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
