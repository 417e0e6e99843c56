// A drawing turned into an MNIST-like input, the way the dataset was made: the ink's bounding box
// scaled (aspect kept) to fit a 20×20 box, box-filtered to grayscale, then placed in the 28×28
// field with its centre of mass at the centre. Values are ink in [0, 1], as the engine's gather
// gives (u8 pixel / 255, white ink on black).

const FIELD = 28;
const BOX = 20;

/** ink: (h, w) values in [0, 1], row-major. Returns 784 values; all zero when nothing is drawn. */
export function toMnist(ink: Float32Array, w: number, h: number): Float32Array {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (ink[y * w + x] > 0.02) {
        x0 = Math.min(x0, x); x1 = Math.max(x1, x);
        y0 = Math.min(y0, y); y1 = Math.max(y1, y);
      }
  const out = new Float32Array(FIELD * FIELD);
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh); // output pixels per input pixel
  const ow = Math.max(1, Math.round(bw * scale)), oh = Math.max(1, Math.round(bh * scale));
  // Box filter: each output pixel averages the input pixels it covers (at least one).
  const small = new Float32Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) {
    const sy0 = y0 + Math.floor(oy / scale), sy1 = Math.max(sy0 + 1, y0 + Math.floor((oy + 1) / scale));
    for (let ox = 0; ox < ow; ox++) {
      const sx0 = x0 + Math.floor(ox / scale), sx1 = Math.max(sx0 + 1, x0 + Math.floor((ox + 1) / scale));
      let sum = 0, n = 0;
      for (let y = sy0; y < Math.min(sy1, h); y++)
        for (let x = sx0; x < Math.min(sx1, w); x++) {
          sum += ink[y * w + x];
          n++;
        }
      small[oy * ow + ox] = n ? sum / n : 0;
    }
  }
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      const v = small[y * ow + x];
      m += v; mx += v * x; my += v * y;
    }
  // Shift so the centre of mass lands on pixel centre (14, 14); ink pushed past the edge is lost.
  const dx = Math.round(FIELD / 2 - (m ? mx / m : ow / 2) - 0.5);
  const dy = Math.round(FIELD / 2 - (m ? my / m : oh / 2) - 0.5);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      const tx = x + dx, ty = y + dy;
      if (tx >= 0 && tx < FIELD && ty >= 0 && ty < FIELD) out[ty * FIELD + tx] = Math.min(1, small[y * ow + x]);
    }
  return out;
}
