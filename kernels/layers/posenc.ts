// Positions: adds sinusoidal (fixed) or learned positional encodings to a (T, D) sequence.
import { buildPosenc, describePosenc } from '../nn/transformer.ts';
import type { LayerDef } from './def.ts';
import { notASequence } from './shared.ts';
import { real } from './how.ts';

export interface PosencSpec { kind: 'posenc'; type: 'sinusoidal' | 'learned' }

export const posenc: LayerDef<PosencSpec> = {
  kind: 'posenc', title: 'Positions', label: 'Positions', help: 'Add positional encodings (sinusoidal or learned)', family: 'Transformer', torchName: 'pos',
  fields: {
    type: {
      type: 'enum', label: 'Encoding', help: 'a fixed sinusoidal table or trained positions', required: true,
      options: [{ value: 'sinusoidal', label: 'sinusoidal (fixed)' }, { value: 'learned', label: 'learned' }],
    },
  },
  make: () => ({ kind: 'posenc', type: 'sinusoidal' }),
  summary: (l) => (l.type === 'learned' ? 'learned, added' : 'sinusoidal, added'),
  how(l, inShape) {
    const [T, D] = inShape;
    if (l.type === 'learned')
      return {
        tex: [`y_t = x_t + P_t,\\quad P \\in ${real([T, D])},\\; t = 1, \\dots, ${T}`],
        text: [`A learned vector of ${D} per position (${T} positions) is added to each token, so later layers can tell position from position.`],
      };
    return {
      tex: [
        `\\mathrm{PE}_{t,2k} = \\sin\\!\\left(\\frac{t}{10000^{2k/${D}}}\\right),\\quad \\mathrm{PE}_{t,2k+1} = \\cos\\!\\left(\\frac{t}{10000^{2k/${D}}}\\right)`,
        `y_t = x_t + \\mathrm{PE}_t,\\quad \\mathrm{PE} \\in ${real([T, D])}`,
      ],
      text: [`Attention alone cannot see order. A fixed table of sines and cosines at ${D / 2} wavelengths gives each of the ${T} positions its own ${D}-vector, added to the token; nothing is learned.`],
    };
  },
  infer(l, shape, ctx) {
    if (shape.length !== 2) {
      const why = notASequence(shape, ctx.spec, ctx.input, 'a sequence of vectors (T, D)', true);
      ctx.error(null, why.message, why.fix);
      return { shape };
    }
    const p = l.type === 'learned' ? shape[0] * shape[1] : 0;
    return { shape, params: p, largest: p };
  },
  describe(l, shape, { prefix, out }) {
    out.push(...describePosenc(l, shape[0], shape[1], prefix));
    return shape;
  },
  lower: (g, l, h, { take, name }) => buildPosenc(g, l, h, take, name),
  torch(l, shape, { name, e, out, line }) {
    const [T, D] = shape;
    if (l.type === 'learned') {
      out.init.push(`self.${name} = nn.Parameter(torch.empty(${T}, ${D}).uniform_(-0.1, 0.1))  # learned positions (the playground's init)`);
      out.params.push([`${e}.pos`, name, '']);
    } else {
      out.helpers.add('sinusoidal');
      out.init.push(`self.register_buffer("${name}", sinusoidal_table(${T}, ${D}), persistent=False)  # fixed: not in the weights file`);
    }
    line(shape, `x = x + self.${name}`);
    return shape;
  },
};
