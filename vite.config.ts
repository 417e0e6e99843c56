import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The production build's Content-Security-Policy: scripts only from our own origin (no inline
// script, no eval), workers from our origin, data from our origin (MNIST is served beside the
// page). Inline styles are allowed: the charts set style attributes. The dev server injects
// inline scripts for hot reload, so the policy is added to the built page only. Fonts may be data:
// URIs: the build inlines KaTeX's small font files into its stylesheet.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

const csp = (): Plugin => ({
  name: 'content-security-policy',
  apply: 'build',
  transformIndexHtml: (html) => html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
});

// Cross-origin isolation: with these two headers the page (and its workers) get SharedArrayBuffer,
// so the CPU backend's WASM kernels run on a pool of threads (kernels/wasm/pool.ts); without them,
// on one thread. Everything the page loads is same-origin, so require-corp blocks nothing.
// Static hosts need the same two headers (README, "Deploying").
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// base './' so the static build works from any host and sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), csp()],
  server: { headers: ISOLATION },
  preview: { headers: ISOLATION },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 },
});
