// ViT patch embedding: (H, W, C) → (H/size · W/size, dim), a strided conv then a reshape.
import { layerGeom } from '../model/conv.ts';
import { LIMITS } from '../model/limits.ts';
import { fmt, type LayerDef } from './def.ts';
import { real } from './how.ts';
import { count } from './shared.ts';

export interface PatchesSpec { kind: 'patches'; size: number; dim: number }

export const patches: LayerDef<PatchesSpec> = {
  kind: 'patches', title: 'Patches', label: 'Patches', help: 'Cut an image into patches, each projected to a vector (ViT)', family: 'Transformer', torchName: 'patch', tiles: 'patchFilters',
  fields: {
    size: { type: 'int', label: 'Patch size', help: 'the side of each square patch', required: true, min: 1, max: LIMITS.patch },
    dim: { type: 'int', label: 'Dimensions', help: 'the width of each patch vector', required: true, min: 1, max: LIMITS.units },
  },
  make: () => ({ kind: 'patches', size: 7, dim: 32 }),
  summary: (l) => `${l.size}×${l.size} patches → ${count(l.dim, 'dim')}`,
  how(l, inShape, outShape) {
    const [H, W, C] = inShape;
    const P = l.size, n = outShape[0];
    return {
      tex: [
        `z_n = W\\,\\operatorname{vec}(x_{\\text{patch } n}) + b,\\quad W \\in ${real([l.dim, P * P * C])},\\; n = 1, \\dots, ${n}`,
        `${real([H, W, C])} \\to ${real([n, l.dim])}`,
      ],
      text: [`The ${H} × ${W} image is cut into ${n} patches of ${P} × ${P} pixels; each patch's ${P * P * C} values are multiplied by the same learned W to give a vector of ${l.dim}, one token per patch.`],
      window: { k: P, stride: P, pad: 0, inSide: H, outSide: Math.floor(H / P) },
    };
  },
  infer(l, shape, ctx) {
    if (shape.length !== 3) {
      ctx.error(null, `needs an image input (height, width, channels), got ${fmt(shape)}${ctx.input.length === 3 ? '; it must come before any Flatten' : '; this data has no images'}`, { moveBackToRank: 3 });
      return { shape: [0] };
    }
    const [H, W, C] = shape;
    if (H % l.size || W % l.size)
      ctx.error('size', `patches of ${l.size}×${l.size} do not tile a ${H}×${W} image; use a size that divides both (for 28×28: 2, 4, 7, 14)`);
    const p = l.size * l.size * C * l.dim + l.dim;
    return { shape: [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim], params: p, largest: p };
  },
  describe(l, shape, { prefix: p, out }) {
    // W (size, size, C, dim) of a conv with stride = size: the (size²·C, dim) patch projection.
    const [H, W, C] = shape;
    const fanIn = l.size * l.size * C;
    out.push({ name: `${p}.W`, shape: [l.size, l.size, C, l.dim], fanIn, fanOut: l.dim, init: 'glorot' });
    out.push({ name: `${p}.b`, shape: [l.dim], fanIn, fanOut: l.dim, init: 'zeros' });
    return [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim];
  },
  lower(g, l, h, { take, name }) {
    const W = take(), b = take();
    const geom = layerGeom({ filters: l.dim, kernel: l.size, stride: l.size, padding: 'valid' }, h.shape.slice(1), h.shape[0]);
    return g.reshape(g.conv2d(h, W, b, geom, 'none', `${name}.patches`), [geom.N, geom.OH * geom.OW, l.dim]);
  },
  torch(l, shape, { name, e, out, line }) {
    const [H, W, C] = shape;
    out.init.push(`self.${name} = nn.Conv2d(${C}, ${l.dim}, kernel_size=${l.size}, stride=${l.size})  # one token per ${l.size}×${l.size} patch`);
    out.params.push([`${e}.W`, `${name}.weight`, 'conv'], [`${e}.b`, `${name}.bias`, '']);
    const s = [Math.floor(H / l.size) * Math.floor(W / l.size), l.dim];
    line(s, `x = self.${name}(x).flatten(2).transpose(1, 2)`, 'tokens row by row over the patch grid');
    return s;
  },
};
