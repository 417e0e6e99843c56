// Typed fields of the selected layer; field errors come from validation and shape inference.
import type { LayerSpec } from '../../kernels/spec/types.ts';
import { issueText } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectLayers, selectSelectedLayer, selectUpdateLayer, selectValidation } from '../store/selectors.ts';
import { SelectField, NumberField } from '../ui/fields.tsx';
import { ACTIVATIONS, layerTitle } from './layerText.ts';
import {
  ConvFields, DenseFields, EmbeddingFields, NormFields, PatchesFields, PoolFields, PosencFields, RecurrentFields, TransformerFields,
} from './LayerFields.tsx';

const HINTS: Partial<Record<LayerSpec['kind'], string>> = {
  flatten: 'Flatten has no settings: it turns each sample into one vector.',
  globalavgpool: 'Global average pooling has no settings: it averages over every position, (H, W, C) → (C) or (T, D) → (D).',
  unembed: 'Unembed has no settings: it scores each position against the last Embedding’s table (tied weights).',
};

function Fields({ layer, set, err }: { layer: LayerSpec; set: (l: LayerSpec) => void; err: (f: string) => string | undefined }) {
  switch (layer.kind) {
    case 'dense': return <DenseFields layer={layer} set={set} err={err} />;
    case 'activation':
      return <SelectField label="Function" value={layer.fn} options={ACTIVATIONS} error={err('fn')} onChange={(fn) => set({ ...layer, fn })} />;
    case 'dropout':
      return <NumberField label="Rate" min={0} max={0.95} step={0.05} value={layer.rate} error={err('rate')} onChange={(rate) => set({ ...layer, rate })} />;
    case 'conv2d': return <ConvFields layer={layer} set={set} err={err} />;
    case 'maxpool2d':
    case 'avgpool2d': return <PoolFields layer={layer} set={set} err={err} />;
    case 'batchnorm':
    case 'layernorm': return <NormFields layer={layer} set={set} err={err} />;
    case 'embedding': return <EmbeddingFields layer={layer} set={set} err={err} />;
    case 'lstm':
    case 'gru':
    case 'rnn': return <RecurrentFields layer={layer} set={set} err={err} />;
    case 'posenc': return <PosencFields layer={layer} set={set} err={err} />;
    case 'transformer': return <TransformerFields layer={layer} set={set} err={err} />;
    case 'patches': return <PatchesFields layer={layer} set={set} err={err} />;
    case 'residual': return <p className="hint">A residual block of {layer.layers.length} layers; its inner layers are edited in the spec (share link) for now.</p>;
    default: return <p className="hint">{HINTS[layer.kind]}</p>;
  }
}

export function Inspector() {
  const layers = useApp(selectLayers);
  const i = useApp(selectSelectedLayer);
  const update = useApp(selectUpdateLayer);
  const validation = useApp(selectValidation);
  const layer = i !== null ? layers[i] : undefined;
  if (i === null || !layer) return <p className="empty">Select a layer to edit it.</p>;
  const mine = validation.errors.filter((e) => e.layer === i);
  // Paths end in ".field" or ".field[k]" (a kernel's height or width).
  const err = (field: string) => mine.find((e) => e.path.endsWith(`.${field}`))?.message;
  const general = mine.filter((e) => !/\)\.[A-Za-z]+(\[\d+\])?$/.test(e.path));
  return (
    <div className="inspector" aria-label={`Layer ${i + 1} settings`} role="group">
      <h3>{layerTitle(layer)} · layer {i + 1}</h3>
      <Fields layer={layer} set={(l) => update(i, l)} err={err} />
      {general.length ? (
        <ul className="field-error layer-problems" aria-label="Layer problems">{general.map((e, k) => <li key={k}>{issueText(e)}</li>)}</ul>
      ) : null}
    </div>
  );
}
