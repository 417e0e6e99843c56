// Labelled form fields. Number fields keep the typed text while it does not parse, marking it
// invalid, and commit only finite numbers (integers where asked).
import { useEffect, useId, useState, type ReactNode } from 'react';

interface FieldShell { label: string; error?: string | null; hint?: ReactNode; disabled?: boolean }

function Describe({ id, error, hint }: { id: string; error?: string | null; hint?: ReactNode }) {
  return (
    <>
      {hint ? <span className="hint" id={`${id}-hint`}>{hint}</span> : null}
      {error ? <span className="field-error" id={`${id}-err`}>{error}</span> : null}
    </>
  );
}

const describedBy = (id: string, error?: string | null, hint?: ReactNode) =>
  [hint ? `${id}-hint` : '', error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;

export function NumberField(p: FieldShell & {
  value: number; onChange: (v: number) => void; integer?: boolean; min?: number; max?: number; step?: number | 'any';
}) {
  const id = useId();
  const [text, setText] = useState(String(p.value));
  useEffect(() => {
    setText((t) => (Number(t) === p.value && t.trim() !== '' ? t : String(p.value)));
  }, [p.value]);
  const parsed = text.trim() === '' ? NaN : Number(text);
  const bad = !Number.isFinite(parsed) || (p.integer && !Number.isInteger(parsed));
  const error = bad ? (p.integer ? 'enter a whole number' : 'enter a number') : p.error;
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <input
        id={id} type="number" inputMode={p.integer ? 'numeric' : 'decimal'} value={text} min={p.min} max={p.max}
        step={p.step ?? (p.integer ? 1 : 'any')} disabled={p.disabled} aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, error, p.hint)}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value.trim() !== '' && Number.isFinite(v) && (!p.integer || Number.isInteger(v))) p.onChange(v);
        }}
      />
      <Describe id={id} error={error} hint={p.hint} />
    </div>
  );
}

export function SelectField<T extends string>(p: FieldShell & {
  value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <select
        id={id} value={p.value} disabled={p.disabled} aria-invalid={p.error ? true : undefined}
        aria-describedby={describedBy(id, p.error, p.hint)} onChange={(e) => p.onChange(e.target.value as T)}
      >
        {p.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
      <Describe id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function CheckboxField(p: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={p.checked} disabled={p.disabled} onChange={(e) => p.onChange(e.target.checked)} />
      <label htmlFor={id}>{p.label}</label>
    </div>
  );
}
