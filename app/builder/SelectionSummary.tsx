// The inspector for several selected layers: how many, which, and the bulk actions (wrap the run
// in a residual block, duplicate, remove). A refused wrap says why in an alert.
import { type LayerSpec, issueText, type SpecIssue } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectDuplicateSelected, selectRemoveSelected, selectSelectionNotice, selectWrapSelected } from '../store/selectors.ts';
import { layerTitle } from './layerText.ts';

/** True when the indices (sorted) are one run with no gaps. */
const isRun = (sel: readonly number[]) => sel.length > 0 && sel[sel.length - 1] - sel[0] + 1 === sel.length;

export function SelectionSummary({ selected, layers, errors }: { selected: readonly number[]; layers: readonly LayerSpec[]; errors: readonly SpecIssue[] }) {
  const wrap = useApp(selectWrapSelected);
  const duplicate = useApp(selectDuplicateSelected);
  const remove = useApp(selectRemoveSelected);
  const notice = useApp(selectSelectionNotice);
  const run = isRun(selected);
  const mine = errors.filter((e) => e.layer !== undefined && selected.includes(e.layer));
  return (
    <div className="inspector selection-summary" role="group" aria-label="Selected layers">
      <h3>{selected.length} layers selected</h3>
      <p className="hint">
        {run ? `Layers ${selected[0] + 1} to ${selected[selected.length - 1] + 1}, one run.` : `Layers ${selected.map((j) => j + 1).join(', ')}, not one run.`}
      </p>
      <ol className="selection-list" aria-label="Selection">
        {selected.map((j) => <li key={j} value={j + 1}>{layers[j] ? layerTitle(layers[j]) : '?'}</li>)}
      </ol>
      <div className="layer-actions" role="group" aria-label="Actions on the selected layers">
        <button type="button" onClick={wrap}>Wrap selected in residual</button>
        <button type="button" onClick={duplicate}>Duplicate selected</button>
        <button type="button" className="danger" onClick={remove}>Remove selected</button>
      </div>
      {notice ? <p className="field-error selection-notice" role="alert">{notice}</p> : null}
      {mine.length ? (
        <ul className="field-error layer-problems" aria-label="Problems in the selection">
          {mine.map((e, k) => <li key={k}>Layer {e.layer! + 1}: {issueText(e)}</li>)}
        </ul>
      ) : null}
    </div>
  );
}
