// Train / Pause / Step / Reset, with the reason Train cannot run when it cannot. Reset clears the
// run at once and offers Undo (announced, and focused, since Reset itself is disabled once idle).
import { useEffect, useRef } from 'react';
import { issueText } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { isBusy, selectBackendPref, selectRunSpec, selectRunStatus, selectSetBackendPref, selectSpec, selectValidation } from '../store/selectors.ts';
import { SelectField } from '../ui/fields.tsx';
import type { Backend } from './protocol.ts';
import { pause, reset, step, train, undoReset } from './run.ts';
import { UNDO_MS, useUndoable } from './resetUndo.ts';
import { STEP_KEYS, TRAIN_KEYS, useShortcuts } from './shortcuts.ts';

const BACKENDS: readonly { value: Backend; label: string }[] = [
  { value: 'auto', label: 'Auto' }, { value: 'webgpu', label: 'WebGPU' }, { value: 'cpu', label: 'CPU' },
];

export function Controls() {
  const backendPref = useApp(selectBackendPref);
  const setBackendPref = useApp(selectSetBackendPref);
  const status = useApp(selectRunStatus);
  const validation = useApp(selectValidation);
  const spec = useApp(selectSpec);
  const runSpec = useApp(selectRunSpec);
  const busy = isBusy(status);
  const pausable = status === 'loading' || status === 'compiling' || status === 'running';
  const first = validation.errors[0];
  const invalidReason = first ? `Cannot train: ${first.layer !== undefined ? `layer ${first.layer + 1}: ` : ''}${issueText(first)}` : null;
  const stale = runSpec !== null && runSpec !== spec && (status === 'paused' || status === 'done');
  const resumable = status === 'paused' && !stale;
  useShortcuts();
  const undoable = useUndoable();
  const undoRef = useRef<HTMLButtonElement>(null);
  const resetByUs = useRef(false);
  useEffect(() => {
    if (undoable && resetByUs.current) undoRef.current?.focus();
    resetByUs.current = false;
  }, [undoable]);
  return (
    <div className="controls">
      <div className="buttons" role="group" aria-label="Training controls">
        <button type="button" className="primary" onClick={train} disabled={busy || !validation.ok}
          aria-describedby={invalidReason ? 'train-reason' : 'keys-hint'} aria-keyshortcuts={TRAIN_KEYS}>Train</button>
        <button type="button" onClick={pause} disabled={!pausable} aria-keyshortcuts={TRAIN_KEYS} aria-describedby="keys-hint">Pause</button>
        <button type="button" onClick={step} disabled={busy || !validation.ok} aria-keyshortcuts={STEP_KEYS} aria-describedby="keys-hint">Step</button>
        <button type="button" onClick={() => { resetByUs.current = true; reset(); }} disabled={status === 'idle'}
          title="Clears the trained weights and curves; Undo brings them back for a while">Reset</button>
      </div>
      {/* Always in the page, so that screen readers announce what appears in it. */}
      <p className="hint undo-note" role="status" data-testid="reset-undo">
        {undoable ? (
          <>
            Training reset: weights and curves cleared.{' '}
            <button type="button" ref={undoRef} onClick={undoReset} aria-describedby="undo-time">Undo</button>
            <span id="undo-time" className="sr-only"> (for {UNDO_MS / 1000} seconds)</span>
          </>
        ) : null}
      </p>
      <div className="backend-pick">
        <SelectField label="Backend" value={backendPref} options={BACKENDS} onChange={setBackendPref} disabled={busy} />
      </div>
      <p className="hint keys" id="keys-hint">Keys: <kbd>Space</kbd> or <kbd>Ctrl</kbd>+<kbd>Enter</kbd> train / pause, <kbd>S</kbd> step</p>
      {invalidReason ? <p className="reason" id="train-reason">{invalidReason}</p> : null}
      {!invalidReason && stale ? <p className="hint">The model changed: Train starts a new run.</p> : null}
      {!invalidReason && resumable ? <p className="hint">Paused: Train resumes, Step runs one batch.</p> : null}
    </div>
  );
}
