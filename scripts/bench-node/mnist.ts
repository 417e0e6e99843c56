// MNIST from disk for the Node benchmark: the idx files that `npm install` copies into public/mnist
// (git-ignored, so they do not travel to the GPU machine), or the subset that the bundle script
// writes next to the bundle (dist-bench/mnist: the first MNIST_N training and 256 test images,
// the only ones the benchmark uses, 1.8 MB instead of 55 MB).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_FILES, parseIdx, type Mnist, type MnistSplit } from '../../kernels/data/mnist.ts';

/** The first directory that holds MNIST's training images, or null. */
export function findMnistDir(candidates: string[]): string | null {
  return candidates.find((d) => existsSync(join(d, MNIST_FILES.trainImages))) ?? null;
}

function split(dir: string, img: string, lab: string): MnistSplit {
  const im = parseIdx(new Uint8Array(readFileSync(join(dir, img))), img);
  const lb = parseIdx(new Uint8Array(readFileSync(join(dir, lab))), lab);
  if (im.dims.length !== 3 || im.dims[1] !== 28 || im.dims[2] !== 28) throw new Error(`${img}: dims ${im.dims.join('×')}, expected n×28×28`);
  const n = Math.min(im.dims[0], lb.dims[0]);
  return { images: im.data.subarray(0, n * 784), labels: lb.data.subarray(0, n), n };
}

export function readMnist(dir: string): Mnist {
  return {
    train: split(dir, MNIST_FILES.trainImages, MNIST_FILES.trainLabels),
    test: split(dir, MNIST_FILES.testImages, MNIST_FILES.testLabels),
  };
}

/** idx bytes of n images (magic 0x0803) or labels (0x0801). */
function idx(data: Uint8Array, n: number, images: boolean): Uint8Array {
  const head = images ? 16 : 8;
  const out = new Uint8Array(head + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, images ? 0x803 : 0x801);
  dv.setUint32(4, n);
  if (images) {
    dv.setUint32(8, 28);
    dv.setUint32(12, 28);
  }
  out.set(data, head);
  return out;
}

/** Writes the first nTrain / nTest images and labels of `m` as the four idx files into dir. */
export function writeMnistSubset(m: Mnist, dir: string, nTrain: number, nTest: number): void {
  mkdirSync(dir, { recursive: true });
  const a = Math.min(nTrain, m.train.n), b = Math.min(nTest, m.test.n);
  writeFileSync(join(dir, MNIST_FILES.trainImages), idx(m.train.images.subarray(0, a * 784), a, true));
  writeFileSync(join(dir, MNIST_FILES.trainLabels), idx(m.train.labels.subarray(0, a), a, false));
  writeFileSync(join(dir, MNIST_FILES.testImages), idx(m.test.images.subarray(0, b * 784), b, true));
  writeFileSync(join(dir, MNIST_FILES.testLabels), idx(m.test.labels.subarray(0, b), b, false));
}
