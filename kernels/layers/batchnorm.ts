// BatchNorm over the last axis: batch statistics while training, running statistics (buffers) in
// evaluation; torch's defaults momentum 0.1, eps 1e-5.
import type { LayerDef } from './def.ts';
import { EPS_MIN, pyNum } from './shared.ts';
import { sizeText, texNum } from './how.ts';

export interface BatchnormSpec { kind: 'batchnorm'; momentum?: number; eps?: number }

export const batchnorm: LayerDef<BatchnormSpec> = {
  kind: 'batchnorm', title: 'BatchNorm', label: 'BatchNorm', help: 'Normalise each channel over the batch', family: 'Convolution', torchName: 'bn',
  runningStats: true,
  fields: {
    momentum: { type: 'number', label: 'Momentum', help: 'how fast the running statistics follow the batch', min: 0, max: 1, step: 0.05, default: 0.1, hint: 'running-statistics update rate' },
    eps: { type: 'number', label: 'Epsilon', help: 'added to the variance', min: EPS_MIN, max: 1, step: 'any', default: 1e-5 },
  },
  make: () => ({ kind: 'batchnorm', momentum: 0.1 }),
  summary: (l) => `momentum ${l.momentum ?? 0.1}`,
  how(l, inShape) {
    const C = inShape[inShape.length - 1];
    const m = l.momentum ?? 0.1;
    return {
      tex: [
        `\\hat{x}_c = \\frac{x_c - \\mu_{B,c}}{\\sqrt{\\sigma^2_{B,c} + \\epsilon}},\\quad y_c = \\gamma_c \\hat{x}_c + \\beta_c,\\quad c = 1, \\dots, ${C},\\; \\epsilon = ${texNum(l.eps ?? 1e-5)}`,
        `\\mu_{\\text{run}} \\leftarrow (1 - ${texNum(m)})\\,\\mu_{\\text{run}} + ${texNum(m)}\\,\\mu_B`,
      ],
      text: [
        `While training, each of the ${C} channels is normalised with the mean μ_B and variance σ²_B over the batch${inShape.length > 1 ? ` and all ${sizeText(inShape.slice(0, -1))} positions` : ''}; γ and β are learned.`,
        `Running averages (momentum ${m}) replace the batch statistics when testing.`,
      ],
    };
  },
  infer: (_l, shape) => ({ shape, params: 2 * shape[shape.length - 1] }),
  describe(_l, shape, { prefix: p, out }) {
    const C = shape[shape.length - 1];
    out.push({ name: `${p}.gamma`, shape: [C], fanIn: C, fanOut: C, init: 'ones' });
    out.push({ name: `${p}.beta`, shape: [C], fanIn: C, fanOut: C, init: 'zeros' });
    return shape;
  },
  lower(g, l, h, { take, takeBuffer, name }) {
    const gamma = take(), beta = take();
    return g.batchnorm(h, gamma, beta, takeBuffer(), takeBuffer(), l.eps ?? 1e-5, l.momentum ?? 0.1, `${name}.batchnorm`);
  },
  torch(l, shape, { name, e, out, line }) {
    const C = shape[shape.length - 1];
    const hp = `${C}, eps=${pyNum(l.eps ?? 1e-5)}, momentum=${pyNum(l.momentum ?? 0.1)}`;
    out.init.push(`self.${name} = nn.BatchNorm${shape.length === 3 ? '2d' : '1d'}(${hp})`);
    out.params.push([`${e}.gamma`, `${name}.weight`, ''], [`${e}.beta`, `${name}.bias`, '']);
    out.buffers.push([`${e}.running_mean`, `${name}.running_mean`], [`${e}.running_var`, `${name}.running_var`]);
    // The playground normalizes the last axis; torch's BatchNorm wants channels at dim 1.
    if (shape.length === 2) line(shape, `x = self.${name}(x.transpose(1, 2)).transpose(1, 2)`, 'BatchNorm1d wants the features at dim 1');
    else line(shape, `x = self.${name}(x)`);
    return shape;
  },
};
