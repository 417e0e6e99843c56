// Your own images: a folder or zip arranged as `<class name>/<image file>` (one top-level wrapper
// folder allowed), read in the browser and never sent anywhere. The page decodes and resizes each
// image (app/builder/imageFiles.ts, the DOM side); this file holds the pure parts, each checked
// before anything is returned, so a bad folder changes nothing:
//   planImages   which files are images of which class, in a stable order, within the limits;
//   cropRect / greyPixels   the centre crop and the grey [0, 1] conversion of the decoded pixels;
//   ImageHasher  a fingerprint of the files' paths and bytes (the same images match as zip or folder);
//   imagesDataset / imagesTaskData   the tensors, and the seeded stratified disjoint train/test split.
//
// Images become grey, one channel, at `size`×`size` (28 by default): the shape of MNIST, so the
// MNIST presets (MLP and CNN) and the augmentation read them unchanged. A link carries the spec
// (`ImagesDatasetSpec`: name, fingerprint, class names and counts, size), never the pixels; a link
// opened without them asks for the folder or zip (`imagesNeedFiles`).
import { Rng } from '../rng.ts';
import type { TaskData, TaskInfo, TaskSplit } from './tasks.ts';

export const IMAGE_LIMITS = {
  classes: 50, // output units; far under LIMITS.units, and as many as a class-balance list can show
  minPerClass: 5, // 4 to train on and 1 to test, at the least
  images: 10000, // images in all (at 28×28 that is 31 MiB of f32 on the device)
  bytes: 200 * 1024 * 1024, // the files' bytes in all (a zip's unpacked size)
  fileBytes: 20 * 1024 * 1024, // one image file
  nameLength: 120, // the folder's or zip's name
  classNameLength: 60, // one class folder's name
  minSize: 8, // the side in pixels of what the model sees
  maxSize: 64,
  previewPerClass: 6,
} as const;

/** The share of each class that trains; the rest (at least one image per class) tests. */
export const IMAGE_TRAIN_RATIO = 0.8;
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp'] as const;

export interface ImagesDatasetSpec {
  kind: 'images';
  name: string; // the folder's or zip's name, shown when the images are asked for
  hash: string; // ImageHasher's 16 hex digits over paths and bytes
  classes: string[]; // class folder names in code-unit order: class id k is classes[k]
  counts: number[]; // images per class, the same order
  size: number; // the side of the square grey image the model reads
}

export class ImageError extends Error {}

/** One file as a picker or a zip lists it. */
export interface ImageFileRef {
  path: string; // relative, '/'-separated (a folder's webkitRelativePath or a zip entry's name)
  bytes: number;
}

export interface ImagePlan {
  classes: string[];
  /** The images in order: by class, then by path; `path` has the wrapper folder stripped. */
  files: { path: string; source: string; cls: number; bytes: number }[];
  counts: number[];
  wrapper: string | null; // the top-level folder stripped, if any
  skipped: { notImages: number; examples: string[]; outside: number }; // not images; images outside a class folder
  bytes: number;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Files a system writes beside the images (macOS resource forks, thumbnails): ignored, not counted. */
function isJunk(segments: string[]): boolean {
  const last = segments[segments.length - 1].toLowerCase();
  return segments.some((s) => s.startsWith('.') || s === '__MACOSX') || last === 'thumbs.db' || last === 'desktop.ini';
}

export function isImageName(path: string): boolean {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return path.includes('.') && (IMAGE_EXTENSIONS as readonly string[]).includes(ext);
}

/**
 * Which files are images of which class. Class order is code-unit order of the folder names and
 * files are ordered by path, so the order (hence the labels, the fingerprint and the split) does
 * not depend on the order the picker or the zip lists them in. Throws an ImageError naming the
 * limit, or the classes with too few images.
 */
export function planImages(refs: ImageFileRef[]): ImagePlan {
  const images: { segs: string[]; source: string; bytes: number }[] = [];
  const skipped = { notImages: 0, examples: [] as string[], outside: 0 };
  for (const r of refs) {
    const path = r.path.replace(/\\/g, '/');
    const segs = path.split('/').filter((s) => s !== '' && s !== '.');
    if (segs.length === 0 || path.endsWith('/') || isJunk(segs)) continue; // a zip's folder entries too
    if (!isImageName(segs[segs.length - 1])) {
      skipped.notImages++;
      if (skipped.examples.length < 3) skipped.examples.push(segs.join('/'));
      continue;
    }
    images.push({ segs, source: r.path, bytes: r.bytes });
  }
  // One wrapper folder holding the class folders (a picked folder, or a zip of one folder) is stripped.
  const top = images[0]?.segs[0];
  const wrapper = images.length > 0 && images.every((f) => f.segs.length >= 3 && f.segs[0] === top) ? top : null;
  if (wrapper !== null) for (const f of images) f.segs = f.segs.slice(1);
  const inClass = images.filter((f) => f.segs.length >= 2);
  skipped.outside = images.length - inClass.length;
  const kinds = IMAGE_EXTENSIONS.map((e) => e.toUpperCase()).join(', ');
  if (inClass.length === 0)
    throw new ImageError(`no images found in class folders: arrange the images as <class name>/<image file> (${kinds})${skipped.notImages ? `; ${plural(skipped.notImages, 'file')} that ${skipped.notImages === 1 ? 'is' : 'are'} not images skipped` : ''}`);
  if (inClass.length > IMAGE_LIMITS.images) throw new ImageError(`there are ${fmt(inClass.length)} images, over the limit of ${fmt(IMAGE_LIMITS.images)}`);
  const bytes = inClass.reduce((a, f) => a + f.bytes, 0);
  if (bytes > IMAGE_LIMITS.bytes) throw new ImageError(`the images are ${mib(bytes)} in all, over the limit of ${mib(IMAGE_LIMITS.bytes)}`);
  const big = inClass.find((f) => f.bytes > IMAGE_LIMITS.fileBytes);
  if (big) throw new ImageError(`${big.segs.join('/')} is ${mib(big.bytes)}, over the limit of ${mib(IMAGE_LIMITS.fileBytes)} for one image`);
  const classes = [...new Set(inClass.map((f) => f.segs[0]))].sort(byCodeUnit);
  const long = classes.find((c) => c.length > IMAGE_LIMITS.classNameLength);
  if (long) throw new ImageError(`the class folder name "${long.slice(0, 30)}…" is ${long.length} characters, over the limit of ${IMAGE_LIMITS.classNameLength}`);
  if (classes.length < 2)
    throw new ImageError(`there is only one class folder ("${classes[0]}", ${plural(inClass.length, 'image')}): at least 2 classes are needed, one folder per class, as <class name>/<image file>`);
  if (classes.length > IMAGE_LIMITS.classes) throw new ImageError(`there are ${classes.length} class folders, over the limit of ${IMAGE_LIMITS.classes} classes`);
  const id = new Map(classes.map((c, k) => [c, k]));
  const files = inClass
    .map((f) => ({ path: f.segs.join('/'), source: f.source, cls: id.get(f.segs[0])!, bytes: f.bytes }))
    .sort((a, b) => a.cls - b.cls || byCodeUnit(a.path, b.path));
  const counts = classes.map(() => 0);
  for (const f of files) counts[f.cls]++;
  const few = classes.filter((_, k) => counts[k] < IMAGE_LIMITS.minPerClass);
  if (few.length)
    throw new ImageError(`${few.map((c) => `class "${c}" has ${plural(counts[id.get(c)!], 'image')}`).join(', ')}: each class needs at least ${IMAGE_LIMITS.minPerClass} (some to train on, one to test)`);
  return { classes, files, counts, wrapper, skipped, bytes };
}

/** The centred square of a w×h image (the centre crop): the model sees no bars, and no bars differ between classes. */
export function cropRect(w: number, h: number): { sx: number; sy: number; sw: number; sh: number } {
  const s = Math.min(w, h);
  return { sx: Math.floor((w - s) / 2), sy: Math.floor((h - s) / 2), sw: s, sh: s };
}

/**
 * RGBA bytes (as a canvas returns them) → grey in [0, 1], luma 0.299 R + 0.587 G + 0.114 B, with
 * transparent pixels laid over white (how the image looks on a page).
 */
export function greyPixels(rgba: Uint8ClampedArray | Uint8Array, out = new Float32Array(rgba.length / 4)): Float32Array {
  for (let i = 0; i < out.length; i++) {
    const a = rgba[4 * i + 3] / 255;
    const y = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
    out[i] = (a * y + (1 - a) * 255) / 255;
  }
  return out;
}

/** FNV-1a in two 32-bit lanes over each file's path and bytes, in plan order: 16 hex digits. */
export class ImageHasher {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;
  private byte(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193) >>> 0;
    this.b = Math.imul(this.b ^ c ^ (this.a >>> 7), 0x01000193) >>> 0;
  }
  update(path: string, bytes: Uint8Array): void {
    for (let i = 0; i < path.length; i++) this.byte(path.charCodeAt(i));
    this.byte(0);
    let a = this.a, b = this.b;
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 0x01000193) >>> 0;
      b = Math.imul(b ^ bytes[i] ^ (a >>> 7), 0x01000193) >>> 0;
    }
    this.a = a;
    this.b = b;
    this.byte(0);
  }
  digest(): string {
    return this.a.toString(16).padStart(8, '0') + this.b.toString(16).padStart(8, '0');
  }
}

/** A folder or zip read whole: the spec, every image's pixels and its class. */
export interface ImagesDataset {
  spec: ImagesDatasetSpec;
  pixels: Float32Array; // (count, size, size, 1) in [0, 1], plan order
  labels: Uint32Array; // class id per image
  paths: string[]; // each image's path, plan order
  skipped: ImagePlan['skipped'];
}

/** Builds the dataset from a plan and each file's decoded grey pixels (size × size, plan order). */
export function imagesDataset(o: { name: string; plan: ImagePlan; pixels: Float32Array[]; hash: string; size: number }): ImagesDataset {
  const { plan, size } = o;
  const px = size * size;
  if (!Number.isInteger(size) || size < IMAGE_LIMITS.minSize || size > IMAGE_LIMITS.maxSize)
    throw new ImageError(`the image size must be a whole number of pixels between ${IMAGE_LIMITS.minSize} and ${IMAGE_LIMITS.maxSize}, got ${size}`);
  if (o.pixels.length !== plan.files.length) throw new ImageError(`${plan.files.length} images were planned but ${o.pixels.length} decoded`);
  const pixels = new Float32Array(plan.files.length * px);
  o.pixels.forEach((p, i) => {
    if (p.length !== px) throw new ImageError(`${plan.files[i].path}: ${p.length} pixels, expected ${size}×${size}`);
    pixels.set(p, i * px);
  });
  const name = o.name.slice(0, IMAGE_LIMITS.nameLength) || 'images';
  return {
    spec: { kind: 'images', name, hash: o.hash, classes: [...plan.classes], counts: [...plan.counts], size },
    pixels, labels: Uint32Array.from(plan.files, (f) => f.cls), paths: plan.files.map((f) => f.path), skipped: plan.skipped,
  };
}

/** Test images per class: a fifth, at least one, leaving at least one to train on. */
const testCount = (c: number) => Math.min(c - 1, Math.max(1, Math.round(c * (1 - IMAGE_TRAIN_RATIO))));

/** Train and test sizes of the stratified split, from the counts alone. */
export function imagesSplitSizes(counts: number[]): { train: number; test: number } {
  const test = counts.reduce((a, c) => a + testCount(c), 0);
  return { train: counts.reduce((a, b) => a + b, 0) - test, test };
}

/** Shapes, loss and sizes from the spec alone (shape inference needs no pixels). */
export function imagesInfo(d: ImagesDatasetSpec): TaskInfo {
  const { train, test } = imagesSplitSizes(d.counts);
  const n = d.counts.reduce((a, b) => a + b, 0);
  return {
    name: d.name, inputShape: [d.size, d.size, 1], inputVocab: 0, output: { kind: 'class', V: d.classes.length }, loss: 'softmax_cross_entropy',
    symbols: [...d.classes], trainSize: train, testSize: test,
    description: `your images ${d.name}: ${fmt(n)} images in ${d.classes.length} classes, grey ${d.size}×${d.size}`,
  };
}

/** Issues with an images spec, as [field, message] pairs (the pixels are checked when they are read). */
export function imagesIssues(d: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  const L = IMAGE_LIMITS;
  if (typeof d.name !== 'string' || d.name.length === 0 || d.name.length > L.nameLength) out.push(['name', `must be the folder's or zip's name, 1 to ${L.nameLength} characters`]);
  if (typeof d.hash !== 'string' || !/^[0-9a-f]{16}$/.test(d.hash)) out.push(['hash', "must be 16 hexadecimal digits (the images' fingerprint)"]);
  const cls = d.classes;
  if (!Array.isArray(cls) || cls.length < 2 || cls.length > L.classes) out.push(['classes', `must list 2 to ${L.classes} class names`]);
  else {
    const bad = cls.findIndex((c, k) => typeof c !== 'string' || c === '' || c.length > L.classNameLength || (k > 0 && !(cls[k - 1] < c)));
    if (bad >= 0) out.push(['classes', `class ${bad + 1} must be a name of 1 to ${L.classNameLength} characters, after the one before it in code-unit order, got ${JSON.stringify(cls[bad])}`]);
  }
  const counts = d.counts;
  if (!Array.isArray(counts) || !Array.isArray(cls) || counts.length !== cls.length) out.push(['counts', 'must give one image count per class']);
  else {
    const bad = counts.findIndex((c) => typeof c !== 'number' || !Number.isInteger(c) || c < L.minPerClass || c > L.images);
    if (bad >= 0) out.push(['counts', `class ${bad + 1} must have an integer count between ${L.minPerClass} and ${L.images}, got ${JSON.stringify(counts[bad])}`]);
    else if (counts.reduce((a: number, b: number) => a + b, 0) > L.images) out.push(['counts', `must add up to at most ${fmt(L.images)} images`]);
  }
  const s = d.size;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < L.minSize || s > L.maxSize) out.push(['size', `must be an integer between ${L.minSize} and ${L.maxSize}, got ${JSON.stringify(s)}`]);
  return out;
}

/** Why a dataset cannot stand for this spec (other images, or read at another size), or null. */
export function imagesMismatch(d: ImagesDatasetSpec, ds: ImagesDataset): string | null {
  const s = ds.spec;
  const n = d.counts.reduce((a, b) => a + b, 0);
  if (s.hash !== d.hash)
    return `this model was trained on ${d.name} (${plural(n, 'image')} in ${d.classes.length} classes, fingerprint ${d.hash}); the images given (${s.name}) have fingerprint ${s.hash}, so they are different images`;
  if (s.size !== d.size) return `the images match, but the model reads ${d.size}×${d.size} pixels while they were read at ${s.size}×${s.size}`;
  return null;
}

/** What a page or trainer says when an images model's spec arrives without its pixels. */
export function imagesNeedFiles(d: ImagesDatasetSpec): string {
  const n = d.counts.reduce((a, b) => a + b, 0);
  return `This model was trained on your own images ${d.name} (${plural(n, 'image')} in ${d.classes.length} classes: ${d.classes.join(', ')}), which never left that browser. Choose the same folder or zip to train or evaluate it.`;
}

/**
 * Splits the images into train and test, stratified: in each class a seeded shuffle puts
 * `testCount` images in test and the rest in train (disjoint by image); each split is then shuffled
 * so that batches mix the classes.
 */
export function imagesTaskData(d: ImagesDatasetSpec, ds: ImagesDataset, seed: number): TaskData {
  const why = imagesMismatch(d, ds);
  if (why) throw new ImageError(why);
  const info = imagesInfo(d);
  const rng = new Rng((seed ^ 0x1a6e5d37) >>> 0);
  const members: number[][] = d.classes.map(() => []);
  ds.labels.forEach((y, i) => members[y].push(i));
  const train: number[] = [], test: number[] = [];
  members.forEach((m) => {
    const order = rng.permutation(m.length);
    const t = testCount(m.length);
    order.forEach((j, k) => (k < t ? test : train).push(m[j]));
  });
  const px = d.size * d.size;
  const take = (ids: number[]): TaskSplit => {
    const order = rng.permutation(ids.length);
    const inputs = new Float32Array(ids.length * px), targets = new Uint32Array(ids.length);
    order.forEach((j, k) => {
      const i = ids[j];
      inputs.set(ds.pixels.subarray(i * px, (i + 1) * px), k * px);
      targets[k] = ds.labels[i];
    });
    return { inputs, targets, n: ids.length };
  };
  return { info, train: take(train), test: take(test) };
}
