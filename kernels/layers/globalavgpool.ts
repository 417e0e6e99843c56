// Global average pooling: the mean over every position, (H, W, C) → (C) or (T, D) → (D).
import { fmt, prod, type LayerDef } from './def.ts';

export interface GlobalavgpoolSpec { kind: 'globalavgpool' }

export const globalavgpool: LayerDef<GlobalavgpoolSpec> = {
  kind: 'globalavgpool', title: 'Global avg pool', label: 'Global avg pool', help: 'Mean over all positions: (H, W, C) → (C)', family: 'Convolution',
  fields: {},
  note: 'Global average pooling has no settings: it averages over every position, (H, W, C) → (C) or (T, D) → (D).',
  make: () => ({ kind: 'globalavgpool' }),
  summary: () => 'mean over positions (height and width, or time)',
  how(_l, inShape) {
    const C = inShape[inShape.length - 1];
    const P = inShape.slice(0, -1);
    const img = inShape.length === 3;
    return {
      tex: [img
        ? `y_c = \\frac{1}{${P[0]} \\cdot ${P[1]}} \\sum_{i=1}^{${P[0]}} \\sum_{j=1}^{${P[1]}} x_{i,j,c},\\quad c = 1, \\dots, ${C}`
        : `y_c = \\frac{1}{${P[0] ?? 1}} \\sum_{t=1}^{${P[0] ?? 1}} x_{t,c},\\quad c = 1, \\dots, ${C}`],
      text: [`Each of the ${C} ${img ? 'channels' : 'features'} is averaged over all ${prod(P)} ${img ? 'pixels' : 'positions'}, leaving one vector of ${C} per sample; nothing is learned.`],
    };
  },
  infer(_l, shape, ctx) {
    // Images (H, W, C) → (C); sequences (T, D) → (D), the mean over positions (pooled classification).
    if (shape.length !== 3 && shape.length !== 2) ctx.error(null, `needs an image (height, width, channels) or a sequence (T, D), got ${fmt(shape)}`);
    return { shape: [shape[shape.length - 1]] };
  },
  describe: (_l, shape) => [shape[shape.length - 1]],
  lower(g, _l, h, { name }) {
    // (N, H, W, C) viewed as (N, H·W, C), mean over the middle axis → (N, C).
    const [N, C] = [h.shape[0], h.shape[h.shape.length - 1]];
    return g.reduce('mean', g.reshape(h, [N, h.size / (N * C), C]), 1, `${name}.globalavgpool`);
  },
  torch(_l, shape, { out, line }) {
    const rank = shape.length;
    const s = [shape[rank - 1]];
    if (rank === 3) line(s, 'x = x.mean(dim=(2, 3))');
    else if (rank === 2) line(s, 'x = x.mean(dim=1)', 'the mean over the sequence');
    else out.forward.push('# globalavgpool of a vector: nothing to average');
    return s;
  },
};
