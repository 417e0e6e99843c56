// MNIST for node-side tests: the same idx files the app serves, read from public/mnist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_FILES, parseIdx, type Mnist, type MnistSplit } from '../../kernels/data/mnist.ts';

const dir = join(import.meta.dirname, '..', '..', 'public', 'mnist');
const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));

function split(img: string, lab: string, n?: number): MnistSplit {
  const im = parseIdx(read(img), img).data, lb = parseIdx(read(lab), lab).data;
  const k = Math.min(n ?? lb.length, lb.length);
  return { images: im.subarray(0, k * 784), labels: lb.subarray(0, k), n: k };
}

export function mnistNode(trainN?: number, testN?: number): Mnist {
  return {
    train: split(MNIST_FILES.trainImages, MNIST_FILES.trainLabels, trainN),
    test: split(MNIST_FILES.testImages, MNIST_FILES.testLabels, testN),
  };
}
