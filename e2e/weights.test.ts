// Nothing lost: a paused run is saved in the browser and resumes after a reload with its curve;
// weights download as .safetensors and load into a fresh page; bad files change nothing.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright';
import { servedApp, watchErrors } from './lib.ts';
import { decodeSafetensors, encodeSafetensors } from '../kernels/io/safetensors.ts';
import { describeParams } from '../kernels/nn/model.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { datasetInfo, resolveLayers } from '../kernels/model/shapes.ts';
import { runKey } from '../app/persist/db.ts';

const app = servedApp();
const tmp = mkdtempSync(join(tmpdir(), 'weights-'));

const watch = watchErrors;
const pausedAt = async (page: Page) => {
  const state = page.getByTestId('run-state');
  await state.filter({ hasText: /Paused at step \d+/ }).waitFor({ timeout: 120_000 });
  return Number((await state.textContent())!.match(/Paused at step (\d+)/)![1]);
};
const points = async (page: Page) => Number(await page.getByTestId('loss-chart').getAttribute('data-points'));

test('a paused run survives a reload and resumes where it stopped, curve included; weights round-trip through a file', { timeout: 300_000 }, async () => {
  const ctx = await app.browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watch(page);
  await page.goto(`${app.url}/#preset=mlp-mnist-small`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('metrics-summary').filter({ hasText: /step (4\d|[5-9]\d|\d{3,})\b/ }).waitFor({ timeout: 180_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const n = await pausedAt(page);
  const curve = await points(page);
  assert.ok(curve >= 2, `curve points ${curve}`);

  // Download the weights while the run is here.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
  const file = join(tmp, 'w.safetensors');
  await download.saveAs(file);
  assert.match(download.suggestedFilename(), /^mlp-mnist-small-step\d+\.safetensors$/);
  await page.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Downloaded the weights at step ${n}` }).waitFor();

  // Reload: the same design, and the saved run offered at the same step.
  await page.waitForTimeout(1500); // the autosave after Pause
  await page.reload();
  const resume = page.getByRole('button', { name: `Resume saved run (step ${n})` });
  await resume.waitFor({ timeout: 20_000 });
  await resume.click();
  await page.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Resumed the saved run at step ${n}` }).waitFor({ timeout: 60_000 });
  assert.equal(await pausedAt(page), n);
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= c, curve);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByTestId('run-state').filter({ hasText: `Paused at step ${n + 1}` }).waitFor({ timeout: 60_000 });
  assert.deepEqual(errors, []);
  await ctx.close();

  // A fresh browser profile: load the downloaded file.
  const p2 = await app.browser.newPage();
  const e2 = watch(p2);
  await p2.goto(`${app.url}/#preset=mlp-mnist-small`);
  await p2.getByLabel('Weights file').setInputFiles(file);
  await p2.getByRole('status', { name: 'Weights message' }).filter({ hasText: `Loaded weights and optimizer state (step ${n})` }).waitFor({ timeout: 60_000 });
  assert.equal(await pausedAt(p2), n);

  // A truncated file is refused and the loaded weights stay.
  const bytes = readFileSync(file);
  writeFileSync(join(tmp, 'cut.safetensors'), bytes.subarray(0, bytes.length - 100));
  await p2.getByLabel('Weights file').setInputFiles(join(tmp, 'cut.safetensors'));
  const alert = p2.getByRole('alert', { name: 'Weights message' });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Not a usable weights file: it is truncated/);
  assert.equal(await pausedAt(p2), n);
  await corruptFilesChangeNothing(p2, file, n);
  assert.deepEqual(e2, []);
  await p2.close();

  // A model of another shape names the tensors that differ.
  const p3 = await app.browser.newPage();
  await p3.goto(`${app.url}/#preset=mlp-mnist-small`);
  await p3.getByRole('button', { name: /^Dense layer 2,/ }).click();
  await p3.getByRole('spinbutton', { name: 'Units' }).fill('64');
  await p3.getByLabel('Weights file').setInputFiles(file);
  const a3 = p3.getByRole('alert', { name: 'Weights message' });
  await a3.waitFor({ timeout: 60_000 });
  assert.match((await a3.textContent()) ?? '', /do not fit the current model, so nothing was changed: Layer 2 \(Dense\) weights: shape 784×64 expected, file has 784×128/);
  await p3.close();
});

/** Downloads the live weights and returns the bytes. */
async function download(page: Page, name: string): Promise<Buffer> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download weights' }).click()]);
  const p = join(tmp, name);
  await d.saveAs(p);
  return readFileSync(p);
}

/**
 * Issue 19: the files the hostile-user trial got through, through the file picker and by drag and
 * drop. Each is refused in the page with the tensor named; the step, the curve and a later download
 * (byte for byte) are what they were before.
 */
async function corruptFilesChangeNothing(page: Page, good: string, n: number): Promise<void> {
  const before = await download(page, 'before.safetensors');
  const curve = await points(page);
  const f = decodeSafetensors(new Uint8Array(readFileSync(good)));
  const mutate = (name: string, g: (t: (typeof f.tensors)[number]) => (typeof f.tensors)[number] | null) =>
    encodeSafetensors(f.tensors.map((t) => (t.name === name ? g({ ...t, data: t.data.slice() }) : t)).filter((t) => t !== null), f.metadata);
  const head = Number(Buffer.from(readFileSync(good)).readBigUInt64LE(0));
  const raw = readFileSync(good);
  const shifted = Buffer.concat([raw.subarray(0, 8), raw.subarray(8, 8 + head), Buffer.from('    '), raw.subarray(8 + head)]); // 4 bytes no header claims
  const cases: [string, Uint8Array, RegExp][] = [
    ['wrong-shape optimizer tensor', mutate('optimizer.v.layers.1.W', (t) => ({ ...t, shape: [t.shape[1], t.shape[0]] })), /Layer 2 \(Dense\) weights \(optimizer state v\): shape 784×128 expected, file has 128×784/],
    ['partial Adam m', mutate('optimizer.m.layers.2.b', () => null), /optimizer state in this file is incomplete, so nothing was changed: Layer 3 \(Dense\) bias \(optimizer state m\): missing/],
    ['negative Adam v', mutate('optimizer.v.layers.2.W', (t) => ({ ...t, data: t.data.map((x, i) => (i === 0 ? -1 : x)) })), /Layer 3 \(Dense\) weights \(optimizer state v\): -1 at index 0; a variance cannot be negative/],
    ['NaN weight', mutate('layers.1.b', (t) => ({ ...t, data: t.data.map((x, i) => (i === 2 ? NaN : x)) })), /Layer 2 \(Dense\) bias: NaN at index 2; every value must be a finite number/],
    ['data shifted past the header', shifted, /Not a usable weights file: it has 4 bytes after the last tensor/],
  ];
  for (const [i, [what, bytes, re]] of cases.entries()) {
    const path = join(tmp, `bad${i}.safetensors`);
    writeFileSync(path, bytes);
    if (i % 2 === 0) await page.getByLabel('Weights file').setInputFiles(path);
    else {
      // Drag and drop onto the Weights panel.
      await page.evaluate(([b64, name]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
        document.querySelector('[role=group][aria-label=Weights]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, [Buffer.from(bytes).toString('base64'), `bad${i}.safetensors`]);
    }
    const alert = page.getByRole('alert', { name: 'Weights message' }).filter({ hasText: re });
    await alert.waitFor({ timeout: 30_000 }).catch(async () => assert.fail(`${what}: ${await page.getByLabel('Weights message').textContent()}`));
    assert.equal(await pausedAt(page), n, what);
    assert.equal(await points(page), curve, `${what}: the curve changed`);
  }
  const after = await download(page, 'after.safetensors');
  assert.ok(after.equals(before), 'a download after the refused files is byte-identical to the one before');
}

test('a corrupt run saved in IndexedDB is refused by name when resumed, and stays as it was', { timeout: 120_000 }, async () => {
  const spec = presetSpec('mlp-mnist-small');
  const ps = describeParams(resolveLayers(spec), datasetInfo(spec).inputShape);
  const bytes = encodeSafetensors(ps.map((p, k) => ({ name: p.name, shape: p.shape, data: Float32Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, (_, i) => (k === 0 && i === 3 ? NaN : 0.01)) })), { step: '7' });
  const ctx = await app.browser.newContext();
  const page = await ctx.newPage();
  const errors = watch(page);
  await page.goto(`${app.url}/#preset=mlp-mnist-small`);
  await page.getByRole('button', { name: 'Copy link' }).waitFor();
  const put = ([key, b64]: readonly [string, string | null]) => new Promise<string | null>((resolve, reject) => {
    const req = indexedDB.open('playground', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('kv');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      // No named functions in here: tsx would wrap them in a helper the page does not have.
      const store = req.result.transaction('kv', 'readwrite').objectStore('kv');
      const r: IDBRequest = b64 === null ? store.get(key) : store.put({ bytes: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), step: 7, savedAt: Date.now() }, key);
      r.onsuccess = () => {
        const v = r.result as { bytes?: Uint8Array } | undefined;
        resolve(v?.bytes ? btoa(String.fromCharCode(...v.bytes.subarray(0, 4096))) : null);
      };
    };
  });
  await page.evaluate(put, [runKey(spec), Buffer.from(bytes).toString('base64')] as const);
  await page.reload();
  const resume = page.getByRole('button', { name: 'Resume saved run (step 7)' });
  await resume.waitFor({ timeout: 20_000 });
  await resume.click();
  const alert = page.getByRole('alert', { name: 'Weights message' });
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /^The run saved in this browser cannot be resumed: These weights hold values that cannot be right, so nothing was changed: Layer 2 \(Dense\) weights: NaN at index 3; every value must be a finite number\.$/);
  // No run was built for it, and the record is still there, byte for byte (the user may want it back).
  assert.equal(await page.getByTestId('run-state').filter({ hasText: /Paused at step/ }).count(), 0);
  assert.equal(await page.evaluate(put, [runKey(spec), null] as const), Buffer.from(bytes.subarray(0, 4096)).toString('base64'));
  assert.deepEqual(errors, []);
  await ctx.close();
});
