// The house rules of issue 18, checked on the tree: small files, one door from the page into the
// engine, one home per layer kind, and no hand-numbered WGSL bindings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const MAX_LINES = 450;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...walk(rel));
    else if (/\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(rel);
  }
  return out;
}

const sources = [...walk('app'), ...walk('kernels')];
const text = new Map(sources.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));

test(`no source file in app/ or kernels/ is over ${MAX_LINES} lines`, () => {
  const long = sources
    .map((f) => [f, text.get(f)!.split('\n').length - (text.get(f)!.endsWith('\n') ? 1 : 0)] as const)
    .filter(([, n]) => n > MAX_LINES)
    .map(([f, n]) => `${f}: ${n} lines`);
  assert.deepEqual(long, []);
});

test('only app/engine.ts and the worker entry import from kernels/', () => {
  const doors = new Set(['app/engine.ts', 'app/training/worker.ts']);
  const offenders = sources
    .filter((f) => f.startsWith('app/') && !doors.has(f))
    .filter((f) => /(from|import)\s*\(?\s*['"](\.\.\/)+kernels\//.test(text.get(f)!));
  assert.deepEqual(offenders, []);
});

// The registry file of a kind, the registry's list and one more place at most; presets and
// test helpers aside.
const KINDS = [
  'dense', 'activation', 'dropout', 'flatten', 'residual', 'embedding', 'lstm', 'gru', 'rnn', 'conv2d', 'maxpool2d',
  'avgpool2d', 'globalavgpool', 'batchnorm', 'layernorm', 'posenc', 'transformer', 'patches', 'unembed',
];

test('each layer kind is spelled as a string literal in at most 3 source files', () => {
  const counted = sources.filter((f) => !/preset/i.test(f) && !f.startsWith('kernels/testing/') && !f.endsWith('/cases.ts'));
  const over: string[] = [];
  for (const k of KINDS) {
    const re = new RegExp(`['"\`]${k}['"\`]`);
    const files = counted.filter((f) => re.test(text.get(f)!));
    if (files.length > 3) over.push(`${k}: ${files.length} files (${files.join(', ')})`);
  }
  assert.deepEqual(over, []);
});

test('no WGSL binding is numbered by hand outside the bindings generator', () => {
  let total = 0;
  const offenders: string[] = [];
  for (const f of sources) {
    const n = (text.get(f)!.match(/@binding\(\d/g) ?? []).length;
    total += n;
    if (n && !/bindings/.test(relative('kernels', f))) offenders.push(`${f}: ${n}`);
  }
  assert.deepEqual(offenders, []);
  assert.ok(total <= 5, `${total} numbered @binding lines in all`);
});
