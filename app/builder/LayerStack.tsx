// The layer list: each row shows the layer, its output shape and parameter count, its errors,
// and buttons to select, move and remove it; rows also reorder by drag and drop, or Alt+↑/↓ on
// the row's button. Several layers are selected by Shift-click or Shift+↑/↓ (a run), Ctrl/⌘-click
// or the row's checkbox (one more or one less). Totals underneath.
import { useState, type DragEvent, type KeyboardEvent, type MouseEvent } from 'react';
import { type LayerSpec, type ModelSpec, datasetInfo, taskInfo, type SpecIssue } from '../engine.ts';
import { useApp } from '../store/index.ts';
import {
  selectExtendLayerSelection, selectLayers, selectMoveLayer, selectMoveLayerTo, selectRemoveLayer, selectSelectedLayers, selectSelectLayer,
  selectShapes, selectSpec, selectToggleLayerSelection, selectValidation,
} from '../store/selectors.ts';
import { fmtBytes, fmtCount, fmtInt, fmtShape, plural } from '../ui/format.ts';
import { Issues } from './Issues.tsx';
import { layerSummary, layerTitle } from './layerText.ts';

function inputText(spec: ModelSpec): string {
  if (spec.dataset.kind === 'mnist') return 'MNIST image';
  if (spec.dataset.kind === 'images') return `${spec.dataset.name}: grey ${spec.dataset.size}×${spec.dataset.size} images`;
  if (spec.dataset.kind !== 'task') return `${spec.dataset.name}: ${spec.dataset.kind === 'csv' ? spec.dataset.inputs : spec.dataset.features.length} features`;
  try {
    const t = taskInfo(spec.dataset);
    return t.inputVocab > 0 ? `${t.name}: ${t.inputVocab} token ids` : `${t.name}: values per step`;
  } catch {
    return spec.dataset.name;
  }
}

function inputShape(spec: ModelSpec): number[] | null {
  try {
    return datasetInfo(spec).inputShape;
  } catch {
    return null; // a task whose settings are out of range: validation says which
  }
}

const DRAG_TYPE = 'application/x-layer-index';

function LayerRow(p: {
  i: number; n: number; layer: LayerSpec; outShape?: number[]; params?: number; errors: SpecIssue[];
  /** In the selection; `alone`: the only selected layer (a plain click then deselects it). */
  selected: boolean; alone: boolean;
  dropTarget: boolean; onDragTarget: (i: number | null) => void;
}) {
  const select = useApp(selectSelectLayer);
  const toggle = useApp(selectToggleLayerSelection);
  const extend = useApp(selectExtendLayerSelection);
  const move = useApp(selectMoveLayer);
  const moveTo = useApp(selectMoveLayerTo);
  const remove = useApp(selectRemoveLayer);
  const { i, layer } = p;
  const name = `${layerTitle(layer)} layer ${i + 1}`;
  const errId = `layer-${i}-err`;
  const summary = layerSummary(layer);
  // A layer that cannot take its input, and every layer after it, has no shape ([0]) and no parameter count.
  const known = p.outShape && !p.outShape.includes(0) ? p.outShape : undefined;
  const params = known ? p.params : undefined;
  const label = `${name}${summary ? `, ${summary}` : ''}, output ${known ? fmtShape(known) : 'unknown'}, ${params !== undefined ? plural(params, 'parameter') : 'parameters unknown'}` +
    `${p.errors.length ? `, ${plural(p.errors.length, 'problem')}` : ''}`;
  const onDrop = (e: DragEvent) => {
    const from = Number(e.dataTransfer.getData(DRAG_TYPE));
    p.onDragTarget(null);
    if (e.dataTransfer.types.includes(DRAG_TYPE) && Number.isInteger(from)) {
      e.preventDefault();
      moveTo(from, i);
    }
  };
  const onClick = (e: MouseEvent) => {
    if (e.shiftKey) extend(i);
    else if (e.ctrlKey || e.metaKey) toggle(i);
    else select(p.alone ? null : i);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    const d = e.key === 'ArrowUp' ? -1 : 1;
    if (e.altKey) {
      e.preventDefault();
      if (i + d >= 0 && i + d < p.n) move(i, d);
    } else if (e.shiftKey) {
      // Grow (or shrink) the run from the anchor to the next row, and follow it with the focus.
      e.preventDefault();
      const j = i + d;
      if (j < 0 || j >= p.n) return;
      extend(j, i);
      e.currentTarget.closest('ol')?.querySelectorAll<HTMLButtonElement>('button.layer-main')[j]?.focus();
    }
  };
  return (
    <li
      className={`layer${p.selected ? ' selected' : ''}${p.errors.length ? ' invalid' : ''}${p.dropTarget ? ' drop-target' : ''}`} data-kind={layer.kind}
      draggable onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, String(i));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
        e.preventDefault();
        p.onDragTarget(i);
      }}
      onDragLeave={() => p.onDragTarget(null)} onDrop={onDrop} onDragEnd={() => p.onDragTarget(null)}
    >
      <span className="layer-index">
        <input type="checkbox" className="layer-check" aria-label={`Select ${name}`} checked={p.selected} onChange={() => toggle(i)} />
        <span aria-hidden="true">{i + 1}</span>
      </span>
      <span className="layer-what">
        {/* The button's visible text (the title) is part of its name; its ::after covers the row, so the whole row selects. */}
        <button
          type="button" className="layer-main" aria-pressed={p.selected} aria-label={label} onClick={onClick}
          aria-describedby={p.errors.length ? errId : undefined} aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown Shift+ArrowUp Shift+ArrowDown"
          onKeyDown={onKeyDown}
        >
          {layerTitle(layer)}
        </button>
        {summary ? <span className="layer-summary" aria-hidden="true">{summary}</span> : null}
      </span>
      <span className="layer-shape" title="output shape" aria-hidden="true">{known ? fmtShape(known) : '?'}</span>
      <span className="layer-params" title={params !== undefined ? plural(params, 'parameter') : 'parameters unknown'} aria-hidden="true">{params !== undefined ? fmtCount(params) : '–'}</span>
      <span className="layer-tools">
        <button type="button" className="icon" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
        <button type="button" className="icon" aria-label={`Move ${name} down`} disabled={i === p.n - 1} onClick={() => move(i, 1)}>↓</button>
        <button type="button" className="icon danger" aria-label={`Remove ${name}`} onClick={() => remove(i)}>✕</button>
      </span>
      <Issues issues={p.errors} className="layer-errors" id={errId} />
    </li>
  );
}

export function LayerStack() {
  const layers = useApp(selectLayers);
  const shapes = useApp(selectShapes);
  const validation = useApp(selectValidation);
  const selected = useApp(selectSelectedLayers);
  const spec = useApp(selectSpec);
  const [dragOver, setDragOver] = useState<number | null>(null);
  const inShape = inputShape(spec);
  const modelErrors = validation.errors.filter((e) => e.layer === undefined && !e.path.startsWith('train') && e.path !== 'seed');
  // 1-based number of the first layer without a shape (it cannot take its input, or a field is out of range); 0: none.
  const unfit = (shapes?.layers.findIndex((l) => l.outShape.includes(0)) ?? -1) + 1;
  return (
    <div className="stack">
      <div className="stack-head" aria-hidden="true">
        <span>#</span><span>Layer</span><span>Output</span><span>Params</span>
      </div>
      <div className="layer io">
        <span className="layer-index">in</span>
        <span className="layer-what"><span className="layer-name">Input</span><span className="layer-summary">{inputText(spec)}</span></span>
        <span className="layer-shape" data-testid="input-shape">{inShape ? fmtShape(inShape) : '?'}</span><span className="layer-params" />
      </div>
      <ol className="layers" aria-label="Layers">
        {layers.map((l, i) => (
          <LayerRow
            key={i} i={i} n={layers.length} layer={l} selected={selected.includes(i)} alone={selected.length === 1 && selected[0] === i}
            dropTarget={dragOver === i} onDragTarget={setDragOver}
            outShape={shapes?.layers[i]?.outShape} params={shapes?.layers[i]?.params}
            errors={validation.errors.filter((e) => e.layer === i)}
          />
        ))}
      </ol>
      {layers.length === 0 ? <p className="empty">No layers yet: add one from the palette.</p> : null}
      {layers.length > 1 ? (
        <p className="hint stack-hint">
          Select several: <kbd>Shift</kbd>-click or <kbd>Shift</kbd>+<kbd>↑</kbd>/<kbd>↓</kbd> for a run, <kbd>Ctrl</kbd>/<kbd>⌘</kbd>-click or the box for one more.
        </p>
      ) : null}
      <Issues issues={modelErrors} className="model-errors" />
      <p className="totals" data-testid="model-totals">
        {shapes && !unfit
          ? <>Total <strong>{fmtInt(shapes.totalParams)}</strong> {shapes.totalParams === 1 ? 'parameter' : 'parameters'} · about <strong>{fmtBytes(shapes.memoryBytes)}</strong> while training</>
          : `Totals appear once every layer takes its input${unfit ? ` (layer ${unfit} does not yet)` : ''}.`}
      </p>
    </div>
  );
}
