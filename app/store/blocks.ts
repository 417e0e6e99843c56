// Block templates the palette inserts as a run of ordinary layers, repeated × N. Each block keeps
// the shape rules of the kinds it is made of (their registry defaults): a 3×3 'same' conv keeps height and width and a 2×2
// pool halves them, so Conv → ReLU → Pool × 2 takes 28×28×1 to 7×7×8.
import { defaultLayer, KIND, type LayerSpec } from '../engine.ts';

export type BlockId = 'conv-relu-pool' | 'conv-bn-relu' | 'dense-relu-dropout' | 'transformer-block' | 'lstm-stack';

export interface BlockTemplate {
  id: BlockId;
  label: string;
  title: string;
  /** One copy of the block, fresh objects each call. */
  layers(): LayerSpec[];
}

/** The most copies one insert makes (8 conv blocks already pool 28×28 down past 1×1). */
export const MAX_REPEAT = 8;

export const BLOCKS: readonly BlockTemplate[] = [
  {
    id: 'conv-relu-pool', label: 'Conv → ReLU → Pool', title: '3×3 convolution with ReLU, then 2×2 max pooling (halves height and width)',
    layers: () => [defaultLayer(KIND.conv2d), defaultLayer(KIND.maxpool2d)],
  },
  {
    id: 'conv-bn-relu', label: 'Conv → BN → ReLU', title: '3×3 convolution, batch normalisation, then ReLU (keeps height and width)',
    layers: () => [{ ...defaultLayer(KIND.conv2d), activation: 'none' }, defaultLayer(KIND.batchnorm), defaultLayer(KIND.activation)],
  },
  {
    id: 'dense-relu-dropout', label: 'Dense → ReLU → Dropout', title: 'Fully connected layer with ReLU, then dropout',
    layers: () => [defaultLayer(KIND.dense), defaultLayer(KIND.dropout)],
  },
  {
    // One transformer layer of one block: N copies are N blocks the user can set apart (heads, causal).
    id: 'transformer-block', label: 'Transformer block', title: 'One transformer block: self-attention + MLP, each with a residual and LayerNorm',
    layers: () => [defaultLayer(KIND.transformer)],
  },
  {
    // Returns sequences, so stacked copies feed each other (T, hidden) → (T, hidden).
    id: 'lstm-stack', label: 'LSTM layer', title: 'LSTM returning its whole sequence, so copies stack',
    layers: () => [defaultLayer(KIND.lstm)],
  },
];

export function blockTemplate(id: BlockId): BlockTemplate {
  const b = BLOCKS.find((x) => x.id === id);
  if (!b) throw new Error(`unknown block "${id}"`);
  return b;
}

/** The layers of `times` copies of a block (times clamped to 1..MAX_REPEAT). */
export function repeatBlock(id: BlockId, times: number): LayerSpec[] {
  const n = Math.max(1, Math.min(MAX_REPEAT, Math.floor(times) || 1));
  const b = blockTemplate(id);
  return Array.from({ length: n }, () => b.layers()).flat();
}
