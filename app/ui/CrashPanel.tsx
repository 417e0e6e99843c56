// The visible home of uncaught errors: what happened, a report to copy, and a dismiss that keeps
// the training state.
import { useState } from 'react';
import { useApp } from '../store/index.ts';
import { selectClearCrashes, selectCrashes } from '../store/selectors.ts';
import { crashReport } from './crash.ts';

export function CrashPanel() {
  const crashes = useApp(selectCrashes);
  const clear = useApp(selectClearCrashes);
  const [copied, setCopied] = useState('');
  if (!crashes.length) return null;
  const last = crashes[crashes.length - 1];
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(crashReport());
      setCopied('Report copied.');
    } catch {
      setCopied('Copying was blocked; select the report below instead.');
    }
  };
  return (
    <div className="crash-panel" role="alert" aria-label="Unexpected error">
      <strong>Something went wrong{crashes.length > 1 ? ` (${crashes.length} errors)` : ''}.</strong>
      <p>{last.message}</p>
      <p className="hint">Your model and training state are kept. Copy the report to file a bug.</p>
      <div className="buttons">
        <button type="button" onClick={copy}>Copy report</button>
        <button type="button" onClick={() => { clear(); setCopied(''); }}>Dismiss</button>
        <span role="status">{copied}</span>
      </div>
      <details>
        <summary>Report</summary>
        <pre className="crash-report">{crashReport()}</pre>
      </details>
    </div>
  );
}
