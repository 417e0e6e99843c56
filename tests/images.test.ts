// Your own images, the engine side (kernels/data/images.ts): the plan of a folder or zip (classes in a
// stable order, a wrapper folder stripped, non-images skipped and counted, every limit with its
// message), the centre crop and grey conversion, the fingerprint, the seeded stratified disjoint
// split, and the spec's validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cropRect, greyPixels, IMAGE_LIMITS, ImageError, ImageHasher, imagesDataset, imagesInfo, imagesIssues, imagesMismatch, imagesNeedFiles,
  imagesSplitSizes, imagesTaskData, planImages, type ImageFileRef,
} from '../kernels/data/images.ts';
import { validateSpec } from '../kernels/model/validate.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { Rng } from '../kernels/rng.ts';

/** `n[k]` files named `<class k>/img<i>.png`, under `wrap/` if given. */
const folder = (classes: string[], n: number[], wrap = ''): ImageFileRef[] =>
  classes.flatMap((c, k) => Array.from({ length: n[k] }, (_, i) => ({ path: `${wrap}${c}/img${String(i).padStart(3, '0')}.png`, bytes: 100 })));

/** A dataset whose pixels say which image they are: pixel 0 = image index, the rest = class. */
function dataset(classes: string[], n: number[], size = 8) {
  const plan = planImages(folder(classes, n));
  const pixels = plan.files.map((f, i) => Float32Array.from({ length: size * size }, (_, p) => (p === 0 ? i : f.cls)));
  return imagesDataset({ name: 'pets.zip', plan, pixels, hash: '0123456789abcdef', size });
}

test('classes are the folder names in code-unit order whatever order the files come in; a wrapper folder is stripped', () => {
  const files = folder(['dogs', 'Cats', 'birds'], [5, 6, 7], 'pets/');
  const shuffled = Array.from(new Rng(3).permutation(files.length), (i) => files[i]);
  const p = planImages(shuffled);
  assert.deepEqual(p.classes, ['Cats', 'birds', 'dogs']);
  assert.deepEqual(p.counts, [6, 7, 5]);
  assert.equal(p.wrapper, 'pets');
  assert.equal(p.files[0].path, 'Cats/img000.png');
  assert.equal(p.files[0].source, 'pets/Cats/img000.png');
  assert.deepEqual(p.files.map((f) => f.path), planImages(files).files.map((f) => f.path), 'the same order from any listing');
  assert.deepEqual(planImages(folder(['a', 'b'], [5, 5])).classes, ['a', 'b'], 'no wrapper: the top folders are the classes');
});

test('non-images and system files are skipped and counted; images outside a class folder are counted', () => {
  const p = planImages([
    ...folder(['a', 'b'], [5, 5], 'set/'),
    { path: 'set/a/notes.txt', bytes: 3 }, { path: 'set/README.md', bytes: 3 },
    { path: '__MACOSX/set/a/._img000.png', bytes: 3 }, { path: 'set/b/.DS_Store', bytes: 3 }, { path: 'set/a/', bytes: 0 },
  ]);
  assert.deepEqual(p.skipped, { notImages: 2, examples: ['set/a/notes.txt', 'set/README.md'], outside: 0 });
  const q = planImages([...folder(['a', 'b'], [5, 5]), { path: 'loose.jpg', bytes: 9 }]);
  assert.equal(q.skipped.outside, 1);
  for (const ext of ['PNG', 'jpg', 'jpeg', 'gif', 'webp', 'bmp']) assert.equal(planImages(folder(['a', 'b'], [5, 5]).map((f) => ({ ...f, path: f.path.replace('png', ext) }))).files.length, 10, ext);
});

test('every limit is refused with its own message', () => {
  const err = (refs: ImageFileRef[], re: RegExp) => assert.throws(() => planImages(refs), (e: Error) => e instanceof ImageError && re.test(e.message), String(re));
  err([{ path: 'a.txt', bytes: 1 }], /no images found in class folders: arrange the images as <class name>\/<image file>.*1 file that is not images skipped/);
  err(folder(['cats'], [30], 'mine/'), /only one class folder \("cats", 30 images\): at least 2 classes/);
  err(folder(['a', 'b', 'c'], [5, 3, 4]), /class "b" has 3 images, class "c" has 4 images: each class needs at least 5/);
  const many = Array.from({ length: IMAGE_LIMITS.classes + 1 }, (_, k) => `c${String(k).padStart(2, '0')}`);
  err(folder(many, many.map(() => 5)), new RegExp(`there are ${IMAGE_LIMITS.classes + 1} class folders, over the limit of ${IMAGE_LIMITS.classes} classes`));
  err(folder(['a', 'b'], [5001, 5000]), /there are 10,001 images, over the limit of 10,000/);
});

test('bytes: all the images together and one image each have a limit', () => {
  assert.throws(() => planImages(folder(['a', 'b'], [6, 6]).map((f) => ({ ...f, bytes: 18 * 1024 * 1024 }))), /the images are 216\.0 MiB in all, over the limit of 200\.0 MiB/);
  const one = folder(['a', 'b'], [5, 5]);
  one[7] = { ...one[7], bytes: 21 * 1024 * 1024 };
  assert.throws(() => planImages(one), /b\/img002\.png is 21\.0 MiB, over the limit of 20\.0 MiB for one image/);
});

test('the centre crop takes the middle square; grey is luma in [0, 1] with transparency over white', () => {
  assert.deepEqual(cropRect(100, 60), { sx: 20, sy: 0, sw: 60, sh: 60 });
  assert.deepEqual(cropRect(30, 71), { sx: 0, sy: 20, sw: 30, sh: 30 });
  assert.deepEqual(cropRect(28, 28), { sx: 0, sy: 0, sw: 28, sh: 28 });
  const g = greyPixels(Uint8ClampedArray.from([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128]));
  assert.deepEqual(Array.from(g, (v) => +v.toFixed(4)), [1, 0, 0.299, 1, +(127 / 255).toFixed(4)]);
});

test('the fingerprint follows paths and bytes and nothing else', () => {
  const h = (files: [string, number[]][]) => {
    const x = new ImageHasher();
    for (const [p, b] of files) x.update(p, Uint8Array.from(b));
    return x.digest();
  };
  const a = h([['a/1.png', [1, 2, 3]], ['b/1.png', [4]]]);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(a, h([['a/1.png', [1, 2, 3]], ['b/1.png', [4]]]));
  assert.notEqual(a, h([['a/1.png', [1, 2, 4]], ['b/1.png', [4]]]), 'one byte changed');
  assert.notEqual(a, h([['a/2.png', [1, 2, 3]], ['b/1.png', [4]]]), 'a file renamed');
  assert.notEqual(a, h([['a/1.png', [1, 2]], ['b/1.png', [3, 4]]]), 'a byte moved across files');
});

test('the split is stratified, disjoint, complete and seeded; labels match the pixels they came with', () => {
  const ds = dataset(['a', 'b', 'c'], [30, 7, 5]);
  assert.deepEqual(imagesSplitSizes(ds.spec.counts), { train: 34, test: 8 });
  const t = imagesTaskData(ds.spec, ds, 11);
  assert.equal(t.train.n, 34);
  assert.equal(t.test.n, 8);
  assert.deepEqual([t.info.trainSize, t.info.testSize], [34, 8]);
  const px = 64;
  const ids = (s: typeof t.train) => Array.from({ length: s.n }, (_, i) => s.inputs[i * px]);
  const perClass = (s: typeof t.train) => [0, 1, 2].map((k) => Array.from(s.targets).filter((y) => y === k).length);
  assert.deepEqual(perClass(t.test), [6, 1, 1], 'a fifth of each class, at least one');
  assert.deepEqual(perClass(t.train), [24, 6, 4]);
  const tr = ids(t.train), te = ids(t.test);
  assert.equal(new Set([...tr, ...te]).size, 42, 'every image once: disjoint and complete');
  for (const s of [t.train, t.test]) for (let i = 0; i < s.n; i++) assert.equal(s.inputs[i * px + 1], s.targets[i], 'the label travels with its image');
  const again = imagesTaskData(ds.spec, ds, 11);
  assert.deepEqual(ids(again.test), te, 'the same seed, the same split');
  assert.notDeepEqual(ids(imagesTaskData(ds.spec, ds, 12).test), te, 'another seed, another split');
  assert.ok(new Set(t.train.targets.subarray(0, 10)).size > 1, 'the train split is shuffled, not sorted by class');
});

test('the spec: info, validation bounds, mismatch and the message asking for the images', () => {
  const ds = dataset(['cat', 'dog'], [10, 12], 28);
  const d = ds.spec;
  assert.deepEqual(d, { kind: 'images', name: 'pets.zip', hash: '0123456789abcdef', classes: ['cat', 'dog'], counts: [10, 12], size: 28 });
  const info = imagesInfo(d);
  assert.deepEqual(info.inputShape, [28, 28, 1]);
  assert.deepEqual(info.output, { kind: 'class', V: 2 });
  assert.deepEqual(imagesIssues(d as unknown as Record<string, unknown>), []);
  const bad = (patch: Record<string, unknown>) => imagesIssues({ ...d, ...patch }).map(([f, m]) => `${f}: ${m}`).join('; ');
  assert.match(bad({ classes: ['cat'], counts: [10] }), /classes: must list 2 to 50 class names/);
  assert.match(bad({ classes: ['dog', 'cat'] }), /classes: class 2 must be a name .* after the one before it/);
  assert.match(bad({ counts: [10] }), /counts: must give one image count per class/);
  assert.match(bad({ counts: [4, 12] }), /counts: class 1 must have an integer count between 5 and 10000, got 4/);
  assert.match(bad({ size: 65 }), /size: must be an integer between 8 and 64, got 65/);
  assert.match(bad({ hash: 'xyz' }), /hash: must be 16 hexadecimal digits/);
  assert.match(bad({ name: '' }), /name: must be the folder's or zip's name/);
  const spec = { ...presetSpec('mlp-mnist-small'), dataset: d };
  spec.layers[spec.layers.length - 1] = { kind: 'dense', units: 2 };
  assert.deepEqual(validateSpec(spec).errors, []);
  assert.deepEqual(inferShapes(spec).errors, [], 'the MNIST MLP reads 28×28×1 images with 2 outputs');
  assert.deepEqual(validateSpec({ ...spec, dataset: { ...d, pixels: [1] } }).errors.map((e) => e.path), ['dataset.pixels'], 'no unknown field rides in');
  assert.match(inferShapes({ ...spec, layers: presetSpec('mlp-mnist-small').layers }).errors.map((e) => e.message).join(), /needs \(2\) outputs per sample.*ends in \(10\)/);
  const other = { ...ds, spec: { ...d, hash: 'fedcba9876543210' } };
  assert.match(imagesMismatch(d, other)!, /trained on pets\.zip \(22 images in 2 classes, fingerprint 0123456789abcdef\).*fedcba9876543210, so they are different images/);
  assert.throws(() => imagesTaskData(d, other, 1), /different images/);
  assert.equal(imagesMismatch(d, ds), null);
  assert.equal(imagesNeedFiles(d), 'This model was trained on your own images pets.zip (22 images in 2 classes: cat, dog), which never left that browser. Choose the same folder or zip to train or evaluate it.');
});
