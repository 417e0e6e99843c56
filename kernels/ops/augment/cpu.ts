// Plain-loop reference of the per-sample image augmentation (NHWC).
import { sizeOf, type AugmentConfig, type Kernel, type StepParams, type Tensor } from '../../backend.ts';
import { hashUniform } from '../../rng.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;

/**
 * The per-sample transform: rotation θ, zoom s, shift (tx, ty) about the image centre, optional
 * mirror. Draws are hashUniform(seed, salt, 8n + j), j = 0..4. Output pixel (i, j) samples the input
 * at the inverse map of its position. Shared formula with augment/wgsl.ts, computed here in f64.
 */
export function augmentParams(p: StepParams, salt: number, n: number, cfg: AugmentConfig): { cos: number; sin: number; s: number; tx: number; ty: number; flip: boolean } {
  const r = (j: number) => 2 * hashUniform(p.seed, salt, 8 * n + j) - 1; // (−1, 1)
  const th = r(0) * cfg.rotate * (Math.PI / 180);
  return { cos: Math.cos(th), sin: Math.sin(th), s: 1 + r(1) * cfg.scale, tx: r(2) * cfg.shift, ty: r(3) * cfg.shift, flip: cfg.flip && r(4) < 0 };
}

export function augmentRef(p: StepParams, out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): void {
  const [N, H, W, C] = shape, X = f(x), Y = f(out);
  const cy = (H - 1) / 2, cx = (W - 1) / 2;
  const at = (n: number, i: number, j: number, c: number) => (i < 0 || i >= H || j < 0 || j >= W ? 0 : X[x.offset + ((n * H + i) * W + j) * C + c]);
  for (let n = 0; n < N; n++) {
    const a = augmentParams(p, salt, n, cfg);
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++) {
        const dx = j - cx - a.tx, dy = i - cy - a.ty;
        let sx = (a.cos * dx + a.sin * dy) / a.s + cx;
        const sy = (-a.sin * dx + a.cos * dy) / a.s + cy;
        if (a.flip) sx = W - 1 - sx;
        const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
        for (let c = 0; c < C; c++) {
          const v = (1 - fy) * ((1 - fx) * at(n, y0, x0, c) + fx * at(n, y0, x0 + 1, c)) +
            fy * ((1 - fx) * at(n, y0 + 1, x0, c) + fx * at(n, y0 + 1, x0 + 1, c));
          Y[out.offset + ((n * H + i) * W + j) * C + c] = v;
        }
      }
  }
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function augment(out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): Kernel {
  if (sizeOf(shape) !== x.size || out.size !== x.size) throw new Error(`augment: shape ${shape} does not match ${x.name} (${x.size})`);
  return cpuKernel('augment', (p) => augmentRef(p, out, x, shape, cfg, salt));
}
