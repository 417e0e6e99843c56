// Typed fields of the selected layer.
import type { Activation, LayerSpec } from '../../kernels/spec/types.ts';
import { useApp } from '../store/index.ts';
import { selectLayers, selectSelectedLayer, selectUpdateLayer, selectValidation } from '../store/selectors.ts';
import { NumberField, SelectField } from '../ui/fields.tsx';
import { ACTIVATIONS, layerTitle } from './layerText.ts';

const DENSE_ACTS = [{ value: 'none', label: 'none (linear)' }, ...ACTIVATIONS] as const;

export function Inspector() {
  const layers = useApp(selectLayers);
  const i = useApp(selectSelectedLayer);
  const update = useApp(selectUpdateLayer);
  const validation = useApp(selectValidation);
  const layer = i !== null ? layers[i] : undefined;
  if (i === null || !layer) return <p className="empty">Select a layer to edit it.</p>;
  const err = (field: string) => validation.errors.find((e) => e.layer === i && e.path.endsWith(`.${field}`))?.message;
  const set = (l: LayerSpec) => update(i, l);
  return (
    <div className="inspector" aria-label={`Layer ${i + 1} settings`} role="group">
      <h3>{layerTitle(layer)} · layer {i + 1}</h3>
      {layer.kind === 'dense' ? (
        <>
          <NumberField label="Units" integer min={1} value={layer.units} error={err('units')} onChange={(units) => set({ ...layer, units })} />
          <SelectField
            label="Activation" value={layer.activation ?? 'none'} options={DENSE_ACTS} error={err('activation')}
            onChange={(a) => set({ ...layer, activation: a as Activation | 'none' })}
          />
        </>
      ) : null}
      {layer.kind === 'activation' ? (
        <SelectField label="Function" value={layer.fn} options={ACTIVATIONS} error={err('fn')} onChange={(fn) => set({ ...layer, fn })} />
      ) : null}
      {layer.kind === 'dropout' ? (
        <NumberField label="Rate" min={0} max={0.99} step={0.05} value={layer.rate} error={err('rate')} onChange={(rate) => set({ ...layer, rate })} />
      ) : null}
      {layer.kind === 'flatten' ? <p className="hint">Flatten has no settings: it turns each sample into one vector.</p> : null}
      {layer.kind === 'residual' ? <p className="hint">A residual block of {layer.layers.length} layers; edit it in a later version.</p> : null}
    </div>
  );
}
