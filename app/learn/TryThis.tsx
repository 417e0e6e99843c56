// "Try this": one button per guided experiment (learn/experiments.ts). A click changes the model
// or a setting in the editor; the sentence beside it says what to watch once it trains.
import { useState } from 'react';
import { useApp } from '../store/index.ts';
import { selectBusy } from '../store/selectors.ts';
import { EXPERIMENTS } from './experiments.ts';

export function TryThis() {
  const busy = useApp(selectBusy);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="panel try-this" aria-labelledby="try-this-h">
      <h2 id="try-this-h">Try this</h2>
      <p className="note">Each button changes the model in the editor; press Train and watch.{busy ? ' Pause first to try one.' : ''}</p>
      <ul>
        {EXPERIMENTS.map((e) => (
          <li key={e.id}>
            <button type="button" disabled={busy} onClick={() => { e.apply(); setDone(e.id); }}>
              {e.title}
            </button>{' '}
            <span>{e.watch}</span>
          </li>
        ))}
      </ul>
      <p role="status">{done ? `Applied: ${EXPERIMENTS.find((e) => e.id === done)?.title}. Press Train.` : ''}</p>
    </section>
  );
}
