// Your own text for the character models, read in this browser only: pick a plain-text file, see
// the start of it as the model will read it and the characters its alphabet drops (with counts),
// then use it. A bad file (empty, binary, too short, over the size limit) or, for a model opened
// from a link, a different file than the one it names, is refused in an alert naming the file and
// the limit or problem, and the dataset in use stays as it was.
import { useId, useState } from 'react';
import { readTextUpload, TEXT_LIMITS, textMismatch, textNeedsFile, type OwnTextSpec, type TextUpload as Upload } from '../engine.ts';

export interface TextUploadProps {
  onUse: (t: Upload) => void;
  /** Back to the built-in text (shown while your own text is in use). */
  onBuiltIn: () => void;
  /** The text the char task uses now, if it is your own. */
  current?: OwnTextSpec;
  /** A model opened from a link names the text it was trained on: only that file is accepted. */
  expect?: OwnTextSpec | null;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const mib = TEXT_LIMITS.bytes / 1024 / 1024;

export function TextUpload(p: TextUploadProps) {
  const [file, setFile] = useState<Upload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const onFile = async (f: File | undefined) => {
    if (!f) return;
    try {
      // Checked before reading: a huge file is refused without loading it.
      if (f.size > TEXT_LIMITS.bytes) throw new Error(`${f.name} is ${(f.size / 1024 / 1024).toFixed(1)} MiB, over the limit of ${mib} MiB`);
      const t = readTextUpload(await f.text(), f.name);
      const why = p.expect ? textMismatch(p.expect, t) : null;
      if (why) throw new Error(why);
      setFile(t);
      setError(null);
    } catch (e) {
      setError(message(e)); // the file read before, if any, stays as it was
    }
  };
  // In use once the spec names this file and the page holds it (a link's model names it before).
  const using = p.current && !p.expect && file?.hash === p.current.hash;
  return (
    <section className="csv-upload text-upload" aria-label="Your own text" data-testid="text-upload">
      {p.expect ? <p className="note" data-testid="text-needs-file">{textNeedsFile(p.expect)}</p> : null}
      <label htmlFor={id}>Your own text (a plain-text file of at least {TEXT_LIMITS.minChars.toLocaleString('en-US')} characters, up to {mib} MiB; it stays in this browser)</label>
      <input id={id} type="file" accept=".txt,text/plain" onChange={(e) => void onFile(e.currentTarget.files?.[0])} />
      {error ? <p className="field-error" role="alert">{error}. The dataset in use is unchanged.</p> : null}
      {file ? (
        <figure className="text-preview" aria-label={`Preview of ${file.name}`}>
          <figcaption>
            {file.name}: {file.chars.toLocaleString('en-US')} characters as the model reads them (lower case, runs of spaces as one); the first {Math.min(file.chars, TEXT_LIMITS.previewChars)}:
          </figcaption>
          <pre className="generated" data-testid="text-preview">{file.preview}</pre>
          <p className="hint" data-testid="text-dropped">
            {file.dropped.length
              ? <>Left out (not in the model’s alphabet): {file.dropped.slice(0, 12).map((d) => `“${d.char}” ×${d.count.toLocaleString('en-US')}`).join(', ')}{file.dropped.length > 12 ? `, and ${file.dropped.length - 12} more` : ''}.</>
              : 'No characters are left out.'}
          </p>
          {using ? <p role="status">Using {file.name}.</p> : <button type="button" onClick={() => p.onUse(file)}>Use this text</button>}
        </figure>
      ) : null}
      {p.current && !p.expect ? (
        <p className="hint">
          Training on your own text {p.current.name} ({p.current.chars.toLocaleString('en-US')} characters).{' '}
          <button type="button" onClick={() => { setFile(null); p.onBuiltIn(); }}>Use the built-in text</button>
        </p>
      ) : null}
    </section>
  );
}
