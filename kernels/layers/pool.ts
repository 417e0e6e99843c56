// Max and average pooling share their fields, shapes and export: one factory, one file per kind.
import type { Padding } from '../model/types.ts';
import { LIMITS } from '../model/limits.ts';
import { layerGeom, pads, spatialProblem } from '../model/conv.ts';
import type { LayerDef } from './def.ts';
import { pair, PADDING_FIELD } from './shared.ts';
import { real } from './how.ts';

export interface PoolSpec<K extends string> { kind: K; size: number; stride?: number; padding?: Padding }

export function poolDef<K extends string>(kind: K, op: 'max' | 'avg', title: string, help: string): LayerDef<PoolSpec<K>> {
  const max = op === 'max';
  return {
    kind, title, label: title, help, family: 'Convolution', torchName: `${op}pool`,
    fields: {
      size: { type: 'int', label: 'Window size', help: 'the square window', required: true, min: 1, max: LIMITS.kernel },
      stride: { type: 'int', label: 'Stride', help: 'step between windows', min: 1, max: LIMITS.stride, defaultOf: (l: PoolSpec<K>) => l.size, hint: 'defaults to the window size' },
      padding: PADDING_FIELD,
    },
    make: () => ({ kind, size: 2 }),
    summary: (l) => `${l.size}×${l.size}, stride ${l.stride ?? l.size}${l.padding !== undefined ? `, ${l.padding}` : ''}`,
    how(l, inShape, outShape) {
      const { g, top } = pads(l, inShape);
      const k = l.size;
      return {
        tex: [
          max
            ? `y_{i,j,c} = \\max_{0 \\le u, v < ${k}} x_{${g.sh}i + u${top ? ` - ${top}` : ''},\\; ${g.sw}j + v${top ? ` - ${top}` : ''},\\; c}`
            : `y_{i,j,c} = \\frac{1}{${k * k}} \\sum_{u=0}^{${k - 1}} \\sum_{v=0}^{${k - 1}} x_{${g.sh}i + u${top ? ` - ${top}` : ''},\\; ${g.sw}j + v${top ? ` - ${top}` : ''},\\; c}`,
          `${real(inShape)} \\to ${real(outShape)}`,
        ],
        text: [
          `A ${k} × ${k} window slides over each of the ${g.C} channels with stride ${g.sh} and padding ${top}, keeping the ${max ? 'largest value' : 'mean'} of each window: ${g.H} × ${g.W} becomes ${g.OH} × ${g.OW}.`,
          max ? 'Nothing is learned; the gradient goes back only to the value that won each window.' : 'Nothing is learned; the gradient is shared equally by the window.',
        ],
        window: { k, stride: g.sh, pad: top, inSide: g.H, outSide: g.OH },
      };
    },
    infer(l, shape, ctx) {
      const bad = spatialProblem(l, shape, ctx.input);
      if (bad) {
        ctx.error(bad.field, bad.message, bad.notImage ? { moveBackToRank: 3 } : undefined);
        return { shape: [0] };
      }
      const g = layerGeom(l, shape);
      return { shape: [g.OH, g.OW, g.F] };
    },
    describe(l, shape) {
      const g = layerGeom(l, shape);
      return [g.OH, g.OW, g.C];
    },
    lower: (g, l, h, { name }) => g.pool2d(op, h, layerGeom(l, h.shape.slice(1), h.shape[0]), `${name}.${kind}`),
    torch(l, shape, { name, out, line }) {
      const { g, top, bottom, left, right } = pads(l, shape);
      const sym = top === bottom && left === right;
      // Max pooling never picks padding (−∞); average pooling counts padded zeros, as the playground does.
      if (!sym)
        line([g.H + top + bottom, g.W + left + right, g.C], `x = F.pad(x, (${left}, ${right}, ${top}, ${bottom})${max ? ', value=float("-inf")' : ''})`, "'same' pads TF-style, the odd pixel bottom/right");
      const args = [`kernel_size=${g.KH}`];
      if (g.sh !== g.KH) args.push(`stride=${g.sh}`);
      if (sym && top) args.push(`padding=${pair(top, left)}`);
      if (!max && sym && top) args.push('count_include_pad=True'); // the playground divides by the whole window
      out.init.push(`self.${name} = nn.${max ? 'MaxPool2d' : 'AvgPool2d'}(${args.join(', ')})`);
      const s = [g.OH, g.OW, g.C];
      line(s, `x = self.${name}(x)`);
      return s;
    },
  };
}
