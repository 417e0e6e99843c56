// Kernel profiler: `npm run profile -- --preset NAME [--runs N] [--backend webgpu|cpu] [--wall] [--json]`.
// Times every kernel of one training step in headless Chromium and prints the times by layer, by
// op and by kernel label, next to the whole step's wall time. Per-kernel times come from GPU
// timestamp queries where the adapter has 'timestamp-query' (the CPU clock on the CPU backend),
// averaged over the runs; otherwise, or with --wall, from timing each kernel alone by wall clock
// (the sum of those parts differs from the step by per-submission overhead and by overlap).
// The first line says which source was used.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PRESETS } from '../kernels/model/presets.ts';
import { aggregate, type Phase } from '../kernels/train/profile.ts';
import { launch, pageWith, ROOT } from './lib/browser.ts';

const { values: a } = parseArgs({ options: { preset: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, wall: { type: 'boolean' }, json: { type: 'boolean' } } });
if (!a.preset || !PRESETS[a.preset]) {
  console.error(`profile: --preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  process.exit(2);
}
const runs = Number(a.runs ?? 10);
const cfg = { preset: a.preset, backend: a.backend ?? 'webgpu', runs, wall: !!a.wall };
const browser = await launch();
let done!: (json: string) => void;
const result = new Promise<string>((r) => (done = r));
const { server } = await pageWith(browser, join(ROOT, 'scripts', 'profile-entry.ts'), [join(ROOT, 'public')],
  { __report: (json: string) => done(json) }, encodeURIComponent(JSON.stringify(cfg)));
const r = JSON.parse(await result);
await browser.close();
server.close();
if (r.error) {
  console.error(`profile: ${r.error}`);
  process.exit(1);
}
if (a.json) console.log(JSON.stringify(r));
else {
  const kernels = r.kernels as { label: string; layer: string; phase: Phase; ms: number }[];
  const { totalMs, byLayer, byOp } = aggregate(kernels);
  const source = r.source === 'timestamp-query' ? 'GPU timestamp queries, one profiled step per run'
    : r.source === 'cpu-clock' ? 'the CPU clock around each kernel, one profiled step per run'
    : 'wall clock, each kernel alone (no timestamp-query here, or --wall)';
  console.log(`${r.preset} on ${r.backend} (${r.adapter}): per-kernel times from ${source}, mean of ${runs} runs`);
  console.log(`step ${r.step.toFixed(2)} ms wall, ${r.dispatches} dispatches; kernels sum to ${totalMs.toFixed(3)} ms`);
  const row = (name: string, w: number, ms: number, n: number) =>
    `${name.padEnd(w)} ${ms.toFixed(3).padStart(10)} ms ${((100 * ms) / (totalMs || 1)).toFixed(1).padStart(5)} %  ×${n}`;
  const wl = Math.max(...byLayer.map((l) => l.layer.length));
  console.log('\nby layer');
  for (const l of byLayer) console.log(row(l.layer, wl, l.ms, l.kernels));
  const wo = Math.max(...byOp.map((o) => o.op.length));
  console.log('\nby op');
  for (const o of byOp) console.log(row(o.op, wo, o.ms, o.kernels));
  const groups = new Map<string, { n: number; ms: number }>();
  for (const k of kernels) {
    const g = groups.get(k.label) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += k.ms;
    groups.set(k.label, g);
  }
  console.log('\nby kernel label');
  for (const [label, g] of [...groups].sort((x, y) => y[1].ms - x[1].ms))
    console.log(`${g.ms.toFixed(3).padStart(10)} ms ${((100 * g.ms) / (totalMs || 1)).toFixed(1).padStart(5)} %  ×${String(g.n).padEnd(3)} ${label}`);
}
