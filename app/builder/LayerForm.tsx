// The typed fields of one layer, by kind; a residual block lists its inner layers, each with its
// own fields (nested blocks recurse), and can add or remove inner layers.
import { useState } from 'react';
import { layerDef, type LayerKind, type LayerSpec, type SpecIssue } from '../engine.ts';
import { defaultLayer, insertAt, removeAt } from '../store/layers.ts';
import { SelectField } from '../ui/fields.tsx';
import { layerSummary, layerTitle } from './layerText.ts';
import { DeclaredFields } from './LayerFields.tsx';
import { PALETTE_KINDS } from './Palette.tsx';

/** The message of the field `field` of the layer at `prefix` (e.g. "layers[2].layers[0]"), from paths like "layers[2].layers[0] (dense).units". */
export const fieldError = (errors: readonly SpecIssue[], prefix: string) => (field: string) =>
  errors.find((e) => e.path.startsWith(`${prefix} (`) && e.path.endsWith(`.${field}`))?.message;

export function Fields({ layer, set, errors, prefix }: { layer: LayerSpec; set: (l: LayerSpec) => void; errors: readonly SpecIssue[]; prefix: string }) {
  const def = layerDef(layer.kind);
  if (def.inner) return <InnerLayers layer={layer} inner={def.inner(layer)} set={set} errors={errors} prefix={prefix} />;
  if (!Object.keys(def.fields).length) return <p className="hint">{def.note}</p>;
  return <DeclaredFields fields={def.fields} layer={layer} set={set} err={fieldError(errors, prefix)} />;
}

/** A block's inner layers, each with its own fields (nested blocks recurse); add or remove inner layers. */
function InnerLayers({ layer, inner, set, errors, prefix }: { layer: LayerSpec; inner: LayerSpec[]; set: (l: LayerSpec) => void; errors: readonly SpecIssue[]; prefix: string }) {
  const [kind, setKind] = useState<LayerKind>(PALETTE_KINDS[0].value);
  const setLayers = (layers: LayerSpec[]) => set({ ...layer, layers } as LayerSpec);
  const setInner = (k: number, l: LayerSpec) => setLayers(inner.map((x, j) => (j === k ? l : x)));
  return (
    <div className="residual-fields">
      <p className="hint">The block’s output is added to its input, so it must keep the shape.</p>
      <ol className="inner-layers" aria-label="Inner layers">
        {inner.map((l, k) => {
          const title = `Inner layer ${k + 1}: ${layerTitle(l)}`;
          return (
            <li key={k}>
              <fieldset className="inner-layer">
                <legend>{title}{layerSummary(l) ? <span className="hint"> · {layerSummary(l)}</span> : null}</legend>
                <Fields layer={l} set={(x) => setInner(k, x)} errors={errors} prefix={`${prefix}.layers[${k}]`} />
                <button type="button" className="danger" aria-label={`Remove ${title}`} disabled={inner.length === 1}
                  onClick={() => setLayers(removeAt(inner, k))}>Remove</button>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="add-inner">
        <SelectField label="Inner layer kind" value={kind} options={PALETTE_KINDS} onChange={setKind} />
        <button type="button" onClick={() => setLayers(insertAt(inner, inner.length, defaultLayer(kind)))}>Add inside</button>
      </div>
    </div>
  );
}
