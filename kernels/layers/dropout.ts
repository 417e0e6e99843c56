// Dropout: zeroes a random fraction of activations while training (inverted scaling).
import type { LayerDef } from './def.ts';
import { DROPOUT_MAX } from './shared.ts';

export interface DropoutSpec { kind: 'dropout'; rate: number }

export const dropout: LayerDef<DropoutSpec> = {
  kind: 'dropout', title: 'Dropout', label: 'Dropout', help: 'Randomly zero activations while training', family: 'Core', torchName: 'drop',
  fields: { rate: { type: 'number', label: 'Rate', help: 'the fraction zeroed', required: true, min: 0, max: DROPOUT_MAX, step: 0.05 } },
  make: () => ({ kind: 'dropout', rate: 0.2 }),
  summary: (l) => `rate ${l.rate}`,
  infer: (_l, shape) => ({ shape }),
  describe: (_l, shape) => shape,
  lower: (g, l, h, { name, salt }) => g.dropout(h, l.rate, salt(name), `${name}.dropout`),
  torch(l, shape, { name, out, line }) {
    out.init.push(`self.${name} = nn.Dropout(${l.rate})`);
    line(shape, `x = self.${name}(x)`);
    return shape;
  },
  step: (_l, h) => h, // identity at inference
};
