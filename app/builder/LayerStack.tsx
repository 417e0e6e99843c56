// The layer list: each row shows the layer, its output shape and parameter count, its errors,
// and buttons to select, move and remove it. Totals underneath.
import type { LayerSpec } from '../../kernels/spec/types.ts';
import { issueText, type SpecIssue } from '../engine.ts';
import { useApp } from '../store/index.ts';
import {
  selectLayers, selectMoveLayer, selectRemoveLayer, selectSelectedLayer, selectSelectLayer, selectShapes, selectValidation,
} from '../store/selectors.ts';
import { fmtBytes, fmtCount, fmtShape } from '../ui/format.ts';
import { layerSummary, layerTitle } from './layerText.ts';

const INPUT_SHAPE = [28, 28, 1]; // MNIST, one sample

function LayerRow(p: {
  i: number; n: number; layer: LayerSpec; outShape?: number[]; params?: number; errors: SpecIssue[]; selected: boolean;
}) {
  const select = useApp(selectSelectLayer);
  const move = useApp(selectMoveLayer);
  const remove = useApp(selectRemoveLayer);
  const { i, layer } = p;
  const name = `${layerTitle(layer)} layer ${i + 1}`;
  const errId = `layer-${i}-err`;
  const summary = layerSummary(layer);
  const label = `${name}${summary ? `, ${summary}` : ''}, output ${p.outShape ? fmtShape(p.outShape) : 'unknown'}, ${p.params ?? 0} parameters`;
  return (
    <li className={`layer${p.selected ? ' selected' : ''}${p.errors.length ? ' invalid' : ''}`} data-kind={layer.kind}>
      <button
        type="button" className="layer-main" aria-pressed={p.selected} aria-label={label} onClick={() => select(p.selected ? null : i)}
        aria-describedby={p.errors.length ? errId : undefined}
      >
        <span className="layer-index">{i + 1}</span>
        <span className="layer-what">
          <span className="layer-name">{layerTitle(layer)}</span>
          {summary ? <span className="layer-summary">{summary}</span> : null}
        </span>
        <span className="layer-shape" title="output shape">{p.outShape ? fmtShape(p.outShape) : '?'}</span>
        <span className="layer-params" title="parameters">{p.params !== undefined ? fmtCount(p.params) : '–'}</span>
      </button>
      <span className="layer-tools">
        <button type="button" className="icon" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
        <button type="button" className="icon" aria-label={`Move ${name} down`} disabled={i === p.n - 1} onClick={() => move(i, 1)}>↓</button>
        <button type="button" className="icon danger" aria-label={`Remove ${name}`} onClick={() => remove(i)}>✕</button>
      </span>
      {p.errors.length ? (
        <ul className="layer-errors" id={errId}>
          {p.errors.map((e, k) => <li key={k}>{issueText(e)}</li>)}
        </ul>
      ) : null}
    </li>
  );
}

export function LayerStack() {
  const layers = useApp(selectLayers);
  const shapes = useApp(selectShapes);
  const validation = useApp(selectValidation);
  const selected = useApp(selectSelectedLayer);
  const modelErrors = validation.errors.filter((e) => e.layer === undefined && !e.path.startsWith('train') && e.path !== 'seed');
  return (
    <div className="stack">
      <div className="stack-head" aria-hidden="true">
        <span>#</span><span>Layer</span><span>Output</span><span>Params</span>
      </div>
      <div className="layer io">
        <span className="layer-index">in</span>
        <span className="layer-what"><span className="layer-name">Input</span><span className="layer-summary">MNIST image</span></span>
        <span className="layer-shape">{fmtShape(INPUT_SHAPE)}</span><span className="layer-params" />
      </div>
      <ol className="layers" aria-label="Layers">
        {layers.map((l, i) => (
          <LayerRow
            key={i} i={i} n={layers.length} layer={l} selected={selected === i}
            outShape={shapes?.layers[i]?.outShape} params={shapes?.layers[i]?.params}
            errors={validation.errors.filter((e) => e.layer === i)}
          />
        ))}
      </ol>
      {layers.length === 0 ? <p className="empty">No layers yet: add one from the palette.</p> : null}
      {modelErrors.length ? (
        <ul className="model-errors">{modelErrors.map((e, k) => <li key={k}>{issueText(e)}</li>)}</ul>
      ) : null}
      <p className="totals" data-testid="model-totals">
        {shapes ? <>Total <strong>{fmtCount(shapes.totalParams)}</strong> parameters · about <strong>{fmtBytes(shapes.memoryBytes)}</strong> while training</> : 'Shapes unknown until the model is valid.'}
      </p>
    </div>
  );
}
