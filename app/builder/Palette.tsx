// Buttons that add a layer after the selected one (or before the output layer), by family.
import { useApp } from '../store/index.ts';
import type { PaletteKind } from '../store/layers.ts';
import { selectAddLayer } from '../store/selectors.ts';

interface Item { kind: PaletteKind; label: string; title: string }

const FAMILIES: { name: string; items: Item[] }[] = [
  {
    name: 'Core',
    items: [
      { kind: 'dense', label: 'Dense', title: 'Fully connected layer' },
      { kind: 'activation', label: 'Activation', title: 'Element-wise non-linearity' },
      { kind: 'dropout', label: 'Dropout', title: 'Randomly zero activations while training' },
      { kind: 'flatten', label: 'Flatten', title: 'Reshape to one vector per sample' },
      { kind: 'layernorm', label: 'LayerNorm', title: 'Normalise each position over its features' },
    ],
  },
  {
    name: 'Convolution',
    items: [
      { kind: 'conv2d', label: 'Conv2D', title: '2-D convolution over an image (height, width, channels)' },
      { kind: 'maxpool2d', label: 'MaxPool2D', title: 'Maximum over each window' },
      { kind: 'avgpool2d', label: 'AvgPool2D', title: 'Mean over each window' },
      { kind: 'globalavgpool', label: 'Global avg pool', title: 'Mean over all positions: (H, W, C) → (C)' },
      { kind: 'batchnorm', label: 'BatchNorm', title: 'Normalise each channel over the batch' },
    ],
  },
  {
    name: 'Sequence',
    items: [
      { kind: 'embedding', label: 'Embedding', title: 'Token ids → vectors' },
      { kind: 'lstm', label: 'LSTM', title: 'Long short-term memory layer' },
      { kind: 'gru', label: 'GRU', title: 'Gated recurrent unit layer' },
      { kind: 'rnn', label: 'RNN', title: 'Plain tanh recurrent layer' },
    ],
  },
  {
    name: 'Transformer',
    items: [
      { kind: 'posenc', label: 'Positions', title: 'Add positional encodings (sinusoidal or learned)' },
      { kind: 'transformer', label: 'Transformer', title: 'Transformer block(s): self-attention + MLP' },
      { kind: 'patches', label: 'Patches', title: 'Cut an image into patches, each projected to a vector (ViT)' },
      { kind: 'unembed', label: 'Unembed', title: 'Scores against the embedding table (tied weights)' },
    ],
  },
];

/** Every palette kind as select options (adding an inner layer to a residual block). */
export const PALETTE_KINDS = FAMILIES.flatMap((f) => f.items.map((k) => ({ value: k.kind, label: k.label })));

export function Palette() {
  const addLayer = useApp(selectAddLayer);
  return (
    <div className="palette" role="group" aria-label="Add layer">
      {FAMILIES.map((f) => (
        <div key={f.name} className="palette-family" role="group" aria-label={`${f.name} layers`}>
          <span className="palette-name" aria-hidden="true">{f.name}</span>
          {f.items.map((k) => (
            <button key={k.kind} type="button" className="chip" title={k.title} aria-label={`Add ${k.label}`} onClick={() => addLayer(k.kind)}>
              + {k.label}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
