// What the worker sends the "see inside" panel: first-layer weights as image tiles, and for one
// test sample the first recurrent layer's states/gates, the first attention layer's weights, or
// (MNIST CNNs) the image and the first conv layers' feature maps.
import type { CellKind } from '../engine.ts';

/** n tiles of h×w values, tile-major (tile t at t·h·w, row-major inside). */
export interface WeightTiles {
  layer: string; // parameter name, e.g. "layers.1.W"
  kind: 'units' | 'filters' | 'patchFilters'; // a Dense layer's units, conv filters, patch-embedding filters
  n: number; // tiles sent (the first units/filters)
  total: number; // units/filters the layer has
  h: number;
  w: number;
  data: Float32Array;
}

export interface RecurrentView {
  name: string;
  cell: CellKind;
  T: number;
  H: number;
  h: Float32Array; // (T, H) hidden states
  gates: Float32Array | null; // (T, 4H): LSTM i, f, g, o; GRU r, z, n, W_hn·h + b_hn
}

export interface AttentionView {
  name: string;
  heads: number;
  T: number;
  probs: Float32Array; // (heads, T, T), row = query, column = key
}

/** One conv layer's output after its activation for one image: C maps of H×W, channel-major. */
export interface FeatureMaps {
  name: string; // e.g. "layers.0.conv2d"
  H: number;
  W: number;
  C: number; // maps sent (the first channels)
  total: number; // channels the layer has
  maps: Float32Array; // (C, H, W)
}

export interface InsideData {
  step: number;
  weights: WeightTiles | null;
  /** The inspected test sample's tokens (sequence tasks with token inputs), for axis labels. */
  tokens: string[] | null;
  recurrent: RecurrentView | null;
  attention: AttentionView | null;
  /** MNIST models with Conv2D layers: the inspected test image (28×28 in [0, 1]) and its label. */
  image: { index: number; pixels: Float32Array; label: number | null } | null;
  /** Feature maps of the first conv layers (at most two) for that image. */
  features: FeatureMaps[] | null;
  /** Why a view is missing, when it is (e.g. attention weights not implemented on this backend). */
  notes: string[];
}

/** One parameter tensor's L2 norm and its latest gradient's. */
export interface ParamNorm { name: string; size: number; weight: number; grad: number }
