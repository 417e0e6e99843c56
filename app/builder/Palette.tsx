// Buttons that add a layer after the selected one (or before the output layer), by family; the
// kinds, labels and tooltips come from the layer registry.
import { LAYERS, type Family } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectAddLayer } from '../store/selectors.ts';

const FAMILY_ORDER: readonly Family[] = ['Core', 'Convolution', 'Sequence', 'Transformer'];
const FAMILIES = FAMILY_ORDER.map((name) => ({ name, items: LAYERS.filter((d) => d.family === name) }));

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
            <button key={k.kind} type="button" className="chip" title={k.help} aria-label={`Add ${k.label}`} onClick={() => addLayer(k.kind)}>
              + {k.label}
            </button>
          ))}
        </div>
      ))}
    </div>
  );
}
