// A 28×28 (or w×h) grey image drawn into a canvas: MNIST previews, mistakes, feature-map inputs.
import { useEffect, useRef } from 'react';

/** Ref for a canvas of w×h pixels showing `pixels` (row-major) scaled so that `max` is white. */
export function useGreyCanvas(pixels: ArrayLike<number>, max: number, w = 28, h = 28) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < w * h; i++) {
      img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = Math.round((pixels[i] / max) * 255);
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, max, w, h]);
  return ref;
}
