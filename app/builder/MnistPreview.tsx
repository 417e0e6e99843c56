// MNIST preview: the first images of the training or test split, each drawn on a canvas with its
// label. Only the head of the idx files is fetched (kernels/data/mnist.ts loadMnistHead, about
// 19 KB for 24 images), once per split per page; the worker loads the full files when training.
import { useEffect, useState } from 'react';
import { loadMnistHead, type MnistSplit } from '../engine.ts';
import { SelectField } from '../ui/fields.tsx';
import { useGreyCanvas } from '../ui/greyCanvas.ts';

export const PREVIEW_IMAGES = 24;
type Split = 'train' | 'test';
const SPLITS = [{ value: 'train' as const, label: 'Training' }, { value: 'test' as const, label: 'Test' }];
const NAME: Record<Split, string> = { train: 'Training', test: 'Test' };

// One request per split; a failed one is forgotten so that "Try again" asks anew.
const cache = new Map<Split, Promise<MnistSplit>>();
function head(split: Split): Promise<MnistSplit> {
  let p = cache.get(split);
  if (!p) {
    p = loadMnistHead(new URL('mnist/', location.href).href, split, PREVIEW_IMAGES);
    p.catch(() => cache.delete(split));
    cache.set(split, p);
  }
  return p;
}

type State = { split: Split; data: MnistSplit | null; error: string | null };

export function MnistPreview() {
  const [split, setSplit] = useState<Split>('train');
  const [attempt, setAttempt] = useState(0);
  const [s, setS] = useState<State>({ split, data: null, error: null });
  useEffect(() => {
    let live = true;
    setS({ split, data: null, error: null });
    head(split).then(
      (data) => live && setS({ split, data, error: null }),
      (e: unknown) => live && setS({ split, data: null, error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
    };
  }, [split, attempt]);
  return (
    <div className="mnist-preview">
      <SelectField label="Split" value={split} options={SPLITS} onChange={setSplit} />
      {s.error ? (
        <div className="preview-error" role="alert">
          <p className="field-error">Could not load the MNIST preview: {s.error}</p>
          <button type="button" onClick={() => setAttempt(attempt + 1)}>Try again</button>
        </div>
      ) : !s.data ? (
        // The grid's shape while loading, so that nothing below it moves when the images arrive.
        <figure className="digit-grid-box">
          <figcaption role="status">Loading the first {PREVIEW_IMAGES} {NAME[split].toLowerCase()} images…</figcaption>
          <ul className="digit-grid" aria-hidden="true">
            {Array.from({ length: PREVIEW_IMAGES }, (_, i) => <li key={i} className="digit"><span className="digit-blank" />&nbsp;</li>)}
          </ul>
        </figure>
      ) : (
        <figure className="digit-grid-box">
          <figcaption>The first {s.data.n} {NAME[s.split].toLowerCase()} images, labels below</figcaption>
          <ul className="digit-grid" aria-label={`First ${NAME[s.split].toLowerCase()} images`} data-testid="mnist-preview" data-split={s.split}>
            {Array.from({ length: s.data.n }, (_, i) => (
              <Digit key={`${s.split}-${i}`} image={s.data!.images.subarray(i * 784, (i + 1) * 784)} label={s.data!.labels[i]} name={`${NAME[s.split]} image ${i}`} />
            ))}
          </ul>
        </figure>
      )}
    </div>
  );
}

function Digit({ image, label, name }: { image: Uint8Array; label: number; name: string }) {
  const ref = useGreyCanvas(image, 255);
  return (
    <li className="digit" data-label={label}>
      <canvas ref={ref} width={28} height={28} role="img" aria-label={`${name}: a ${label}`} />
      <span aria-hidden="true">{label}</span>
    </li>
  );
}
