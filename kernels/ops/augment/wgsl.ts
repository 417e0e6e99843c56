// On-GPU augmentation of a training batch (NHWC), right after the gather, seeded per step.
import { ENTRY_1D, FLAT_INDEX, HASH } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

// ---- augmentation ----
/** One thread per output pixel (n, i, j), all channels; the formula of augmentRef in augment/cpu.ts. */
export function augmentWgsl(): Shader {
  return shader([read('X'), rw('Y')], `struct D { N: u32, H: u32, W: u32, C: u32, salt: u32, flip: u32, p0: u32, p1: u32, rotate: f32, scale: f32, shift: f32, p2: f32 }
${FLAT_INDEX}
${HASH}
fn r(n: u32, j: u32) -> f32 { return 2.0 * hashUniform(st.seed, d.salt, 8u * n + j) - 1.0; }
fn at(n: u32, i: i32, j: i32, c: u32) -> f32 {
  if (i < 0 || j < 0 || i >= i32(d.H) || j >= i32(d.W)) { return 0.0; }
  return X[((n * d.H + u32(i)) * d.W + u32(j)) * d.C + c];
}
${ENTRY_1D} {
  let p = flatIndex(wg, nwg, lid);
  if (p >= d.N * d.H * d.W) { return; }
  let j = p % d.W; let i = (p / d.W) % d.H; let n = p / (d.W * d.H);
  let th = r(n, 0u) * d.rotate * 0.017453292519943295;
  // Taylor polynomials instead of cos/sin: WGSL allows those 2^-11 absolute error, which moved
  // pixels by ~1e-3 against the CPU; for |θ| ≤ 45° (validated) these are within 2e-9.
  let t2 = th * th;
  let si = th * (1.0 - t2 / 6.0 * (1.0 - t2 / 20.0 * (1.0 - t2 / 42.0 * (1.0 - t2 / 72.0))));
  let co = 1.0 - t2 / 2.0 * (1.0 - t2 / 12.0 * (1.0 - t2 / 30.0 * (1.0 - t2 / 56.0 * (1.0 - t2 / 90.0))));
  let s = 1.0 + r(n, 1u) * d.scale;
  let tx = r(n, 2u) * d.shift; let ty = r(n, 3u) * d.shift;
  let cx = f32(d.W - 1u) * 0.5; let cy = f32(d.H - 1u) * 0.5;
  let dx = f32(j) - cx - tx; let dy = f32(i) - cy - ty;
  var sx = (co * dx + si * dy) / s + cx;
  let sy = (-si * dx + co * dy) / s + cy;
  if (d.flip == 1u && r(n, 4u) < 0.0) { sx = f32(d.W - 1u) - sx; }
  let x0 = floor(sx); let y0 = floor(sy); let fx = sx - x0; let fy = sy - y0;
  let xi = i32(x0); let yi = i32(y0);
  for (var c = 0u; c < d.C; c++) {
    let v = (1.0 - fy) * ((1.0 - fx) * at(n, yi, xi, c) + fx * at(n, yi, xi + 1, c)) +
            fy * ((1.0 - fx) * at(n, yi + 1, xi, c) + fx * at(n, yi + 1, xi + 1, c));
    Y[p * d.C + c] = v;
  }
}`);
}
