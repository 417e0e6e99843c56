// The data preview's MNIST loader: the first n images and labels of a split from the head of the
// idx files, over a server that answers byte ranges and over one that sends whole files.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadMnistHead } from '../kernels/data/mnist.ts';
import { ROOT, serve } from '../scripts/lib/browser.ts';
import { mnistNode } from './lib/mnist-node.ts';

const ref = mnistNode(30, 30);
let ranged: { url: string; server: Server };
let whole: { url: string; server: Server; bytesSent: () => number };

before(async () => {
  ranged = await serve([join(ROOT, 'public')]);
  // Ignores Range and streams the whole file; counts what it managed to send before the client stopped.
  let sent = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/bad/')) return void res.writeHead(200).end('<!doctype html><p>a page, not an idx file</p>'.repeat(400));
    const f = join(ROOT, 'public', path);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const s = createReadStream(f, { highWaterMark: 64 * 1024 });
    s.on('data', (c) => (sent += c.length));
    s.pipe(res);
    res.on('close', () => s.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  whole = { url: `http://127.0.0.1:${port}`, server, bytesSent: () => sent };
});
after(() => {
  ranged.server.close();
  whole.server.closeAllConnections();
  whole.server.close();
});

test('the first 24 training and test images and labels, read by byte range', async () => {
  const train = await loadMnistHead(`${ranged.url}/mnist/`, 'train', 24);
  assert.equal(train.n, 24);
  assert.deepEqual(Array.from(train.labels.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual(train.labels, ref.train.labels.subarray(0, 24));
  assert.deepEqual(train.images, ref.train.images.subarray(0, 24 * 784));
  const test = await loadMnistHead(`${ranged.url}/mnist/`, 'test', 16);
  assert.deepEqual(Array.from(test.labels.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  assert.deepEqual(test.images, ref.test.images.subarray(0, 16 * 784));
});

test('a server that ignores Range: the stream is read only as far as needed', async () => {
  const train = await loadMnistHead(`${whole.url}/mnist/`, 'train', 24);
  assert.deepEqual(train.labels, ref.train.labels.subarray(0, 24));
  assert.deepEqual(train.images, ref.train.images.subarray(0, 24 * 784));
  await new Promise((r) => setTimeout(r, 200));
  // Far less than the 47 MB image file (socket buffers let a few MB through before the cancel lands).
  console.log(`whole-file server sent ${whole.bytesSent()} bytes`);
  assert.ok(whole.bytesSent() < 8e6, `sent ${whole.bytesSent()} bytes`);
});

test('missing or wrong files fail with a message naming them', async () => {
  await assert.rejects(loadMnistHead(`${ranged.url}/nowhere/`, 'test', 4), /could not load .*t10k-(images|labels)-idx[13]-ubyte: HTTP 404/);
  // A server answering every path with a page (a single-page-app fallback, say).
  await assert.rejects(loadMnistHead(`${whole.url}/bad/`, 'train', 4), /^Error: MNIST train images: not an idx file of 28×28 images$/);
});
