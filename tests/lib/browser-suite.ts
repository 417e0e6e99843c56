// Node side of the in-browser test suites (tests/browser/*-suite.ts): one Chromium with WebGPU and
// one page per test file, set up and torn down by node:test hooks. `run(name, arg)` calls a case
// the suite registered (tests/browser/register.ts) and returns its value, failing with the
// browser-side error and stack when the case threw.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright';
import { launch, pageWith, ROOT } from '../../scripts/lib/browser.ts';

type Runner = (name: string, arg?: unknown) => Promise<{ ok: boolean; value?: unknown; error?: string }>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function browserSuite(suiteFile: string): (name: string, arg?: unknown) => Promise<any> {
  let browser: Browser | undefined, page: Page, server: Server | undefined;
  before(async () => {
    browser = await launch();
    ({ page, server } = await pageWith(browser, join(ROOT, 'tests', 'browser', suiteFile)));
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
  return async (name, arg) => {
    const r = await page.evaluate(([n, a]) => (globalThis as unknown as { __run: Runner }).__run(n as string, a), [name, arg] as const);
    assert.ok(r.ok, r.error);
    return r.value;
  };
}
