// A visible alert for an engine error or a diverged run.
import { useApp } from '../store/index.ts';
import { selectError } from '../store/selectors.ts';
import { reset } from './bridge.ts';

export function ErrorPanel() {
  const error = useApp(selectError);
  if (!error) return null;
  return (
    <div className="error-panel" role="alert">
      <strong>{error.kind === 'diverged' ? 'Training diverged' : 'Training failed'}</strong>
      <p>{error.message}</p>
      {error.kind === 'diverged' ? <p className="hint">Try a smaller learning rate, gradient clipping, or another optimizer.</p> : null}
      <button type="button" onClick={reset}>Dismiss and reset</button>
    </div>
  );
}
