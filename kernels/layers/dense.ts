// Dense: y = x·W + b over the last axis, W (in, out), with an optional fused activation.
import type { Activation } from '../model/types.ts';
import { LIMITS } from '../model/limits.ts';
import type { LayerDef } from './def.ts';
import { ACTIVATION_FIELD, actSuffix, initFor, torchAct, withActivation } from './shared.ts';
import { actHow, real, sizeText } from './how.ts';

export interface DenseSpec { kind: 'dense'; units: number; activation?: Activation | 'none' }

export const dense: LayerDef<DenseSpec> = {
  kind: 'dense', title: 'Dense', label: 'Dense', help: 'Fully connected layer', family: 'Core', torchName: 'fc', tiles: 'units',
  fields: {
    units: { type: 'int', label: 'Units', help: 'outputs per position', required: true, min: 1, max: LIMITS.units },
    activation: ACTIVATION_FIELD,
  },
  make: () => ({ kind: 'dense', units: 64, activation: 'relu' }),
  summary: (l) => `${l.units.toLocaleString('en-US')} unit${l.units === 1 ? '' : 's'}${actSuffix(l.activation)}`,
  how(l, inShape, outShape) {
    const fin = inShape[inShape.length - 1];
    const f = actHow(l.activation);
    const pos = inShape.length > 1 ? ` It acts on each of the ${sizeText(inShape.slice(0, -1))} positions alike, with the same weights.` : '';
    return {
      tex: [
        `y = ${f.name ? `${f.name}(Wx + b)` : 'Wx + b'}`,
        `x \\in ${real([fin])},\\; W \\in ${real([l.units, fin])},\\; b \\in ${real([l.units])},\\; y \\in ${real([outShape[outShape.length - 1]])}`,
        ...(f.tex ? [f.tex] : []),
      ],
      text: [
        `Each of the ${l.units} outputs is a weighted sum of all ${fin} inputs plus a bias: W is ${l.units} × ${fin}, so this layer learns ${fin * l.units + l.units} numbers.${pos}`,
        f.text,
      ],
      inside: true,
    };
  },
  infer(l, shape) {
    const fin = shape[shape.length - 1];
    return { shape: [...shape.slice(0, -1), l.units], params: fin * l.units + l.units, largest: fin * l.units };
  },
  describe(l, shape, { prefix: p, out }) {
    const fin = shape[shape.length - 1];
    const init = initFor(l.activation);
    // W is (in, out): y = x·W + b.
    out.push({ name: `${p}.W`, shape: [fin, l.units], fanIn: fin, fanOut: l.units, init });
    out.push({ name: `${p}.b`, shape: [l.units], fanIn: fin, fanOut: l.units, init: 'zeros' });
    return [...shape.slice(0, -1), l.units];
  },
  lower(g, l, h, { take, name }) {
    const W = take(), b = take();
    return withActivation(g, l.activation, (a) => g.dense(h, W, b, a, `${name}.dense`), name);
  },
  torch(l, shape, { name, e, out, line }) {
    const fin = shape[shape.length - 1];
    if (shape.length === 3) {
      // A Dense on an image acts on the channels of every pixel: a 1×1 convolution in NCHW.
      out.init.push(`self.${name} = nn.Conv2d(${fin}, ${l.units}, kernel_size=1)  # the playground's Dense over channels`);
      out.params.push([`${e}.W`, `${name}.weight`, 'conv1x1'], [`${e}.b`, `${name}.bias`, '']);
    } else {
      out.init.push(`self.${name} = nn.Linear(${fin}, ${l.units})`);
      out.params.push([`${e}.W`, `${name}.weight`, 't'], [`${e}.b`, `${name}.bias`, '']);
    }
    const s = [...shape.slice(0, -1), l.units];
    line(s, `x = ${torchAct(l.activation, `self.${name}(x)`)}`);
    return s;
  },
  step(l, h, { next }) {
    const W = next(), b = next();
    const y = new Float64Array(l.units);
    for (let o = 0; o < l.units; o++) {
      let v = b[o];
      for (let i = 0; i < h.length; i++) v += h[i] * W[i * l.units + o];
      y[o] = l.activation === 'relu' ? Math.max(v, 0) : l.activation === 'tanh' ? Math.tanh(v) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : v;
    }
    return y;
  },
};
