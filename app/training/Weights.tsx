// Trained weights: resume the run saved in this browser, download them as .safetensors, or load a
// file (picker or drag and drop). Every file is checked whole against the model before anything is
// replaced (kernels/train/checkpoint.ts, the same check the worker makes when it loads): one that
// does not fit or holds impossible values says which tensor and why, and changes nothing.
import { useRef } from 'react';
import { useApp } from '../store/index.ts';
import {
  isBusy, selectRunStatus, selectSavedRun, selectSetWeightsMessage, selectSpec, selectValidation, selectWeightsMessage,
} from '../store/selectors.ts';
import { downloadWeights, resumeSaved, uploadWeights } from './run.ts';
import { exportPyTorch, scriptName, weightsProblem } from '../engine.ts';
import { downloadBlob } from '../ui/download.ts';
import { savedRunProblem } from '../persist/db.ts';

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
      downloadBlob(exportPyTorch(spec), scriptName(spec), 'text/x-python');
      setMsg({ kind: 'ok', text: 'Exported a PyTorch script: run it with --weights on a downloaded weights file, or train it with torchrun.' });
    } catch (e) {
      setMsg({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  };
  const busy = isBusy(status);
  // Checked here first: loading into a fresh run would otherwise replace the charts before the worker refuses.
  const load = async (f: File) => {
    if (busy || !valid) return;
    const why = f.size <= 1024 ** 3 ? weightsProblem(spec, new Uint8Array(await f.arrayBuffer())) : null;
    if (why) setMsg({ kind: 'error', text: why });
    else void uploadWeights(f);
  };
  // The run saved in this browser passes the same check before a run is built to resume it.
  const resume = async () => {
    const why = await savedRunProblem(spec, weightsProblem);
    if (why) setMsg({ kind: 'error', text: `The run saved in this browser cannot be resumed: ${why}` });
    else resumeSaved();
  };
  return (
    <div className="weights" role="group" aria-label="Weights"
      onDragOver={(e) => { if (e.dataTransfer.types.includes('Files')) e.preventDefault(); }}
      onDrop={(e) => {
        const f = e.dataTransfer.files[0];
        if (!f) return;
        e.preventDefault();
        void load(f);
      }}>
      {saved && status === 'idle' ? (
        <button type="button" onClick={() => void resume()} disabled={!valid}>
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
          if (f) void load(f);
        }} />
      {msg ? (
        <p className={msg.kind === 'error' ? 'weights-error' : 'weights-ok'} role={msg.kind === 'error' ? 'alert' : 'status'} aria-label="Weights message">
          {msg.text}
        </p>
      ) : null}
    </div>
  );
}
