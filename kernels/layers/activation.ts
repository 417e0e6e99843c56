// Activation: an element-wise non-linearity.
import type { Activation } from '../model/types.ts';
import { prod, type LayerDef } from './def.ts';
import { ACTIVATIONS, actLabel, torchAct } from './shared.ts';
import { actHow, sizeText } from './how.ts';

export interface ActivationSpec { kind: 'activation'; fn: Activation }

export const activation: LayerDef<ActivationSpec> = {
  kind: 'activation', title: 'Activation', label: 'Activation', help: 'Element-wise non-linearity', family: 'Core',
  fields: { fn: { type: 'enum', label: 'Function', help: 'the non-linearity', required: true, options: ACTIVATIONS } },
  make: () => ({ kind: 'activation', fn: 'relu' }),
  summary: (l) => actLabel(l.fn),
  how(l, inShape) {
    const f = actHow(l.fn);
    return {
      tex: [`y_i = ${f.name}(x_i),\\quad i = 1, \\dots, ${prod(inShape)}`, ...(f.tex ? [f.tex] : [])],
      text: [`${f.text} It is applied to each of the ${prod(inShape)} values (${sizeText(inShape)}) on its own and learns nothing.`],
    };
  },
  infer: (_l, shape) => ({ shape }),
  describe: (_l, shape) => shape,
  lower: (g, l, h, { name }) => g.unary(l.fn, h, `${name}.${l.fn}`),
  torch(l, shape, { line }) {
    line(shape, `x = ${torchAct(l.fn, 'x')}`);
    return shape;
  },
};
