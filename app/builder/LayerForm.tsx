// The typed fields of one layer, by kind; a residual block lists its inner layers, each with its
// own fields (nested blocks recurse), and can add or remove inner layers.
import { useState } from 'react';
import type { LayerSpec } from '../../kernels/model/types.ts';
import type { SpecIssue } from '../engine.ts';
import { defaultLayer, insertAt, removeAt, type PaletteKind } from '../store/layers.ts';
import { SelectField, NumberField } from '../ui/fields.tsx';
import { ACTIVATIONS, layerSummary, layerTitle } from './layerText.ts';
import {
  ConvFields, DenseFields, EmbeddingFields, NormFields, PatchesFields, PoolFields, PosencFields, RecurrentFields, TransformerFields,
} from './LayerFields.tsx';
import { PALETTE_KINDS } from './Palette.tsx';

const HINTS: Partial<Record<LayerSpec['kind'], string>> = {
  flatten: 'Flatten has no settings: it turns each sample into one vector.',
  globalavgpool: 'Global average pooling has no settings: it averages over every position, (H, W, C) → (C) or (T, D) → (D).',
  unembed: 'Unembed has no settings: it scores each position against the last Embedding’s table (tied weights).',
};

/** The message of the field `field` of the layer at `prefix` (e.g. "layers[2].layers[0]"), from paths like "layers[2].layers[0] (dense).units". */
export const fieldError = (errors: readonly SpecIssue[], prefix: string) => (field: string) =>
  errors.find((e) => e.path.startsWith(`${prefix} (`) && e.path.endsWith(`.${field}`))?.message;

export function Fields({ layer, set, errors, prefix }: { layer: LayerSpec; set: (l: LayerSpec) => void; errors: readonly SpecIssue[]; prefix: string }) {
  const err = fieldError(errors, prefix);
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
    case 'residual': return <ResidualFields layer={layer} set={set} errors={errors} prefix={prefix} />;
    default: return <p className="hint">{HINTS[layer.kind]}</p>;
  }
}

type Residual = Extract<LayerSpec, { kind: 'residual' }>;

function ResidualFields({ layer, set, errors, prefix }: { layer: Residual; set: (l: LayerSpec) => void; errors: readonly SpecIssue[]; prefix: string }) {
  const [kind, setKind] = useState<PaletteKind>('dense');
  const setInner = (k: number, l: LayerSpec) => set({ ...layer, layers: layer.layers.map((x, j) => (j === k ? l : x)) });
  return (
    <div className="residual-fields">
      <p className="hint">The block’s output is added to its input, so it must keep the shape.</p>
      <ol className="inner-layers" aria-label="Inner layers">
        {layer.layers.map((l, k) => {
          const title = `Inner layer ${k + 1}: ${layerTitle(l)}`;
          return (
            <li key={k}>
              <fieldset className="inner-layer">
                <legend>{title}{layerSummary(l) ? <span className="hint"> · {layerSummary(l)}</span> : null}</legend>
                <Fields layer={l} set={(x) => setInner(k, x)} errors={errors} prefix={`${prefix}.layers[${k}]`} />
                <button type="button" className="danger" aria-label={`Remove ${title}`} disabled={layer.layers.length === 1}
                  onClick={() => set({ ...layer, layers: removeAt(layer.layers, k) })}>Remove</button>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="add-inner">
        <SelectField label="Inner layer kind" value={kind} options={PALETTE_KINDS} onChange={setKind} />
        <button type="button" onClick={() => set({ ...layer, layers: insertAt(layer.layers, layer.layers.length, defaultLayer(kind)) })}>Add inside</button>
      </div>
    </div>
  );
}
