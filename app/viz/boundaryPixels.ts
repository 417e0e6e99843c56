// The colours of the boundary picture, as TF Playground draws them: orange for class 0 (or −1),
// white at the fence (p = ½, or 0), blue for class 1 (or +1). Pure functions, no DOM: the
// component paints what these return.

export const ORANGE: [number, number, number] = [245, 147, 34];
export const BLUE: [number, number, number] = [8, 119, 189];

/** RGB for t in [−1, 1]: orange at −1, white at 0, blue at +1 (NaN: magenta, so it shows). */
export function boundaryColour(t: number): [number, number, number] {
  if (!Number.isFinite(t)) return [255, 0, 255];
  const s = Math.max(-1, Math.min(1, t)), [r, g, b] = s >= 0 ? BLUE : ORANGE, k = Math.abs(s);
  return [Math.round(255 + (r - 255) * k), Math.round(255 + (g - 255) * k), Math.round(255 + (b - 255) * k)];
}

/** A grid value as t in [−1, 1]: a probability p of class 1 maps to 2p − 1; a regression value is itself. */
export const gridT = (v: number, regression: boolean): number => (regression ? v : 2 * v - 1);

/**
 * RGBA pixels of a g×g grid (row-major from the top), paler than the points drawn on it
 * (`fade` of the way to white), for an ImageData of g×g.
 */
export function boundaryPixels(values: ArrayLike<number>, g: number, regression: boolean, fade = 0.35): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(g * g * 4);
  for (let i = 0; i < g * g; i++) {
    const c = boundaryColour(gridT(values[i], regression));
    for (let k = 0; k < 3; k++) out[4 * i + k] = Math.round(c[k] + (255 - c[k]) * fade);
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Share of the grid on the class-1 side (p > ½, or value > 0): the picture's summary in words. */
export function blueShare(values: ArrayLike<number>, regression: boolean): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (gridT(values[i], regression) > 0) n++;
  return values.length ? n / values.length : 0;
}
