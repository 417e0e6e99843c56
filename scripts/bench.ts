// Side-by-side benchmark: `npm run bench -- [--json] [--quick] [--only REGEX]`.
// In headless Chromium on one WebGPU adapter, measures this engine and TensorFlow.js on the same
// work: matmul, conv2d forward/backward, and the training step of four reference models (ours on
// WebGPU vs tfjs-webgpu; then ours on the CPU vs tfjs's 'cpu' and 'wasm' backends at equal threads,
// each CPU line naming threads_ours and threads_peer, plus ours on all the page's threads). One line per
// item: ours, peer, ratio (ours / peer, higher is better for us), unit, and our dispatches,
// submissions and bytes uploaded per step. --quick: fewer repetitions, no n = 2048, a shorter CPU
// part (--cpu, which used to add it back, is accepted and changes nothing). --json: one JSON object
// per line. Training lines carry both sides' loss_start and loss_end (read outside the timed
// window); a side whose loss is not finite or did not fall is refused: its figure is withdrawn,
// the line says why, and the run exits 1. See BENCHMARKS.md.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launch, ROOT } from './lib/browser.ts';
import { benchPage } from './bench/page.ts';
import { headerLine, itemLines } from './bench/format.ts';
import { isRefused } from './bench/loss.ts';

const { values: a } = parseArgs({
  options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, cpu: { type: 'boolean' }, only: { type: 'string' } },
});
const cfg = { quick: !!a.quick, only: a.only };
const started = Date.now();

let failures = 0, refused = 0;

function print(r: Record<string, unknown>): void {
  if (isRefused(r)) {
    refused++;
    process.exitCode = 1;
    console.error(`bench: ${r.name}: ${(r.refused as string[]).join('; ')}`);
  }
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
    console.log(headerLine());
    return;
  }
  for (const l of itemLines(r)) console.log(l);
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
if (refused) console.error(`bench: ${refused} line(s) refused (loss not finite or did not fall): exit 1`);
if (errors.length && !a.json) console.error(`page errors:\n${errors.slice(0, 5).join('\n')}`);
