// The selected layer: its actions (duplicate, wrap in or unwrap a residual block) and typed fields;
// field errors come from validation and shape inference. Several selected: a summary and bulk actions.
import { useApp } from '../store/index.ts';
import { selectLayers, selectSelectedLayers, selectUpdateLayer, selectValidation } from '../store/selectors.ts';
import { plural } from '../ui/format.ts';
import { layerTitle } from './layerText.ts';
import { LayerActions } from './LayerActions.tsx';
import { Fields } from './LayerForm.tsx';
import { SelectionSummary } from './SelectionSummary.tsx';
import { HowItWorks } from './HowItWorks.tsx';

export function Inspector() {
  const layers = useApp(selectLayers);
  const selected = useApp(selectSelectedLayers);
  const update = useApp(selectUpdateLayer);
  const validation = useApp(selectValidation);
  if (selected.length > 1) return <SelectionSummary selected={selected} layers={layers} errors={validation.errors} />;
  const i = selected.length === 1 ? selected[0] : null;
  const layer = i !== null ? layers[i] : undefined;
  if (i === null || !layer) return <p className="empty">Select a layer to edit it.</p>;
  const mine = validation.errors.filter((e) => e.layer === i);
  // Field paths end in ".field" or ".field[k]" (a kernel's height or width); the rest are the layer's own.
  const general = mine.filter((e) => !/\)\.[A-Za-z]+(\[\d+\])?$/.test(e.path));
  return (
    <div className="inspector" aria-label={`Layer ${i + 1} settings`} role="group">
      <h3>{layerTitle(layer)} · layer {i + 1}</h3>
      <LayerActions i={i} layer={layer} n={layers.length} />
      <Fields layer={layer} set={(l) => update(i, l)} errors={mine} prefix={`layers[${i}]`} />
      {/* The layer's own problems (not a field's) show once, on its row in the list, with their fix. */}
      {general.length ? (
        <p className="hint layer-problems">Layer {i + 1} has {plural(general.length, 'problem')}: {general.length > 1 ? 'they are' : 'it is'} shown on its row in the layer list{general.some((e) => e.fix) ? ', with a fix' : ''}.</p>
      ) : null}
      <HowItWorks i={i} />
    </div>
  );
}
