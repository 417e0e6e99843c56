// LayerNorm: normalise each position over its features (the last axis), then scale and shift.
import type { LayerDef } from './def.ts';
import { EPS_MIN, pyNum } from './shared.ts';
import { real, texNum } from './how.ts';

export interface LayernormSpec { kind: 'layernorm'; eps?: number }

export const layernorm: LayerDef<LayernormSpec> = {
  kind: 'layernorm', title: 'LayerNorm', label: 'LayerNorm', help: 'Normalise each position over its features', family: 'Core', torchName: 'ln',
  fields: { eps: { type: 'number', label: 'Epsilon', help: 'added to the variance', min: EPS_MIN, max: 1, step: 'any', default: 1e-5 } },
  make: () => ({ kind: 'layernorm' }),
  summary: () => 'over features',
  how(l, inShape) {
    const D = inShape[inShape.length - 1];
    return {
      tex: [
        `\\mu = \\frac{1}{${D}}\\sum_{k=1}^{${D}} x_k,\\quad \\sigma^2 = \\frac{1}{${D}}\\sum_{k=1}^{${D}} (x_k - \\mu)^2`,
        `y_k = \\gamma_k \\frac{x_k - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta_k,\\quad \\gamma, \\beta \\in ${real([D])},\\; \\epsilon = ${texNum(l.eps ?? 1e-5)}`,
      ],
      text: [`Each position's ${D} features are shifted to mean 0 and scaled to variance 1, then scaled by γ and shifted by β, which are learned. It does not depend on the other samples in the batch.`],
    };
  },
  infer: (_l, shape) => ({ shape, params: 2 * shape[shape.length - 1] }),
  describe(_l, shape, { prefix: p, out }) {
    const C = shape[shape.length - 1];
    out.push({ name: `${p}.gamma`, shape: [C], fanIn: C, fanOut: C, init: 'ones' });
    out.push({ name: `${p}.beta`, shape: [C], fanIn: C, fanOut: C, init: 'zeros' });
    return shape;
  },
  lower: (g, l, h, { take, name }) => g.layerNorm(h, take(), take(), l.eps ?? 1e-5, `${name}.layernorm`),
  torch(l, shape, { name, e, out, line }) {
    const C = shape[shape.length - 1];
    out.init.push(`self.${name} = nn.LayerNorm(${C}, eps=${pyNum(l.eps ?? 1e-5)})`);
    out.params.push([`${e}.gamma`, `${name}.weight`, ''], [`${e}.beta`, `${name}.bias`, '']);
    // The playground normalizes the last axis: the channels of every pixel, for an image.
    if (shape.length === 3) line(shape, `x = self.${name}(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)`, 'over the channels of every pixel');
    else line(shape, `x = self.${name}(x)`);
    return shape;
  },
};
