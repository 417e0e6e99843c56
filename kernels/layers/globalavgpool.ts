// Global average pooling: the mean over every position, (H, W, C) → (C) or (T, D) → (D).
import { fmt, type LayerDef } from './def.ts';

export interface GlobalavgpoolSpec { kind: 'globalavgpool' }

export const globalavgpool: LayerDef<GlobalavgpoolSpec> = {
  kind: 'globalavgpool', title: 'Global avg pool', label: 'Global avg pool', help: 'Mean over all positions: (H, W, C) → (C)', family: 'Convolution',
  fields: {},
  note: 'Global average pooling has no settings: it averages over every position, (H, W, C) → (C) or (T, D) → (D).',
  make: () => ({ kind: 'globalavgpool' }),
  summary: () => 'mean over positions (height and width, or time)',
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
