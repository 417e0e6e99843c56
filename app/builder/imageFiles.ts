// The browser side of "Your images": list the files of a picked folder, a zip or a drop; read them
// a batch at a time (a zip is unpacked a batch of entries at a time, from its central directory);
// decode each with createImageBitmap, centre-crop and resize it on an OffscreenCanvas to the model's
// size, and hand the grey pixels to the engine (kernels/data/images.ts), which plans, checks and
// fingerprints. Between batches the page gets the event loop back, so it never freezes and the
// progress line moves. Nothing here is sent anywhere.
import { unzipSync } from 'fflate';
import { cropRect, greyPixels, ImageError, ImageHasher, imagesDataset, IMAGE_LIMITS, planImages, type ImageFileRef, type ImagesDataset } from '../engine.ts';

/** A folder, a zip or a drop: its files listed, and a reader for a batch of them by path. */
export interface ImageSource {
  name: string;
  refs: ImageFileRef[];
  read: (paths: string[]) => Promise<Uint8Array[]>;
}

const BATCH = 16;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Files with their paths: a folder input's webkitRelativePath, a dropped entry's full path, else the name. */
export function fromFiles(name: string, files: { file: File; path: string }[]): ImageSource {
  const byPath = new Map(files.map((f) => [f.path, f.file]));
  return {
    name,
    refs: files.map((f) => ({ path: f.path, bytes: f.file.size })),
    read: (paths) => Promise.all(paths.map(async (p) => new Uint8Array(await byPath.get(p)!.arrayBuffer()))),
  };
}

/** A folder input's files (webkitRelativePath starts with the picked folder's name). */
export function fromFolderInput(list: FileList): ImageSource {
  const files = Array.from(list, (file) => ({ file, path: file.webkitRelativePath || file.name }));
  const top = files[0]?.path.split('/')[0] ?? 'folder';
  return fromFiles(top, files);
}

/** A zip: checked to be one, listed from its central directory, unpacked a batch of entries at a time. */
export async function fromZip(file: File): Promise<ImageSource> {
  if (file.size > IMAGE_LIMITS.bytes) throw new ImageError(`the zip is ${mib(file.size)}, over the limit of ${mib(IMAGE_LIMITS.bytes)}`);
  const data = new Uint8Array(await file.arrayBuffer());
  const sig = data.length >= 4 ? (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0 : 0;
  if (sig !== 0x04034b50 && sig !== 0x06054b50) throw new ImageError('this is not a zip file (it does not begin with a zip signature); choose a .zip or a folder');
  const refs: ImageFileRef[] = [];
  try {
    unzipSync(data, {
      filter: (f) => {
        if (!f.name.endsWith('/')) refs.push({ path: f.name, bytes: f.originalSize });
        return false; // listing only: nothing is unpacked here
      },
    });
  } catch (e) {
    throw new ImageError(`the zip is damaged or incomplete: its directory cannot be read (${message(e)})`);
  }
  return {
    name: file.name,
    refs,
    read: async (paths) => {
      const want = new Set(paths);
      let out: Record<string, Uint8Array>;
      try {
        out = unzipSync(data, { filter: (f) => want.has(f.name) });
      } catch (e) {
        throw new ImageError(`the zip is damaged: an entry among ${paths[0]}… cannot be unpacked (${message(e)})`);
      }
      return paths.map((p) => {
        if (!out[p]) throw new ImageError(`the zip is damaged: ${p} is listed but cannot be unpacked`);
        return out[p];
      });
    },
  };
}

/** Every file under a dropped directory entry, with its full path. */
async function walk(entry: FileSystemEntry, out: { file: File; path: string }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ file, path: entry.fullPath.replace(/^\//, '') });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej)); // up to 100 at a time
    if (batch.length === 0) return;
    for (const e of batch) await walk(e, out);
  }
}

/** A drop of one zip, or of folders (or class folders): the source to read. */
export async function fromDrop(dt: DataTransfer): Promise<ImageSource> {
  const entries = Array.from(dt.items, (i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  const zip = dt.files.length === 1 && /\.zip$/i.test(dt.files[0].name) ? dt.files[0] : null;
  if (zip) return fromZip(zip);
  if (entries.length === 0) throw new ImageError('nothing readable was dropped: drop a folder of class folders, or a zip');
  const files: { file: File; path: string }[] = [];
  for (const e of entries) await walk(e, files);
  const name = entries.length === 1 && entries[0].isDirectory ? entries[0].name : 'dropped images';
  return fromFiles(name, files);
}

/** One image's bytes → size×size grey pixels in [0, 1], centre-cropped. Throws naming the file. */
async function decode(path: string, bytes: Uint8Array, size: number, ctx: OffscreenCanvasRenderingContext2D): Promise<Float32Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart]));
  } catch {
    throw new ImageError(`${path} could not be decoded as an image (is it a damaged or mislabelled file?)`);
  }
  const r = cropRect(bitmap.width, bitmap.height);
  ctx.clearRect(0, 0, size, size);
  ctx.drawImage(bitmap, r.sx, r.sy, r.sw, r.sh, 0, 0, size, size);
  bitmap.close();
  return greyPixels(ctx.getImageData(0, 0, size, size).data);
}

const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Plans, reads, fingerprints and decodes a source's images, a batch at a time, reporting
 * (done, total) after each. Throws an ImageError on the first problem; nothing is kept then.
 */
export async function readImages(src: ImageSource, size: number, onProgress: (done: number, total: number) => void, cancelled = () => false): Promise<ImagesDataset> {
  const plan = planImages(src.refs);
  const canvas = new OffscreenCanvas(size, size);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new ImageError('this browser cannot draw images off screen (no 2-D OffscreenCanvas)');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const hasher = new ImageHasher();
  const pixels: Float32Array[] = [];
  const total = plan.files.length;
  onProgress(0, total);
  for (let i = 0; i < total; i += BATCH) {
    const batch = plan.files.slice(i, i + BATCH);
    const bytes = await src.read(batch.map((f) => f.source));
    for (let k = 0; k < batch.length; k++) {
      hasher.update(batch[k].path, bytes[k]);
      pixels.push(await decode(batch[k].source, bytes[k], size, ctx)); // named as the folder or zip lists it
    }
    onProgress(Math.min(i + BATCH, total), total);
    await nextTask();
    if (cancelled()) throw new ImageError('reading was replaced by a newer choice');
  }
  return imagesDataset({ name: src.name, plan, pixels, hash: hasher.digest(), size });
}
