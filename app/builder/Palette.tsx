// Buttons that add a layer after the selected one (or before the output layer).
import { useApp } from '../store/index.ts';
import type { PaletteKind } from '../store/layers.ts';
import { selectAddLayer } from '../store/selectors.ts';

const KINDS: { kind: PaletteKind; label: string; title: string }[] = [
  { kind: 'dense', label: 'Dense', title: 'Fully connected layer' },
  { kind: 'activation', label: 'Activation', title: 'Element-wise non-linearity' },
  { kind: 'dropout', label: 'Dropout', title: 'Randomly zero activations while training' },
  { kind: 'flatten', label: 'Flatten', title: 'Reshape to one vector per sample' },
];

export function Palette() {
  const addLayer = useApp(selectAddLayer);
  return (
    <div className="palette" role="group" aria-label="Add layer">
      {KINDS.map((k) => (
        <button key={k.kind} type="button" className="chip" title={k.title} aria-label={`Add ${k.label}`} onClick={() => addLayer(k.kind)}>
          + {k.label}
        </button>
      ))}
    </div>
  );
}
