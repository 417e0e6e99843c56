// The built page with and without the cross-origin-isolation headers that vite.config.ts sends
// (COOP same-origin, COEP require-corp): isolated, everything still loads (no failed or blocked
// request, no page error) and a CPU run trains on the worker pool, the status naming
// min(8, hardwareConcurrency) threads; not isolated, the same run trains on 1 thread and says so.
// Chromium without a WebGPU adapter, so the page takes the CPU backend.
// Run: node --import tsx --test tests/threads-page.test.ts (builds the page unless E2E_DIST is set)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import { launch, ROOT, serve } from '../scripts/lib/browser.ts';

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
let dist = process.env.E2E_DIST ?? '';
let built = ''; // a build made here, removed at the end
let browser: Browser;

before(() => {
  if (!dist || !existsSync(join(dist, 'index.html'))) {
    dist = built = mkdtempSync(join(tmpdir(), 'threads-page-'));
    execFileSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
});
after(async () => {
  await browser?.close();
  if (built) rmSync(built, { recursive: true, force: true });
});

async function trainOnCpu(headers: Record<string, string>): Promise<{ isolated: boolean; status: string; cores: number; problems: string[] }> {
  const { url, server } = await serve([dist], {}, headers);
  browser ??= await launch({ webgpu: false }); // navigator.gpu exists, requestAdapter() gives null
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  // ERR_ABORTED: the page's own cancel (the data preview aborts its MNIST read); COEP shows as ERR_BLOCKED_BY_RESPONSE.
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  try {
    await page.goto(url);
    await page.getByTestId('backend-status').filter({ hasText: 'CPU fallback' }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Preset').selectOption('mlp-mnist-small');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.getByTestId('metrics-summary').filter({ hasText: /step \d+/ }).waitFor({ timeout: 90_000 });
    const status = (await page.locator('[data-testid=backend-status][data-source=session]').textContent()) ?? '';
    await page.getByRole('button', { name: 'Pause', exact: true }).click().catch(() => {});
    const [isolated, cores] = await page.evaluate(() => [crossOriginIsolated, navigator.hardwareConcurrency] as const);
    return { isolated, status, cores, problems };
  } finally {
    await page.close();
    server.close();
  }
}

test('isolated by COOP/COEP: everything loads and the CPU backend trains on min(8, cores) threads', { timeout: 180_000 }, async () => {
  const r = await trainOnCpu(ISOLATION);
  assert.equal(r.isolated, true);
  assert.deepEqual(r.problems, []);
  const n = Math.min(8, r.cores);
  assert.ok(n > 1, `this Chromium reports ${r.cores} hardware threads: nothing to split`);
  assert.match(r.status, new RegExp(`^CPU fallback — .* · ${n} threads$`));
});

test('without the headers: not isolated, one thread, said in the status', { timeout: 180_000 }, async () => {
  const r = await trainOnCpu({});
  assert.equal(r.isolated, false);
  assert.deepEqual(r.problems, []);
  assert.match(r.status, /^CPU fallback — .* · 1 thread$/);
});
