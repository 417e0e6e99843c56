// Flatten: one vector per sample, row-major over (H, W, C).
import { prod, type LayerDef } from './def.ts';
import { real, sizeText } from './how.ts';

export interface FlattenSpec { kind: 'flatten' }

export const flatten: LayerDef<FlattenSpec> = {
  kind: 'flatten', title: 'Flatten', label: 'Flatten', help: 'Reshape to one vector per sample', family: 'Core',
  fields: {},
  note: 'Flatten has no settings: it turns each sample into one vector.',
  make: () => ({ kind: 'flatten' }),
  summary: () => '',
  how(_l, inShape, outShape) {
    const tex = inShape.length === 3
      ? `y_{(i \\cdot ${inShape[1]} + j) \\cdot ${inShape[2]} + c} = x_{i,j,c},\\quad ${real(inShape)} \\to ${real(outShape)}`
      : `y = \\operatorname{vec}(x),\\quad ${real(inShape)} \\to ${real(outShape)}`;
    return { tex: [tex], text: [`The ${sizeText(inShape)} values of each sample are laid out in one row of ${prod(inShape)}, row by row; nothing is computed or learned.`] };
  },
  infer: (_l, shape) => ({ shape: [prod(shape)] }),
  describe: (_l, shape) => [prod(shape)],
  lower: (g, _l, h) => g.reshape(h, [h.shape[0], h.size / h.shape[0]]),
  torch(_l, shape, { line }) {
    const s = [prod(shape)];
    // The playground flattens (H, W, C) row-major; the next Dense's weights expect that order.
    if (shape.length === 3) line(s, 'x = x.permute(0, 2, 3, 1).flatten(1)', "NHWC first: the next layer's weights expect the playground's (H, W, C) order");
    else line(s, 'x = x.flatten(1)');
    return s;
  },
};
