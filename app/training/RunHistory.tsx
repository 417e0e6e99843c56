// Earlier runs of this session: name, hyperparameters, result; a checkbox overlays a run's curves
// on the charts (dashed, in the run's colour) and a button deletes it.
import { useApp } from '../store/index.ts';
import { selectDeleteRun, selectRuns, selectToggleRun } from '../store/selectors.ts';
import { runColor, runDash } from './runStyle.ts';

export function RunHistory() {
  const runs = useApp(selectRuns);
  const toggle = useApp(selectToggleRun);
  const remove = useApp(selectDeleteRun);
  if (!runs.length) return null;
  return (
    <section className="run-history" aria-labelledby="runs-h">
      <h3 id="runs-h">Earlier runs <span className="hint">(this session; shown dashed on the charts)</span></h3>
      <ul className="runs" aria-label="Earlier runs">
        {runs.map((r) => (
          <li key={r.id} data-testid="past-run" data-run={r.id}>
            <svg width="28" height="10" aria-hidden="true" className="run-swatch">
              <line x1="0" y1="5" x2="28" y2="5" stroke={runColor(r.id)} strokeWidth="2" strokeDasharray={runDash(r.id)} />
            </svg>
            <label className="run-show">
              <input type="checkbox" checked={r.visible} onChange={() => toggle(r.id)} aria-label={`Show ${r.name} on the charts`} />
              <span className="run-name">{r.name}</span>
            </label>
            <span className="run-meta">{r.summary} · {r.result}</span>
            <button type="button" className="icon danger" aria-label={`Delete ${r.name}`} onClick={() => remove(r.id)}>✕</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
