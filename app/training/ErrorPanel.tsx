// A visible alert for an engine error or a diverged run.
import { useApp } from '../store/index.ts';
import { selectError } from '../store/selectors.ts';
import { reset } from './run.ts';

export function ErrorPanel() {
  const error = useApp(selectError);
  if (!error) return null;
  return (
    <div className="error-panel" role="alert">
      <strong>{error.kind === 'diverged' ? 'Training diverged' : 'Training failed'}</strong>
      <p>{error.message}</p>
      {error.kind === 'diverged' ? (
        <p className="hint">Lower the learning rate (or turn on gradient clipping) and press Train: the run resumes from its last good checkpoint.</p>
      ) : null}
      <button type="button" onClick={reset}>{error.kind === 'diverged' ? 'Reset instead' : 'Dismiss and reset'}</button>
    </div>
  );
}
