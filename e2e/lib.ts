// Shared set-up of the end-to-end tests: the production build served on loopback (built once by
// `npm test`, which passes E2E_DIST; built here when a file runs alone) and a page-error collector.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright';
import { launch, ROOT, serve } from '../scripts/lib/browser.ts';
import { decodeShare } from '../app/share/codec.ts';
import type { ModelSpec } from '../kernels/model/types.ts';

export async function servedBuild(): Promise<{ url: string; server: Server; dist: string }> {
  let dist = process.env.E2E_DIST;
  if (!dist || !existsSync(join(dist, 'index.html'))) {
    dist = join(ROOT, 'dist');
    execFileSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
  const { url, server } = await serve([dist]);
  return { url, server, dist };
}

/**
 * One served build and one Chromium per test file, opened and closed by node:test hooks; the
 * returned object's fields are set once the `before` hook has run.
 */
export function servedApp(): { browser: Browser; url: string; dist: string } {
  const app = {} as { browser: Browser; url: string; dist: string };
  let server: Server | undefined;
  before(async () => {
    const b = await servedBuild();
    server = b.server;
    Object.assign(app, { url: b.url, dist: b.dist, browser: await launch() });
  });
  after(async () => {
    await app.browser?.close();
    server?.close();
  });
  return app;
}

/** Collects uncaught page errors and console errors; tests assert the list stays empty. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** A new 1280×900 page of the served app with a preset chosen, its errors watched. */
export async function openPreset(app: { browser: Browser; url: string }, preset: string): Promise<{ page: Page; errors: string[] }> {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(app.url);
  await page.getByLabel('Preset').selectOption(preset);
  return { page, errors };
}

/**
 * A new 1280×900 page (in its own context) of the served app at `hash`, once the page is up (its
 * Copy link button shows), its errors watched. `bypassCSP` lets axe's injected script run.
 */
export async function openApp(app: { browser: Browser; url: string }, hash = '', opts: { bypassCSP?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await app.browser.newContext({ bypassCSP: opts.bypassCSP ?? false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}/${hash}`);
  await page.getByRole('button', { name: 'Copy link' }).waitFor();
  return { page, errors };
}

/** The spec the page's link holds once it satisfies `ok` (the link is rewritten after a debounce). */
export async function linkSpec(page: Page, ok: (s: ModelSpec) => boolean, what: string): Promise<ModelSpec> {
  const deadline = Date.now() + 10_000;
  let last: ModelSpec | null = null;
  while (Date.now() < deadline) {
    const r = await decodeShare(new URL(page.url()).hash);
    if (r.kind === 'ok' && ok((last = r.spec))) return r.spec;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: the link never held it; last ${JSON.stringify(last)}`);
}
