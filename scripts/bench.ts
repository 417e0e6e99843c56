// Side-by-side benchmark: `npm run bench -- [--json] [--quick] [--cpu] [--only REGEX]`.
// In headless Chromium on one WebGPU adapter, measures this engine and TensorFlow.js on the same
// work: matmul, conv2d forward/backward, and the training step of four reference models (ours on
// WebGPU vs tfjs-webgpu; then ours on the CPU vs tfjs's 'cpu' and 'wasm' backends). One line per
// item: ours, peer, ratio (ours / peer, higher is better for us), unit, and our dispatches,
// submissions and bytes uploaded per step. --quick: fewer repetitions, no n = 2048, no CPU part
// (--cpu adds it back). --json: one JSON object per line. See BENCHMARKS.md.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launch, ROOT } from './lib/browser.ts';
import { benchPage } from './bench/page.ts';

const { values: a } = parseArgs({
  options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, cpu: { type: 'boolean' }, only: { type: 'string' } },
});
const cfg = { quick: !!a.quick, cpu: !!a.cpu, only: a.only };
const started = Date.now();

/** Three significant digits (whole numbers from 1,000 on). */
const num = (v: unknown): string => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 1000 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  return v === 0 ? '0' : Number(v.toPrecision(3)).toString();
};
let failures = 0;

function print(r: Record<string, unknown>): void {
  if (r.fatal) {
    failures++;
    process.exitCode = 1;
    console.error(`bench: ${r.fatal}`);
    return;
  }
  if (a.json) {
    console.log(JSON.stringify(r));
    return;
  }
  if (r.meta) {
    console.log(`bench${r.quick ? ' --quick' : ''}: adapter ${r.adapter}; tfjs ${r.tfjs}; crossOriginIsolated ${r.crossOriginIsolated}; ${r.hardwareConcurrency} hardware threads`);
    console.log(`${'item'.padEnd(34)} ${'ours'.padStart(9)} ${'peer'.padStart(9)} ${'ratio'.padStart(7)}  ${'unit'.padEnd(10)} ${'peer backend'.padEnd(13)} ${'disp/step'.padStart(9)} ${'subm/step'.padStart(9)} ${'bytes up/step'.padStart(13)}`);
    return;
  }
  const step = r.unit === 'samples/s';
  const cols = [
    String(r.name).padEnd(34), num(r.ours).padStart(9), num(r.peer).padStart(9),
    (r.ratio == null ? '—' : `${num(r.ratio)}×`).padStart(7), ` ${String(r.unit).padEnd(10)}`, (String(r.peer_backend) + (r.peer_threads ? ` ×${r.peer_threads}` : '')).padEnd(13),
    (step ? num(r.dispatches) : '').padStart(9), (step ? num(r.submits) : '').padStart(9), (step ? num(r.bytes_uploaded) : '').padStart(13),
  ];
  console.log(cols.join(' ').trimEnd());
  if (r.ours_error) console.log(`    ours failed: ${r.ours_error}`);
  if (r.peer_error) console.log(`    peer failed: ${r.peer_error}`);
  if (r.ours_error || r.peer_error) failures++;
}

const browser = await launch();
let done!: () => void;
const finished = new Promise<void>((r) => (done = r));
const { page, server, errors } = await benchPage(browser, join(ROOT, 'scripts', 'bench-entry.ts'), {
  __report: (json: string) => print(JSON.parse(json) as Record<string, unknown>),
  __done: () => done(),
}, encodeURIComponent(JSON.stringify(cfg)));
page.on('crash', () => {
  print({ fatal: 'the benchmark page crashed' });
  done();
});
await finished;
await browser.close();
server.close();
const secs = ((Date.now() - started) / 1000).toFixed(0);
if (!a.json) console.log(`bench: done in ${secs} s${failures ? `, ${failures} item(s) with a failure` : ''}`);
if (errors.length && !a.json) console.error(`page errors:\n${errors.slice(0, 5).join('\n')}`);
