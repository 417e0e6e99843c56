// The headless trainer's command line: bad input exits non-zero with the reason; a short real run
// prints one JSON line per evaluation and a final line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..');
const train = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'train.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

test('bad flags and specs exit non-zero with the reason', () => {
  const cases: [string[], RegExp][] = [
    [['--preset', 'nope'], /unknown preset "nope"; known: mlp-mnist, mlp-mnist-small/],
    [['--preset', 'mlp-mnist-small', '--lr', 'fast'], /--lr must be a number, got "fast"/],
    [['--preset', 'mlp-mnist-small', '--batch', '0'], /train\.batchSize: must be an integer between 1 and 4096, got 0/],
    [['--preset', 'mlp-mnist-small', '--bogus'], /Unknown option '--bogus'/],
    [['--preset', 'mlp-mnist-small', '--backend', 'tpu'], /--backend must be webgpu or cpu/],
    [[], /give exactly one of --preset NAME/],
    [['--spec', '/nonexistent.json'], /cannot read spec \/nonexistent\.json/],
  ];
  for (const [args, re] of cases) {
    const r = train(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}`);
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('a short WebGPU run prints evaluation lines and a final line', { timeout: 240_000 }, () => {
  const r = train('--preset', 'mlp-mnist-small', '--steps', '40', '--eval-every', '20', '--train-limit', '2560', '--test-limit', '500', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const evals = lines.filter((l) => !l.final);
  const fin = lines.find((l) => l.final);
  assert.deepEqual(evals.map((e) => e.step), [20, 40]);
  for (const k of ['step', 'epoch', 'loss', 'train_accuracy', 'test_accuracy', 'samples_per_s', 'backend', 'adapter', 'dispatches_per_step', 'submits_per_step'])
    assert.ok(k in evals[1], `missing ${k}`);
  assert.equal(evals[1].backend, 'webgpu');
  assert.equal(evals[1].submits_per_step, 1);
  assert.ok(evals[1].test_accuracy > 0.6, `test accuracy ${evals[1].test_accuracy}`);
  assert.equal(fin.steps, 40);
  assert.equal(fin.reason, 'finished');
  assert.equal(fin.submits_per_step, 1);
});
