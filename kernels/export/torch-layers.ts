// Export to PyTorch, per layer: `emit` translates the playground's layers to the lines of a torch
// nn.Module's __init__ and forward, and maps every engine tensor to its state_dict key and layout.
//
// Layouts. The engine holds images NHWC; the exported module takes NCHW like any torch model, so
// weights are converted on load (and back on save) by a named transform per tensor:
//   Dense W (in, out)              → nn.Linear weight (out, in)                      't'
//   Dense on an image (C, F)       → 1×1 nn.Conv2d weight (F, C, 1, 1)               'conv1x1'
//   Conv2D W (KH, KW, C, F)        → nn.Conv2d weight (F, C, KH, KW)                 'conv'
//   recurrent W_ih / W_hh (in, G·H) → nn.LSTM/GRU/RNN weight_ih_l{k} / weight_hh_l{k} 't'
//   patches W (size, size, C, dim)  → nn.Conv2d(C, dim, size, stride=size) weight      'conv'
//   block attn.W_qkv (D, 3D)        → self_attn.in_proj_weight (3D, D), q|k|v rows     't'
//   block attn.W_o, mlp.W1, mlp.W2  → self_attn.out_proj / linear1 / linear2 weight    't'
// Flatten of an image permutes back to NHWC first, so the next Dense sees the features in the
// engine's order; patch tokens come out row-major over the patch grid, as flatten(2).transpose(1, 2)
// of NCHW gives them. Transformer blocks are nn.TransformerEncoderLayer (or, with dropout, a small
// Block with the same parameter names: see BLOCK). BatchNorm running statistics are buffers: the
// playground's checkpoints carry them, and --save writes them back.
import { findLayerDef, type LayerSpec } from '../layers/index.ts';
import { tshape } from '../layers/shared.ts';

export { tshape };
export type Transform = '' | 't' | 'conv' | 'conv1x1';

/** What the layers translate to: lines of __init__ and forward, and where each tensor goes. */
export interface Emitted {
  init: string[]; // `self.name = nn.…(…)`
  forward: string[]; // statements over `x`, each with the shape it leaves
  params: [engine: string, key: string, transform: Transform][];
  buffers: [engine: string, key: string][];
  helpers: Set<'block' | 'sinusoidal'>; // Python definitions the script needs beyond Net
  embed: { name: string; vocab: number; dim: number } | null; // the last embedding so far, for a tied unembed
}

/** Each layer translated by its registry definition, in order; returns the shape it leaves. */
export function emit(layers: LayerSpec[], inShape: number[], enginePrefix: string, namePrefix: string, out: Emitted): number[] {
  let shape = inShape;
  layers.forEach((l, i) => {
    const def = findLayerDef(l.kind);
    if (!def) throw new Error(`Export to PyTorch does not support layer kind "${String(l.kind)}" yet.`);
    shape = def.torch(l, shape, {
      e: `${enginePrefix}.${i}`, // the engine's tensor names: layers.3.W, layers.2.layers.0.b, …
      name: `${namePrefix}${def.torchName ?? l.kind}${i}`,
      i, namePrefix, out,
      line: (s, stmt, note = '') => out.forward.push(`${stmt}  # ${tshape(s)}${note ? `: ${note}` : ''}`),
      emit: (ls, sh, ep, np) => emit(ls, sh, ep, np, out),
    });
  });
  return shape;
}
