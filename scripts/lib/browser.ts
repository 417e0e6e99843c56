// Headless Chromium on the SwiftShader WebGPU adapter, and a tiny static server on loopback, for
// the GPU tests, the headless trainer and the benchmarks. Uses Debian's /usr/bin/chromium (or
// CHROMIUM_PATH); elsewhere falls back to a browser installed by `npx playwright install chromium`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright';

export const ROOT = join(import.meta.dirname, '..', '..');

export function chromiumPath(): string | undefined {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : undefined; // undefined: Playwright's own download
}

/**
 * Turns off Dawn's robustness transform (Tint's clamping of every storage access to its binding):
 * an access past a binding then reaches whatever bytes follow it. Only the GPU op-case suite uses
 * it, to expose kernels that read or write outside their tensors; a page always runs robust.
 */
export const DISABLE_ROBUSTNESS = '--enable-dawn-features=disable_robustness';

/** `args`: extra Chromium switches (such as DISABLE_ROBUSTNESS), after the usual ones. */
export async function launch(opts: { webgpu?: boolean; args?: readonly string[] } = {}): Promise<Browser> {
  const args = [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
  ];
  if (opts.webgpu !== false) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader');
  args.push(...(opts.args ?? []));
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.css': 'text/css', '.map': 'application/json', '.txt': 'text/plain', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
};

/**
 * Serves files from `dirs` (first match wins; a [prefix, dir] pair mounts dir under that URL
 * prefix, a plain dir at /) plus in-memory `extra` files, on 127.0.0.1, every response with `headers`.
 */
export async function serve(
  dirs: (string | [prefix: string, dir: string])[], extra: Record<string, string> = {}, headers: Record<string, string> = {},
): Promise<{ url: string; server: Server }> {
  const mounts = dirs.map((d): [string, string] => (typeof d === 'string' ? ['/', d] : d));
  const head = (file: string) => ({ 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...headers });
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = path === '/' ? '/index.html' : path;
    if (extra[rel] !== undefined) {
      res.writeHead(200, head(rel));
      res.end(extra[rel]);
      return;
    }
    for (const [prefix, d] of mounts) {
      if (!rel.startsWith(prefix)) continue;
      const file = normalize(join(d, rel.slice(prefix.length - 1)));
      if (!file.startsWith(normalize(d))) break;
      if (existsSync(file) && statSync(file).isFile()) {
        const body = readFileSync(file);
        // One "bytes=a-b" range, as static hosts answer it (the data preview reads MNIST's head).
        const r = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (r && Number(r[1]) < body.length) {
          const a = Number(r[1]), b = Math.min(r[2] ? Number(r[2]) : body.length - 1, body.length - 1);
          res.writeHead(206, { ...head(file), 'content-range': `bytes ${a}-${b}/${body.length}` });
          res.end(body.subarray(a, b + 1));
          return;
        }
        res.writeHead(200, head(file));
        res.end(body);
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  // close() also drops keep-alive connections, which would otherwise keep Node running.
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    server.closeAllConnections();
    return close(cb);
  }) as typeof server.close;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('server address');
  return { url: `http://127.0.0.1:${addr.port}`, server };
}

/** Bundles a browser entry (TypeScript) into one ES module string. */
export async function bundle(entry: string, define: Record<string, string> = {}): Promise<string> {
  const r = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
    sourcemap: 'inline', logLevel: 'silent', define,
  });
  return r.outputFiles[0].text;
}

/** A page with one bundled module loaded; resolves once the module has run. */
export async function pageWith(
  browser: Browser, entry: string, dirs: Parameters<typeof serve>[0] = [join(ROOT, 'public')],
  expose: Record<string, (...args: never[]) => unknown> = {}, hash = '',
  opts: { headers?: Record<string, string>; define?: Record<string, string>; waitReady?: boolean } = {},
) {
  const js = await bundle(entry, opts.define);
  const html = '<!doctype html><meta charset="utf-8"><title>engine</title><script type="module" src="/entry.js"></script>';
  const { url, server } = await serve(dirs, { '/index.html': html, '/entry.js': js, '/favicon.ico': '' }, opts.headers);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  for (const [name, fn] of Object.entries(expose)) await page.exposeFunction(name, fn);
  await page.goto(url + '/' + (hash ? `#${hash}` : ''));
  if (opts.waitReady !== false) await page.waitForFunction(() => (globalThis as { __ready?: boolean }).__ready === true, null, { timeout: 60_000 });
  return { page, server, errors, url };
}
