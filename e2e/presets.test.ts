// Every preset loads, validates and trains a step in the page, on WebGPU and on the CPU fallback,
// with no console errors.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright';
import { PRESETS } from '../kernels/model/presets.ts';
import { launch } from '../scripts/lib/browser.ts';
import { servedBuild, watchErrors } from './lib.ts';

let gpu: Browser, cpu: Browser, server: Server, url: string;
before(async () => {
  ({ url, server } = await servedBuild());
  gpu = await launch();
  cpu = await launch({ webgpu: false });
});
after(async () => {
  await gpu?.close();
  await cpu?.close();
  server?.close();
});

for (const [backend, expect] of [['WebGPU', /WebGPU · /], ['CPU fallback', /CPU fallback/]] as const) {
  test(`every preset trains a step on ${backend}`, { timeout: 600_000 }, async () => {
    const page = await (backend === 'WebGPU' ? gpu : cpu).newPage();
    const errors = watchErrors(page);
    await page.goto(`${url}/`);
    if (backend === 'WebGPU') await page.getByLabel('Backend').selectOption('webgpu'); // Auto takes the CPU on SwiftShader
    for (const name of Object.keys(PRESETS)) {
      await page.getByLabel('Preset').selectOption(name);
      const train = page.getByRole('button', { name: 'Step', exact: true });
      assert.equal(await train.isEnabled(), true, `${name}: Step is enabled (the preset validates)`);
      await train.click();
      const state = page.getByTestId('run-state');
      await page.waitForFunction(() => /Paused at step 1\b|error/i.test(document.querySelector('[data-testid=run-state]')?.textContent ?? ''), null, { timeout: 240_000 });
      assert.match((await state.textContent()) ?? '', /Paused at step 1\b/, `${name}: ${await page.locator('[role=alert]').allTextContents()}`);
      assert.match((await page.getByTestId('backend-status').textContent()) ?? '', expect, name);
      await page.getByRole('button', { name: 'Reset', exact: true }).click();
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}
