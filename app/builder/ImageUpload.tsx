// Your own images, read in this browser only: pick a folder or a zip (or drop either) arranged as
// <class name>/<image file>; the images are decoded a batch at a time with a progress line, then
// the class balance and each class's first images, at the size the model sees them, are shown;
// then "Use these images". Any problem is named in an alert and the dataset in use stays as it
// was: nothing is handed on until the images are read whole and chosen.
import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { IMAGE_LIMITS, ImageError, imagesMismatch, imagesNeedFiles, type ImagesDataset, type ImagesDatasetSpec } from '../engine.ts';
import { fromDrop, fromFolderInput, fromZip, readImages, type ImageSource } from './imageFiles.ts';

export interface ImageUploadProps {
  onUse: (d: ImagesDataset) => void;
  /** A model opened from a link names the images it was trained on: only those are accepted. */
  expect?: ImagesDatasetSpec | null;
  size?: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const fmt = (n: number) => n.toLocaleString('en-US');

/** One image as the model sees it: grey size×size, drawn pixel for pixel and shown 1.5 times as large. */
function Thumb(p: { pixels: Float32Array; size: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(p.size, p.size);
    p.pixels.forEach((v, i) => {
      const g = Math.round(v * 255);
      img.data.set([g, g, g, 255], 4 * i);
    });
    ctx.putImageData(img, 0, 0);
  }, [p.pixels, p.size]);
  return <canvas ref={ref} width={p.size} height={p.size} role="img" aria-label={p.label} style={{ width: 1.5 * p.size, height: 1.5 * p.size, imageRendering: 'pixelated', border: '1px solid #8884' }} />;
}

/** The class balance as a bar list, and the first images of each class. */
function ImagesPreview({ d }: { d: ImagesDataset }) {
  const { classes, counts, size } = d.spec;
  const n = counts.reduce((a, b) => a + b, 0), most = Math.max(...counts);
  const px = size * size;
  const first = classes.map((_, k) => {
    const out: number[] = [];
    for (let i = 0; i < d.labels.length && out.length < IMAGE_LIMITS.previewPerClass; i++) if (d.labels[i] === k) out.push(i);
    return out;
  });
  return (
    <>
      <ul className="image-balance" aria-label="Class balance" style={{ listStyle: 'none', padding: 0 }}>
        {classes.map((c, k) => (
          <li key={c} style={{ display: 'flex', gap: '.5em', alignItems: 'center' }}>
            <span style={{ minWidth: '8em' }}>{c}</span>
            <span aria-hidden="true" style={{ display: 'inline-block', height: '.7em', width: `${(8 * counts[k]) / most}em`, background: 'currentColor', opacity: 0.5 }} />
            <span>{fmt(counts[k])} images ({Math.round((100 * counts[k]) / n)}%)</span>
          </li>
        ))}
      </ul>
      {classes.map((c, k) => (
        <div key={c} role="group" aria-label={`${c}: the first ${first[k].length} images as the model sees them`} style={{ display: 'flex', gap: 3, flexWrap: 'wrap', marginBottom: '.4em' }}>
          <span style={{ flexBasis: '100%', fontSize: '.85em' }}>{c}</span>
          {first[k].map((i) => <Thumb key={i} pixels={d.pixels.subarray(i * px, (i + 1) * px)} size={size} label={d.paths[i]} />)}
        </div>
      ))}
    </>
  );
}

export function ImageUpload(p: ImageUploadProps) {
  const size = p.size ?? p.expect?.size ?? 28;
  const [progress, setProgress] = useState<{ name: string; done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [data, setData] = useState<ImagesDataset | null>(null);
  const [used, setUsed] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const reading = useRef(0); // the latest choice; an older read still going is dropped
  const ids = { folder: useId(), zip: useId() };

  const load = async (name: string, open: () => Promise<ImageSource>) => {
    const me = ++reading.current;
    setUsed(null);
    setError(null);
    setProgress({ name, done: 0, total: 0 });
    try {
      const src = await open();
      const d = await readImages(src, size, (done, total) => me === reading.current && setProgress({ name: src.name, done, total }), () => me !== reading.current);
      const why = p.expect ? imagesMismatch(p.expect, d) : null;
      if (why) throw new ImageError(why);
      if (me === reading.current) setData(d);
    } catch (e) {
      if (me !== reading.current) return;
      setData(null); // the images read before are not offered again; the dataset in use stays
      setError(`${name}: ${message(e)}`);
    } finally {
      if (me === reading.current) setProgress(null);
    }
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const dt = e.dataTransfer;
    void load(dt.files.length === 1 ? dt.files[0].name : 'the dropped files', () => fromDrop(dt));
  };
  const skipped = data?.skipped;
  return (
    <section className="image-upload" aria-label="Your own images">
      {p.expect ? <p className="note">{imagesNeedFiles(p.expect)}</p> : null}
      <div
        role="group"
        aria-label="Drop a folder or a zip here"
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        style={{ border: `2px dashed ${over ? 'currentColor' : '#8888'}`, padding: '.75em', borderRadius: 6 }}
      >
        <p style={{ margin: '0 0 .5em' }}>
          One folder per class, as <code>&lt;class name&gt;/&lt;image file&gt;</code> (PNG, JPEG, GIF, WebP or BMP; at most {IMAGE_LIMITS.classes} classes,
          {' '}{fmt(IMAGE_LIMITS.images)} images, {IMAGE_LIMITS.bytes / 1024 / 1024} MiB). Each becomes grey {size}×{size}, centre-cropped. It stays in this browser.
        </p>
        <label htmlFor={ids.folder}>Folder of images</label>{' '}
        <input id={ids.folder} type="file" multiple disabled={!!progress} {...{ webkitdirectory: '', directory: '' }}
          onChange={(e) => { const l = e.currentTarget.files; if (l?.length) void load(l[0].webkitRelativePath.split('/')[0] || 'the folder', async () => fromFolderInput(l)); }} />
        <br />
        <label htmlFor={ids.zip}>Zip of images</label>{' '}
        <input id={ids.zip} type="file" accept=".zip,application/zip" disabled={!!progress}
          onChange={(e) => { const f = e.currentTarget.files?.[0]; if (f) void load(f.name, () => fromZip(f)); }} />
        <p style={{ margin: '.5em 0 0' }}>or drop a folder or a zip here.</p>
      </div>
      {progress ? (
        <p role="status">
          {progress.total ? `Reading images: ${fmt(progress.done)} of ${fmt(progress.total)}` : `Opening ${progress.name}…`}
          {progress.total ? <progress value={progress.done} max={progress.total} style={{ marginLeft: '.5em' }} /> : null}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}. The dataset in use is unchanged.
        </p>
      ) : null}
      {data ? (
        <>
          <p>
            {data.spec.name}: {fmt(data.labels.length)} images in {data.spec.classes.length} classes.
            {skipped && skipped.notImages ? ` Skipped ${fmt(skipped.notImages)} ${skipped.notImages === 1 ? 'file that is' : 'files that are'} not images (${skipped.examples.join(', ')}${skipped.notImages > skipped.examples.length ? ', …' : ''}).` : ''}
            {skipped && skipped.outside ? ` Skipped ${fmt(skipped.outside)} ${skipped.outside === 1 ? 'image' : 'images'} outside a class folder.` : ''}
          </p>
          <ImagesPreview d={data} />
          <p>
            A seeded 80/20 split in every class.{' '}
            <button type="button" onClick={() => { p.onUse(data); setUsed(data.spec.name); }}>
              Use these images
            </button>
          </p>
          {used ? <p role="status">Using {used}.</p> : null}
        </>
      ) : null}
    </section>
  );
}
