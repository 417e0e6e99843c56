// Trained weights: resume the run saved in this browser, download them as .safetensors, or load a
// file. A file that does not fit says which tensors differ and changes nothing.
import { useRef } from 'react';
import { useApp } from '../store/index.ts';
import {
  isBusy, selectRunStatus, selectSavedRun, selectSetWeightsMessage, selectSpec, selectValidation, selectWeightsMessage,
} from '../store/selectors.ts';
import { downloadWeights, resumeSaved, uploadWeights } from './run.ts';
import { exportPyTorch } from '../engine.ts';
import { downloadBlob, fileStem } from '../ui/download.ts';

export function Weights() {
  const status = useApp(selectRunStatus);
  const saved = useApp(selectSavedRun);
  const msg = useApp(selectWeightsMessage);
  const valid = useApp(selectValidation).ok;
  const file = useRef<HTMLInputElement>(null);
  const spec = useApp(selectSpec);
  const setMsg = useApp(selectSetWeightsMessage);
  const exportScript = () => {
    try {
      downloadBlob(exportPyTorch(spec), `${fileStem(spec.name)}.py`, 'text/x-python');
      setMsg({ kind: 'ok', text: 'Exported a PyTorch script: run it with --weights on a downloaded weights file, or train it with torchrun.' });
    } catch (e) {
      setMsg({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };
  const busy = isBusy(status);
  return (
    <div className="weights" role="group" aria-label="Weights">
      {saved && status === 'idle' ? (
        <button type="button" onClick={resumeSaved} disabled={!valid}>
          Resume saved run (step {saved.step})
        </button>
      ) : null}
      <button type="button" onClick={downloadWeights} disabled={status !== 'paused' && status !== 'done'}>Download weights</button>
      <button type="button" onClick={() => file.current?.click()} disabled={busy || !valid}>Load weights…</button>
      <button type="button" onClick={exportScript} disabled={!valid}>Export to PyTorch</button>
      <input ref={file} type="file" accept=".safetensors" hidden aria-label="Weights file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f) void uploadWeights(f);
        }} />
      {msg ? (
        <p className={msg.kind === 'error' ? 'weights-error' : 'weights-ok'} role={msg.kind === 'error' ? 'alert' : 'status'} aria-label="Weights message">
          {msg.text}
        </p>
      ) : null}
    </div>
  );
}
