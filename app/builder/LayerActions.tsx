// Actions on the selected layer: duplicate it, wrap it (and the layers after it) in a residual
// block, or put a residual block's inner layers back in its place.
import { useState } from 'react';
import { layerDef, type LayerSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectDuplicateLayer, selectUnwrapLayer, selectWrapLayers } from '../store/selectors.ts';
import { NumberField } from '../ui/fields.tsx';

export function LayerActions({ i, layer, n }: { i: number; layer: LayerSpec; n: number }) {
  const duplicate = useApp(selectDuplicateLayer);
  const wrap = useApp(selectWrapLayers);
  const unwrap = useApp(selectUnwrapLayer);
  const [count, setCount] = useState(1);
  const most = n - i;
  const c = Math.max(1, Math.min(count, most));
  return (
    <div className="layer-actions" role="group" aria-label="Layer actions">
      <button type="button" onClick={() => duplicate(i)}>Duplicate</button>
      {layerDef(layer.kind).inner ? (
        <button type="button" onClick={() => unwrap(i)}>Unwrap residual</button>
      ) : (
        <div className="wrap-row">
          <button type="button" onClick={() => wrap(i, c)}>Wrap in residual</button>
          {most > 1 ? (
            <NumberField label="Layers to wrap" integer min={1} max={most} value={count} onChange={setCount} hint={c === 1 ? 'only this layer' : `this and the next ${c - 1}`} />
          ) : null}
        </div>
      )}
    </div>
  );
}
