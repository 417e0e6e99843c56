// What one layer kind declares: its spec fields, validation beyond bounds, shape inference,
// parameters, lowering to graph ops, PyTorch export, the words the page shows and its palette
// family. One file per kind (kernels/layers/<kind>.ts) exports a LayerDef; index.ts lists them.
// Kind files never import index.ts: whatever needs the registry (a residual's inner layers)
// arrives through the context argument, so the registry can be loaded from any entry point.
import type { Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import type { ModelSpec } from '../model/types.ts';
import type { ParamInfo } from '../nn/model.ts';
import type { Emitted } from '../export/torch-layers.ts';
import type { LayerShape } from '../model/shapes.ts';
import type { LayerSpec } from './index.ts';

export type Family = 'Core' | 'Convolution' | 'Sequence' | 'Transformer';
export interface Option { readonly value: string; readonly label: string }

/** One spec field: how it is checked, shown and explained. */
export interface FieldDef {
  /** kernel: a size or [height, width]; padding: 'same', 'valid' or pixels; layers: a nested list. */
  type: 'int' | 'number' | 'bool' | 'enum' | 'kernel' | 'padding' | 'layers';
  label: string; // the inspector's label
  help: string; // one line: what it does
  required?: boolean;
  min?: number;
  max?: number;
  step?: number | 'any';
  options?: readonly Option[];
  /** What an absent field means (the inspector shows it); defaultOf when it depends on other fields. */
  default?: number | boolean | string;
  defaultOf?: (layer: never) => number;
  /** The inspector writes `undefined` for this value (0 = "the task's"), keeping the spec minimal. */
  unset?: number | boolean;
  hint?: string; // shown under the inspector's input
}

/** Validation of one layer beyond its field bounds. */
export interface CheckCtx {
  depth: number; // residual nesting
  prefix: string; // "layers[2]" or "layers[2].layers[0]"
  err(field: string | null, message: string): void;
  checkLayers(layers: unknown, prefix: string, depth: number): void;
}

/**
 * A one-click repair a kind may offer beside its shape error, relative to the erring layer; shape
 * inference turns it into the whole new layer list and offers it only when it does clear the error.
 * insert: these layers go just before it; replace: it becomes this layer; moveBackToRank: it moves
 * up to just after the last layer whose output has this many axes (a Conv2D back before a Flatten).
 */
export type LayerFix =
  | { label: string; insert: LayerSpec[] }
  | { label: string; replace: LayerSpec }
  | { moveBackToRank: number };

/** Shape inference of one layer; errors name the field (null: the layer itself). */
export interface InferCtx {
  spec: ModelSpec;
  input: number[]; // one sample of the data, for messages that say what the data is (images, a sequence, one vector)
  place: string; // "layer 3" or "inner layer 1 of layer 2", for messages read away from the row
  error(field: string | null, message: string, fix?: LayerFix): void;
  embed: [vocab: number, dim: number] | null; // the last embedding so far, for a tied unembed
  walk(layers: LayerSpec[], shape: number[], prefix: string): { shape: number[]; params: number; out: LayerShape[] };
  prefix: string; // this layer's path
}
export interface Inferred {
  shape: number[];
  params?: number;
  largest?: number; // elements of the biggest single tensor (per-buffer device limit)
  acts?: number; // activations saved per sample beyond the output
}

/** Parameters of one layer, in the flat-buffer and weights-file order. */
export interface DescribeCtx {
  prefix: string; // "layers.3"
  out: ParamInfo[]; // push here; earlier layers' parameters are already in it
  tiedLater: boolean; // a later layer in the same list reads this one's embedding table
  describe(layers: LayerSpec[], shape: number[], prefix: string): ParamInfo[];
}

/** Recording the forward pass. */
export interface LowerCtx {
  name: string; // "layers.3"
  take(): Tensor; // the next parameter (as a graph param when training)
  takeBuffer(): Tensor; // the next running-stat buffer
  salt(s: string): number; // dropout mask salt
  table: Tensor | null; // the last embedding table, for a tied unembed
  run(layers: LayerSpec[], h: Tensor, prefix: string): Tensor;
}

/** One sample, one step at a time (text sampling on the CPU, state carried between steps). */
export interface StepCtx {
  next(): Float32Array; // the next parameter, in describeParams order
  state(init: () => Float64Array[]): Float64Array[]; // this sub-layer's carried state, made by init after a reset
}

/** PyTorch export of one layer. */
export interface TorchCtx {
  e: string; // the engine's tensor prefix: layers.3
  name: string; // the module attribute: fc3, res1_conv0
  i: number;
  namePrefix: string;
  out: Emitted;
  line(shape: number[], stmt: string, note?: string): void; // a forward statement and the shape it leaves
  emit(layers: LayerSpec[], shape: number[], enginePrefix: string, namePrefix: string): number[];
}

/** "How it works": the layer's formula with its real sizes (TeX, one display line each) and plain sentences. */
export interface HowCard {
  tex: string[];
  text: string[];
  /** A sliding window to draw (conv, pooling): square side k, stride, padding, input and output side. */
  window?: { k: number; stride: number; pad: number; inSide: number; outSide: number };
  inside?: boolean; // the live inside view shows this layer's weights or activations
}
/** What a card may read beyond the layer and its shapes (the dataset, for a vocabulary). */
export interface HowCtx { spec: ModelSpec }

export interface LayerDef<S extends { kind: string } = { kind: string }> {
  kind: S['kind'];
  title: string; // in the layer stack and messages: "Conv2D"
  label: string; // on the palette button
  help: string; // one line: the palette tooltip and the README's layer list
  family: Family | null; // null: not added from the palette (a residual wraps layers)
  /** Every field of the spec but `kind`, in the order the inspector and the validator go through them. */
  fields: { [K in Exclude<keyof S, 'kind'>]-?: FieldDef };
  note?: string; // the inspector's text for a kind without fields
  torchName?: string; // module attribute stem in the export (fc, conv, …); default the kind
  /** Capabilities that code outside the registry asks for instead of naming kinds. */
  recurrent?: boolean;
  runningStats?: boolean; // BatchNorm: running mean/variance buffers
  tiesEmbedding?: boolean; // reads the last embedding table (unembed)
  tokenInput?: boolean; // takes token ids (integers), not values (embedding)
  attention?: boolean; // self-attention inside (transformer): the inside view draws its heads
  /** What the inside view draws this layer's weights as: one 28×28 tile per unit, or one per filter. */
  tiles?: 'units' | 'filters' | 'patchFilters';
  inner?(l: S): LayerSpec[]; // nested layers (residual)
  make(): S; // the palette's default
  summary(l: S): string;
  check?(l: S, ctx: CheckCtx): void;
  infer(l: S, shape: number[], ctx: InferCtx): Inferred;
  describe(l: S, shape: number[], ctx: DescribeCtx): number[]; // pushes parameters, returns the output shape
  lower(g: Graph, l: S, h: Tensor, ctx: LowerCtx): Tensor;
  torch(l: S, shape: number[], ctx: TorchCtx): number[];
  /** The "How it works" card with this layer's real sizes, from its input and output shapes. */
  how(l: S, inShape: number[], outShape: number[], ctx: HowCtx): HowCard;
  /** Stepwise inference for text sampling; kinds without it are sampled over a window instead. */
  step?(l: S, h: Float64Array, ctx: StepCtx): Float64Array;
}

export const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
