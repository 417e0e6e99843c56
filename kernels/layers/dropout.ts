// Dropout: zeroes a random fraction of activations while training (inverted scaling).
import { prod, type LayerDef } from './def.ts';
import { DROPOUT_MAX } from './shared.ts';
import { real, texNum } from './how.ts';

export interface DropoutSpec { kind: 'dropout'; rate: number }

export const dropout: LayerDef<DropoutSpec> = {
  kind: 'dropout', title: 'Dropout', label: 'Dropout', help: 'Randomly zero activations while training', family: 'Core', torchName: 'drop',
  fields: { rate: { type: 'number', label: 'Rate', help: 'the fraction zeroed', required: true, min: 0, max: DROPOUT_MAX, step: 0.05 } },
  make: () => ({ kind: 'dropout', rate: 0.2 }),
  summary: (l) => `rate ${l.rate}`,
  how(l, inShape) {
    return {
      tex: [`y = \\frac{m \\odot x}{1 - p},\\quad m_i \\sim \\mathrm{Bernoulli}(1 - p),\\; p = ${texNum(l.rate)},\\; x \\in ${real(inShape)}`, '\\text{evaluation: } y = x'],
      text: [
        `While training, each of the ${prod(inShape)} values is zeroed with probability ${l.rate} and the survivors are scaled by 1/(1 − ${l.rate}), so the expected value stays the same.`,
        'When testing nothing is dropped; the network cannot rely on any single unit.',
      ],
    };
  },
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
