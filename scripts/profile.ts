// Kernel profiler: `npm run profile -- --preset NAME [--runs N] [--backend webgpu|cpu] [--json]`.
// Times every kernel of one training step alone in headless Chromium and prints them by cost,
// grouped by op label, next to the whole step's time (the sum of the parts differs from the step
// by per-submission overhead and by overlap).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PRESETS } from '../kernels/spec/presets.ts';
import { launch, pageWith, ROOT } from './lib/browser.ts';

const { values: a } = parseArgs({ options: { preset: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, json: { type: 'boolean' } } });
if (!a.preset || !PRESETS[a.preset]) {
  console.error(`profile: --preset must be one of ${Object.keys(PRESETS).join(', ')}`);
  process.exit(2);
}
const runs = Number(a.runs ?? 10);
const cfg = { preset: a.preset, backend: a.backend ?? 'webgpu', runs };
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
  const groups = new Map<string, { n: number; ms: number }>();
  for (const k of r.kernels as { label: string; ms: number }[]) {
    const g = groups.get(k.label) ?? { n: 0, ms: 0 };
    g.n++;
    g.ms += k.ms;
    groups.set(k.label, g);
  }
  const sum = [...groups.values()].reduce((s, g) => s + g.ms, 0);
  console.log(`${r.preset} on ${r.backend} (${r.adapter}): step ${r.step.toFixed(2)} ms, ${r.dispatches} dispatches, kernels alone sum to ${sum.toFixed(2)} ms (${runs} runs each)`);
  for (const [label, g] of [...groups].sort((x, y) => y[1].ms - x[1].ms))
    console.log(`${g.ms.toFixed(3).padStart(10)} ms ${((100 * g.ms) / sum).toFixed(1).padStart(5)} %  ×${String(g.n).padEnd(3)} ${label}`);
}
