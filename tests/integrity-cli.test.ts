// Issue 19, the CLI trainer's doors: a --spec file and a --weights file pass the same checks as a
// share link and a file loaded in the page, before any browser starts (exit 2, the reason named);
// a good checkpoint is loaded by the session in the browser and training goes on from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeSafetensors } from '../kernels/io/safetensors.ts';
import { describeParams } from '../kernels/nn/model.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { datasetInfo, resolveLayers } from '../kernels/model/shapes.ts';

const root = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'integrity-cli-'));
const train = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'train.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
const file = (name: string, data: string | Uint8Array) => {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
};

const spec = presetSpec('mlp-mnist-small');
const params = describeParams(resolveLayers(spec), datasetInfo(spec).inputShape);
const weights = (f: (name: string, shape: number[]) => number[] = (_, s) => s) =>
  encodeSafetensors(params.map((p) => ({ name: p.name, shape: f(p.name, p.shape), data: Float32Array.from({ length: f(p.name, p.shape).reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * 0.01) })), { step: '0' });

test('bad spec and weights files are refused before the browser starts, with the reason', () => {
  const text = JSON.stringify(spec);
  const huge = presetSpec('cnn-mnist-small');
  huge.train.batchSize = 4096;
  huge.layers.splice(1, 0, { kind: 'conv2d', filters: 512, kernel: 3, padding: 'same', activation: 'relu' });
  const cases: [string[], RegExp][] = [
    [['--spec', file('deep.json', '['.repeat(100_000))], /spec .*deep\.json nests deeper than 24 levels/],
    [['--spec', file('v.json', text.replace('"version":1', '"version":1e0'))], /version: must be written as a whole number such as 1, but spec .*v\.json has 1e0/],
    [['--spec', file('bad.json', '{"version":1,')], /v?bad\.json is corrupt \(not valid JSON\)/],
    [['--spec', file('huge.json', JSON.stringify(huge))], /over the memory budget of 2\.00 GiB .*Layer 2 \(Conv2D, 512 filters\) needs about/],
    [['--preset', 'mlp-mnist-small', '--weights', file('short.safetensors', new Uint8Array(5))], /weights .*short\.safetensors: Not a usable weights file: it is 5 bytes long/],
    [['--preset', 'mlp-mnist-small', '--weights', file('shape.safetensors', weights((n, s) => (n === 'layers.1.W' ? [784, 64] : s)))],
      /shape\.safetensors: These weights do not fit the current model, so nothing was changed: Layer 2 \(Dense\) weights: shape 784×128 expected, file has 784×64/],
    [['--preset', 'mlp-mnist-small', '--weights', file('nan.safetensors', (() => { const w = weights(); w[w.length - 2] = 0xc0; w[w.length - 1] = 0x7f; return w; })())],
      /These weights hold values that cannot be right, so nothing was changed: Layer 3 \(Dense\) bias: NaN at index 9/],
    [['--preset', 'mlp-mnist-small', '--weights', join(tmp, 'absent.safetensors')], /cannot read weights .*absent\.safetensors/],
  ];
  for (const [args, re] of cases) {
    const t0 = performance.now();
    const r = train(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.ok(performance.now() - t0 < 30_000, 'refused before any browser started');
  }
});

test('a good --weights file is loaded by the session in the browser and training goes on', { timeout: 240_000 }, () => {
  const r = train('--preset', 'mlp-mnist-small', '--backend', 'cpu', '--weights', file('good.safetensors', weights()), '--steps', '2', '--eval-every', '2', '--train-limit', '256', '--test-limit', '100', '--json');
  assert.equal(r.status, 0, r.stderr);
  const fin = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((l) => l.final);
  assert.equal(fin.steps, 2);
});
