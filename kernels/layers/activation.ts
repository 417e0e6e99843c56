// Activation: an element-wise non-linearity.
import type { Activation } from '../model/types.ts';
import type { LayerDef } from './def.ts';
import { ACTIVATIONS, actLabel, torchAct } from './shared.ts';

export interface ActivationSpec { kind: 'activation'; fn: Activation }

export const activation: LayerDef<ActivationSpec> = {
  kind: 'activation', title: 'Activation', label: 'Activation', help: 'Element-wise non-linearity', family: 'Core',
  fields: { fn: { type: 'enum', label: 'Function', help: 'the non-linearity', required: true, options: ACTIVATIONS } },
  make: () => ({ kind: 'activation', fn: 'relu' }),
  summary: (l) => actLabel(l.fn),
  infer: (_l, shape) => ({ shape }),
  describe: (_l, shape) => shape,
  lower: (g, l, h, { name }) => g.unary(l.fn, h, `${name}.${l.fn}`),
  torch(l, shape, { line }) {
    line(shape, `x = ${torchAct(l.fn, 'x')}`);
    return shape;
  },
};
