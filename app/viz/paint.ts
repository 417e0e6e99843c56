// Painting the playground's small pictures: each is a g×g canvas filled with putImageData and scaled
// up by CSS. The contexts are software ones (willReadFrequently): a GPU-backed 2-D canvas on a
// software adapter made the page's main thread wait for the GPU process at every frame ("GPU
// backpressure" in a trace: 10 s of 13 s with the CPU backend training), so the pictures froze.
import { boundaryPixels } from './boundaryPixels.ts';

/** The canvas's 2-D context, kept in memory rather than on the GPU. */
export const softContext = (cv: HTMLCanvasElement | null): CanvasRenderingContext2D | null =>
  cv?.getContext('2d', { willReadFrequently: true }) ?? null;

/** Paints RGBA pixels of a g×g picture onto `cv`, resizing its backing store to g×g when needed. */
export function paintPixels(cv: HTMLCanvasElement | null, pixels: Uint8ClampedArray<ArrayBuffer>, g: number): void {
  if (!cv) return;
  if (cv.width !== g) cv.width = g;
  if (cv.height !== g) cv.height = g;
  softContext(cv)?.putImageData(new ImageData(pixels, g, g), 0, 0);
}

/** Column k of a (g·g, width) row-major block, tanh-squashed to [−1, 1]: one unit's picture. */
export function unitValues(values: Float32Array, width: number, k: number): Float32Array {
  const n = values.length / width, col = new Float32Array(n);
  for (let i = 0; i < n; i++) col[i] = Math.tanh(values[i * width + k]);
  return col;
}

/** Column k of a (g·g, F) feature grid, scaled by its largest magnitude to [−1, 1]. */
export function featureValues(grid: Float32Array, F: number, k: number): Float32Array {
  const n = grid.length / F, col = new Float32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(grid[i * F + k]));
  for (let i = 0; i < n; i++) col[i] = m > 0 ? grid[i * F + k] / m : 0;
  return col;
}

/** A unit's colours: orange for negative, blue for positive, full strength (no fade). */
export const unitPixels = (t: Float32Array, g: number) => boundaryPixels(t, g, true, 0);
