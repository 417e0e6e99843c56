// Conv2D over NHWC images: an implicit GEMM with W (KH, KW, C, F), stride, padding, dilation and
// an optional fused activation. Geometry: kernels/model/conv.ts.
import type { Activation, Padding } from '../model/types.ts';
import { LIMITS } from '../model/limits.ts';
import { layerGeom, pads, spatialProblem } from '../model/conv.ts';
import type { LayerDef } from './def.ts';
import { ACTIVATION_FIELD, actSuffix, count, initFor, pair, PADDING_FIELD, torchAct, withActivation } from './shared.ts';
import { actHow, real } from './how.ts';

export interface Conv2dSpec {
  kind: 'conv2d'; filters: number; kernel: number | [number, number]; stride?: number; padding?: Padding; dilation?: number; activation?: Activation | 'none';
}

export const conv2d: LayerDef<Conv2dSpec> = {
  kind: 'conv2d', title: 'Conv2D', label: 'Conv2D', help: '2-D convolution over an image (height, width, channels)', family: 'Convolution', torchName: 'conv', tiles: 'filters',
  fields: {
    filters: { type: 'int', label: 'Filters', help: 'output channels', required: true, min: 1, max: LIMITS.filters },
    kernel: { type: 'kernel', label: 'Kernel', help: 'window size, square or [height, width]', required: true, min: 1, max: LIMITS.kernel },
    stride: { type: 'int', label: 'Stride', help: 'step between windows', min: 1, max: LIMITS.stride, default: 1 },
    dilation: { type: 'int', label: 'Dilation', help: 'spacing between kernel taps', min: 1, max: LIMITS.dilation, default: 1 },
    padding: PADDING_FIELD,
    activation: ACTIVATION_FIELD,
  },
  make: () => ({ kind: 'conv2d', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' }),
  summary(l) {
    const k = Array.isArray(l.kernel) ? `${l.kernel[0]}×${l.kernel[1]}` : `${l.kernel}×${l.kernel}`;
    return `${count(l.filters, 'filter')} ${k}, stride ${l.stride ?? 1}, ${l.padding ?? 'valid'}${(l.dilation ?? 1) > 1 ? `, dilation ${l.dilation}` : ''}${actSuffix(l.activation)}`;
  },
  how(l, inShape, outShape) {
    const { g, top, left } = pads(l, inShape);
    const f = actHow(l.activation);
    const d = g.dh > 1 ? `${g.dh}` : '';
    return {
      tex: [
        `${f.name ? 'z' : 'y'}_{i,j,f} = b_f + \\sum_{u=0}^{${g.KH - 1}} \\sum_{v=0}^{${g.KW - 1}} \\sum_{c=1}^{${g.C}} W_{u,v,c,f}\\; x_{${g.sh > 1 ? g.sh : ''}i + ${d}u${top ? ` - ${top}` : ''},\\; ${g.sw > 1 ? g.sw : ''}j + ${d}v${left ? ` - ${left}` : ''},\\; c}`,
        ...(f.name ? [`y_{i,j,f} = ${f.name}(z_{i,j,f})`] : []),
        `W \\in ${real([g.KH, g.KW, g.C, g.F])}`,
        `${real(inShape)} \\to ${real(outShape)}`,
        ...(f.tex ? [f.tex] : []),
      ],
      text: [
        `A ${g.KH} × ${g.KW} window slides over the ${g.H} × ${g.W} × ${g.C} input with stride ${g.sh} and padding ${top}${g.dh > 1 ? ` (taps ${g.dh} apart)` : ''}. At each of the ${g.OH} × ${g.OW} places, each of the ${g.F} filters takes a weighted sum of the ${g.KH * g.KW * g.C} values under it.`,
        `The same ${g.KH * g.KW * g.C * g.F + g.F} weights are used at every place, so a filter finds its pattern anywhere in the image.`,
      ],
      window: { k: g.KH, stride: g.sh, pad: top, inSide: g.H, outSide: g.OH },
      inside: true,
    };
  },
  infer(l, shape, ctx) {
    const bad = spatialProblem(l, shape, ctx.input);
    if (bad) {
      ctx.error(bad.field, bad.message, bad.notImage ? { moveBackToRank: 3 } : undefined);
      return { shape: [0] };
    }
    const g = layerGeom(l, shape);
    return { shape: [g.OH, g.OW, g.F], params: g.KH * g.KW * g.C * g.F + g.F, largest: g.KH * g.KW * g.C * g.F };
  },
  describe(l, shape, { prefix: p, out }) {
    // W is (KH, KW, C, F): the (K, F) matrix of the implicit GEMM with K = KH·KW·C.
    const g = layerGeom(l, shape);
    const init = initFor(l.activation);
    const fanIn = g.KH * g.KW * g.C, fanOut = g.KH * g.KW * g.F;
    out.push({ name: `${p}.W`, shape: [g.KH, g.KW, g.C, g.F], fanIn, fanOut, init });
    out.push({ name: `${p}.b`, shape: [g.F], fanIn, fanOut, init: 'zeros' });
    return [g.OH, g.OW, g.F];
  },
  lower(g, l, h, { take, name }) {
    const W = take(), b = take();
    const geom = layerGeom(l, h.shape.slice(1), h.shape[0]);
    const y = withActivation(g, l.activation, (a) => g.conv2d(h, W, b, geom, a, `${name}.conv2d`), name);
    g.convTaps.push({ name: `${name}.conv2d`, y });
    return y;
  },
  torch(l, shape, { name, e, out, line }) {
    const { g, top, bottom, left, right } = pads(l, shape);
    const sym = top === bottom && left === right;
    if (!sym) line([g.H + top + bottom, g.W + left + right, g.C], `x = F.pad(x, (${left}, ${right}, ${top}, ${bottom}))`, "'same' pads TF-style, the odd pixel bottom/right");
    const args = [`${g.C}, ${g.F}`, `kernel_size=${pair(g.KH, g.KW)}`];
    if (g.sh !== 1) args.push(`stride=${g.sh}`);
    if (sym && (top || left)) args.push(`padding=${pair(top, left)}`);
    if (g.dh !== 1) args.push(`dilation=${g.dh}`);
    out.init.push(`self.${name} = nn.Conv2d(${args.join(', ')})`);
    out.params.push([`${e}.W`, `${name}.weight`, 'conv'], [`${e}.b`, `${name}.bias`, '']);
    const s = [g.OH, g.OW, g.F];
    line(s, `x = ${torchAct(l.activation, `self.${name}(x)`)}`);
    return s;
  },
};
