// Character models' predictions: text the live model writes after a fixed prompt (a test passage),
// asked with the same worker request as "Generate text" (requestText) at a low temperature and a
// fixed seed, so that successive samples differ by what the model has learnt, not by chance; and
// the next-character accuracy on the test passages shown.
import type { SequenceShown } from '../engine.ts';
import { requestShowcase, requestText } from '../training/looks.ts';
import { fmtPct } from '../ui/format.ts';

export const SAMPLE = { chars: 120, temperature: 0.5, seed: 1, rows: 8 } as const;

export interface Sampled { rows: SequenceShown[]; prompt: string; text: string | null; error?: string }

/** The showcase's test passages, then a sample continuing the first of them (one poll of the region). */
export async function requestSample(): Promise<{ data: Sampled | null; error?: string }> {
  const r = await requestShowcase(SAMPLE.rows);
  if (!r.data || r.data.kind !== 'sequences') return { data: null, error: r.error ?? (r.data?.kind === 'none' ? r.data.reason : 'no test passages') };
  const prompt = r.data.rows[0]?.input.join('') ?? ' ';
  const t = await requestText(prompt, SAMPLE.chars, SAMPLE.temperature, SAMPLE.seed);
  return { data: { rows: r.data.rows, prompt, text: t.text, error: t.error } };
}

export function SampledText({ s }: { s: Sampled }) {
  const total = s.rows.reduce((a, r) => a + r.wrong.length, 0);
  const right = s.rows.reduce((a, r) => a + r.wrong.filter((w) => !w).length, 0);
  return (
    <div className="sampled" data-testid="prediction-sample">
      <p className="hint">
        The model continues a test passage (grey) with {SAMPLE.chars} characters of its own, sampled at temperature {SAMPLE.temperature} with a fixed seed: the sample changes as the model learns.
      </p>
      <output className="generated" data-testid="sampled-text" aria-label="Text sampled from the model" aria-live="off">
        <span className="gen-prompt" data-testid="sample-prompt">{s.prompt}</span>
        <span data-testid="sample-continuation">{s.text ?? ''}</span>
      </output>
      {s.text === null ? <p className="field-error">Could not sample: {s.error ?? 'no text'}</p> : null}
      <p className="hint" data-testid="char-accuracy">
        Next-character accuracy on {s.rows.length} test passages: {fmtPct(total ? right / total : 0)} ({right.toLocaleString('en-US')} of {total.toLocaleString('en-US')} characters).
      </p>
    </div>
  );
}
