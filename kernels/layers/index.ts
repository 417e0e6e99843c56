// The layer registry: every layer kind the playground knows, one LayerDef per file. The spec
// types, the validator, shape inference, the parameter layout, lowering to graph ops, the PyTorch
// export, the palette, the inspector and the layer text all read this list. A new kind is one
// file in this folder plus its line here (and its import above it).
import type { LayerDef } from './def.ts';
import { dense } from './dense.ts';
import { activation } from './activation.ts';
import { dropout } from './dropout.ts';
import { flatten } from './flatten.ts';
import { layernorm } from './layernorm.ts';
import { conv2d } from './conv2d.ts';
import { maxpool2d } from './maxpool2d.ts';
import { avgpool2d } from './avgpool2d.ts';
import { globalavgpool } from './globalavgpool.ts';
import { batchnorm } from './batchnorm.ts';
import { embedding } from './embedding.ts';
import { lstm } from './lstm.ts';
import { gru } from './gru.ts';
import { rnn } from './rnn.ts';
import { posenc } from './posenc.ts';
import { transformer } from './transformer.ts';
import { patches } from './patches.ts';
import { unembed } from './unembed.ts';
import { residual } from './residual.ts';

/** In palette order within each family. */
export const LAYERS = [
  dense, activation, dropout, flatten, layernorm,
  conv2d, maxpool2d, avgpool2d, globalavgpool, batchnorm,
  embedding, lstm, gru, rnn,
  posenc, transformer, patches, unembed,
  residual,
] as const;

type SpecOf<D> = D extends LayerDef<infer S> ? S : never;
/** Layers are a discriminated union on `kind`, derived from the definitions. */
export type LayerSpec = SpecOf<(typeof LAYERS)[number]>;
export type LayerKind = LayerSpec['kind'];
export type LayerOf<K extends LayerKind> = Extract<LayerSpec, { kind: K }>;

const BY_KIND: ReadonlyMap<string, LayerDef<LayerSpec>> = new Map(LAYERS.map((d) => [d.kind, d as unknown as LayerDef<LayerSpec>]));

/** The definition of a kind, or undefined for a name the registry does not know (never a prototype key). */
export function findLayerDef(kind: unknown): LayerDef<LayerSpec> | undefined {
  return typeof kind === 'string' ? BY_KIND.get(kind) : undefined;
}

/** The definition of a known kind: what code outside the registry asks instead of switching on kind names. */
export function layerDef<K extends LayerKind>(kind: K): LayerDef<LayerOf<K>> {
  const d = BY_KIND.get(kind);
  if (!d) throw new Error(`unknown layer kind "${String(kind)}"`);
  return d as unknown as LayerDef<LayerOf<K>>;
}

/** Each kind by name, for code that refers to a kind without spelling it (layerDef(KIND.conv2d)). */
export const KIND = Object.fromEntries(LAYERS.map((d) => [d.kind, d.kind])) as { readonly [K in LayerKind]: K };

/** The palette's default layer of a kind. */
export const defaultLayer = <K extends LayerKind>(kind: K): LayerOf<K> => layerDef(kind).make();

export type { LayerDef, FieldDef, Family, Option, LayerFix } from './def.ts';
export { ACTIVATIONS } from './shared.ts';
