// Character models: continue a prompt with text sampled from the live model (in the worker, on
// the CPU from the current weights). The result is shown as plain text, never as markup.
import { useState } from 'react';
import { requestText } from '../training/looks.ts';
import { NumberField } from '../ui/fields.tsx';
import { taskInfo } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectDataset } from '../store/selectors.ts';

/** The prompt's characters the model has no token for (the text is lower-cased first, as in training). */
function outside(prompt: string, symbols: readonly string[]): string[] {
  const known = new Set(symbols);
  // Whitespace runs become one space (or a newline), as encodeText does.
  return [...new Set([...prompt.toLowerCase()].filter((c) => !known.has(c) && !/\s/.test(c)))];
}

export function GenerateText({ ready }: { ready: boolean }) {
  const [prompt, setPrompt] = useState('First Citizen: ');
  const [length, setLength] = useState(120);
  const [temperature, setTemperature] = useState(0.8);
  const [seed, setSeed] = useState(1);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dataset = useApp(selectDataset);
  const symbols = dataset.kind === 'task' ? taskInfo(dataset).symbols : [];
  const bad = symbols.length ? outside(prompt, symbols) : [];
  const badText = bad.length
    ? `The prompt has ${bad.length === 1 ? 'a character' : 'characters'} the model has never seen, left out of what it reads: ${bad.map((c) => `“${c}”`).join(', ')}. It knows lower-case letters, space, newline and . , ; : ' ! ? -`
    : null;
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
        <input id="gen-prompt" type="text" value={prompt} maxLength={200} onChange={(e) => setPrompt(e.target.value)} spellCheck={false}
          aria-describedby={badText ? 'gen-prompt-error' : undefined} />
        {badText ? <p className="hint warn" id="gen-prompt-error" data-testid="prompt-outside">{badText}</p> : null}
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
