// Residual: x + block(x); the block's layers must keep the shape. Nested blocks recurse through
// the context (this file never imports the registry).
import { LIMITS } from '../model/limits.ts';
import { fmt, type LayerDef, type LayerFix } from './def.ts';
import type { LayerSpec } from './index.ts';
import { real } from './how.ts';

export interface ResidualSpec { kind: 'residual'; layers: LayerSpec[] }

export const residual: LayerDef<ResidualSpec> = {
  kind: 'residual', title: 'Residual', label: 'Residual', help: 'Adds its inner layers’ output to its input', family: null, torchName: 'res',
  fields: { layers: { type: 'layers', label: 'Inner layers', help: 'the block; its output shape must equal its input shape', required: true } },
  inner: (l) => l.layers,
  make: () => ({ kind: 'residual', layers: [] }),
  summary: (l) => `${l.layers.length} inner layer${l.layers.length === 1 ? '' : 's'}, output added to input`,
  check(l, ctx) {
    if (ctx.depth >= LIMITS.residualDepth) ctx.err(null, `residual blocks nest at most ${LIMITS.residualDepth} deep`);
    else ctx.checkLayers(l.layers, `${ctx.prefix}.layers`, ctx.depth + 1);
  },
  how(l, inShape) {
    return {
      tex: [`y = x + F(x),\\quad x, y \\in ${real(inShape)}`],
      text: [
        `F is the ${l.layers.length} inner layer${l.layers.length === 1 ? '' : 's'}; their output is added to the block's input, so the block learns a correction to x.`,
        'The gradient flows back through the + unchanged, which lets deep stacks train.',
      ],
    };
  },
  infer(l, shape, ctx) {
    const inner = ctx.walk(l.layers, shape, `${ctx.prefix}.layers`);
    // Named by its place and what it wraps, so a message read away from its row still points at it.
    if (inner.shape.join('x') !== shape.join('x')) {
      const what = l.layers.length ? l.layers.map((x) => x.kind).join(' → ') : 'no layers';
      const fix = widthFix(l, shape, inner.shape);
      ctx.error(null, `the residual block at ${ctx.place} (${what}) maps ${fmt(shape)} to ${fmt(inner.shape)}; a residual needs its output shape equal to its input shape`, fix ?? undefined);
    }
    return { shape, params: inner.params, largest: Math.max(0, ...inner.out.map((o) => o.largest)) };
  },
  describe(l, shape, { prefix, out, describe }) {
    out.push(...describe(l.layers, shape, `${prefix}.layers`));
    return shape;
  },
  lower: (g, l, h, { name, run }) => g.binary('add', h, run(l.layers, h, `${name}.layers`), `${name}.residual`),
  torch(l, shape, { i, e, namePrefix, out, line, emit }) {
    const skip = namePrefix ? `skip_${namePrefix}${i}` : `skip${i}`;
    out.forward.push(`${skip} = x  # residual: x + block(x)`);
    const s = emit(l.layers, shape, `${e}.layers`, `${namePrefix}res${i}_`);
    line(s, `x = ${skip} + x`);
    return s;
  },
};

/**
 * When the block keeps every axis but the last, its last layer with a width (a Dense's units, a
 * Conv2D's filters) set back to the input's width; the builder offers it only if it clears the error.
 */
function widthFix(l: ResidualSpec, shape: number[], got: number[]): LayerFix | null {
  const r = shape.length;
  if (got.length !== r || shape.slice(0, r - 1).some((d, k) => d !== got[k])) return null;
  const W = shape[r - 1];
  for (let j = l.layers.length - 1; j >= 0; j--) {
    const x = l.layers[j] as LayerSpec & { units?: number; filters?: number };
    const field = 'units' in x ? 'units' : 'filters' in x ? 'filters' : null;
    if (!field) continue;
    const layers = l.layers.map((y, k) => (k === j ? { ...x, [field]: W } : y)) as LayerSpec[];
    const word = field === 'units' ? (W === 1 ? 'unit' : 'units') : W === 1 ? 'filter' : 'filters';
    return { label: `Set the block's inner layer ${j + 1} to ${W.toLocaleString('en-US')} ${word}`, replace: { ...l, layers } };
  }
  return null;
}
