// Soak benchmark (not a test): `npm run soak -- [--minutes 30] [--preset mlp-mnist-small]`.
// Trains in headless Chromium for the given time and prints, once a minute, the step, the loss,
// GPU bytes in use (the engine's pool) and the JS heap; every fifth minute the page is frozen for
// 20 s (page lifecycle, as Chrome does to background tabs) and must resume training. At the end it states the growth of both figures after warm-up.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launch, pageWith, ROOT } from './lib/browser.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, preset: { type: 'string', default: 'mlp-mnist-small' } } });
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
const browser = await launch();
const { page, server } = await pageWith(browser, join(ROOT, 'scripts', 'soak-entry.ts'), [join(ROOT, 'public')], {}, `preset=${values.preset}`);
type Stats = { step: number; loss: number; gpuBytesInUse: number; jsHeap: number | null; visibility: string };
const cdp = await page.context().newCDPSession(page);
// Heap figures after a forced full GC, so the sawtooth of collection timing does not read as growth.
const statsAfterGc = async () => {
  await cdp.send('HeapProfiler.collectGarbage');
  return stats();
};
const stats = () => page.evaluate(() => (globalThis as unknown as { __stats: () => Stats }).__stats());
const rows: Stats[] = [];
const t0 = Date.now();
for (let m = 1; m <= minutes; m++) {
  if (m % 5 === 0) {
    // Headless Chromium never reports the tab hidden, so background it the way Chrome treats hidden
    // tabs at worst: frozen by the page lifecycle for 20 s (timers and tasks stop), then resumed.
    const before = await stats();
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await new Promise((r) => setTimeout(r, 20_000));
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await page.waitForTimeout(2000);
    const after = await stats();
    console.log(JSON.stringify({ minute: m - 0.5, frozenFor: 20, stepBefore: before.step, ...after }));
    if (!(after.step > before.step)) throw new Error(`training did not resume after the freeze (step ${before.step} → ${after.step})`);
  }
  await page.waitForTimeout(Math.max(0, t0 + m * 60_000 - Date.now()));
  const s = await statsAfterGc();
  rows.push(s);
  console.log(JSON.stringify({ minute: m, ...s }));
  if (!Number.isFinite(s.loss)) throw new Error(`loss became ${s.loss} at step ${s.step}`);
}
const warm = rows[Math.min(1, rows.length - 1)], last = rows[rows.length - 1];
console.log(JSON.stringify({
  final: true, minutes, steps: last.step,
  gpuBytesGrowth: last.gpuBytesInUse - warm.gpuBytesInUse,
  jsHeapGrowth: last.jsHeap !== null && warm.jsHeap !== null ? last.jsHeap - warm.jsHeap : null,
}));
await browser.close();
server.close();
