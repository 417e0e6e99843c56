// Copy link, and what opening a link said: errors as an alert (field by field), notices as status.
import { useState } from 'react';
import { useApp } from '../store/index.ts';
import { selectLoadPreset, selectSetShareMessage, selectShareMessage } from '../store/selectors.ts';
import { DEFAULT_PRESET } from '../store/modelSlice.ts';

export function SharePanel() {
  const msg = useApp(selectShareMessage);
  const setMsg = useApp(selectSetShareMessage);
  const loadPreset = useApp(selectLoadPreset);
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied('done');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="share">
      <button type="button" onClick={copy}>Copy link</button>
      <span role="status" className="share-status">
        {copied === 'done' ? 'Link copied.' : copied === 'failed' ? 'Copying was blocked: copy the address bar instead.' : ''}
      </span>
      {msg ? (
        <div className={msg.kind === 'error' ? 'share-error' : 'share-notice'} role={msg.kind === 'error' ? 'alert' : 'status'} aria-label={msg.kind === 'error' ? 'Link error' : 'Link notice'}>
          <p>{msg.messages[0]}</p>
          <ul>{msg.messages.slice(1).map((m, i) => <li key={i}>{m}</li>)}</ul>
          {msg.kind === 'error' ? (
            <button type="button" onClick={() => { loadPreset(DEFAULT_PRESET); setMsg(null); }}>Use the default model</button>
          ) : (
            <button type="button" onClick={() => setMsg(null)}>Dismiss</button>
          )}
        </div>
      ) : null}
    </div>
  );
}
