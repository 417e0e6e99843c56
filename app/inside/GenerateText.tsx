// Character models: continue a prompt with text sampled from the live model (in the worker, on
// the CPU from the current weights). The result is shown as plain text, never as markup.
import { useState } from 'react';
import { requestText } from '../training/looks.ts';
import { NumberField } from '../ui/fields.tsx';

export function GenerateText({ ready }: { ready: boolean }) {
  const [prompt, setPrompt] = useState('First Citizen: ');
  const [length, setLength] = useState(120);
  const [temperature, setTemperature] = useState(0.8);
  const [seed, setSeed] = useState(1);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    setError(null);
    const r = await requestText(prompt, length, temperature, seed);
    setBusy(false);
    setText(r.text);
    setError(r.text === null ? r.error ?? 'no text' : null);
    setSeed((s) => s + 1); // the next press samples a different continuation
  };
  return (
    <div className="generate" role="group" aria-label="Generate text">
      <div className="field generate-prompt">
        <label htmlFor="gen-prompt">Prompt</label>
        <input id="gen-prompt" type="text" value={prompt} maxLength={200} onChange={(e) => setPrompt(e.target.value)} spellCheck={false} />
      </div>
      <div className="grid-fields">
        <NumberField label="Temperature" min={0} max={5} step={0.1} value={temperature} onChange={(v) => setTemperature(Math.max(0, v))} />
        <NumberField label="Characters" integer min={1} max={1000} value={length} onChange={(v) => setLength(Math.max(1, Math.min(1000, v)))} />
      </div>
      <button type="button" onClick={() => void go()} disabled={!ready || busy}>{busy ? 'Generating…' : 'Generate'}</button>
      {!ready ? <p className="hint">Train or step the model first: the text comes from its current weights.</p> : null}
      {error ? <p className="field-error" role="status">Could not generate: {error}</p> : null}
      <output className="generated" data-testid="generated-text" aria-live="polite" aria-label="Generated text">
        {text !== null ? <><span className="gen-prompt">{prompt}</span>{text}</> : null}
      </output>
    </div>
  );
}
