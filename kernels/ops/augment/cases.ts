// Op cases of the batch augmentation (shift, rotation, zoom, flip, and the identity).
import { type AugmentConfig } from '../../backend.ts';
import { DEFAULT_PARAMS as P, inp, out, type OpCase } from '../../testing/case-kit.ts';

function augmentCase(N: number, H: number, W: number, C: number, cfg: AugmentConfig, seed: number): OpCase {
  const identity = cfg.shift === 0 && cfg.rotate === 0 && cfg.scale === 0 && !cfg.flip;
  return {
    name: `augment ${N}x${H}x${W}x${C} shift${cfg.shift} rot${cfg.rotate} scale${cfg.scale}${cfg.flip ? ' flip' : ''}`,
    ops: ['augment'], params: { ...P, seed }, repeat: 1,
    tensors: [inp('x', [N, H, W, C], { kind: 'uniform', lo: 0, hi: 1 }), out('y', [N, H, W, C])],
    // Coordinates in f32 (GPU) vs f64 (CPU): ~1e-5 px, times pixel differences ≤ 1.
    gpuTol: { abs: 1e-4, rel: 0, scale: 'elem' },
    record: (be, t) => ({ forward: [be.augment(t.y, t.x, [N, H, W, C], cfg, 77)], backward: [] }),
    check(v) {
      let diff = 0;
      for (let i = 0; i < v.x.length; i++) diff = Math.max(diff, Math.abs(v.x[i] - v.y[i]));
      if (identity) return diff > 1e-6 ? [`the identity transform changed a pixel by ${diff}`] : [];
      return diff < 0.05 ? [`the transform left the images nearly unchanged (max |Δ| ${diff})`] : [];
    },
  };
}

export const AUGMENT_CASES: OpCase[] = [
  augmentCase(3, 9, 11, 1, { shift: 2, rotate: 15, scale: 0.1, flip: false }, 5),
  augmentCase(4, 8, 7, 2, { shift: 1.5, rotate: 30, scale: 0.2, flip: true }, 6),
  augmentCase(2, 6, 5, 1, { shift: 0, rotate: 0, scale: 0, flip: false }, 7),
];
