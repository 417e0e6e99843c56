// The benchmark page: the bundled entry served with the cross-origin-isolation headers (COOP/COEP)
// that give the page SharedArrayBuffer, which TensorFlow.js's WASM backend needs for its threads.
// Serves public/ (MNIST) at / and the WASM backend's .wasm files at /tfjs-wasm/.
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { pageWith, ROOT } from '../lib/browser.ts';

export const WASM_DIR = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

// Cross-origin isolation: what gives the page SharedArrayBuffer.
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/** Opens the bundled entry in a cross-origin-isolated page; `expose` functions are installed first. */
export async function benchPage(
  browser: Browser, entry: string, expose: Record<string, (...args: never[]) => unknown>, hash: string,
): Promise<{ page: Page; server: Server; errors: string[] }> {
  // tfjs reads process.env.NODE_ENV; the entry reports through `expose` instead of __ready.
  return pageWith(browser, entry, [['/tfjs-wasm/', WASM_DIR], join(ROOT, 'public')], expose, hash,
    { headers: ISOLATION, define: { 'process.env.NODE_ENV': '"production"' }, waitReady: false });
}
