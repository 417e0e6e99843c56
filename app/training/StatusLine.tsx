// The run's state ("Training", "Paused at step N", …); the training status live region
// ("step 120 · loss 0.412 · 1,850 samples/s · ETA 0:42"); and which backend trains and why
// ("CPU · Auto: faster than this software WebGPU adapter (…)", or "CPU fallback" with the reason).
import { useApp } from '../store/index.ts';
import {
  selectBackend, selectDone, selectEpochs, selectFallbackReason, selectLatest, selectPick, selectProbe, selectRunSpec, selectRunStatus, selectSessionStep,
} from '../store/selectors.ts';
import { fmtDuration, fmtInt, fmtNum } from '../ui/format.ts';

const RUN_WORDS = {
  idle: 'Idle', loading: 'Loading data', compiling: 'Compiling', running: 'Training', pausing: 'Pausing…', stepping: 'Stepping…',
  paused: 'Paused', done: 'Done', error: 'Stopped by an error',
} as const;

/** "step 120 · loss 0.412 · 1,850 samples/s · ETA 0:42" from the newest metrics. */
function TrainStatus() {
  const latest = useApp(selectLatest);
  const backend = useApp(selectBackend);
  const epochs = useApp(selectEpochs);
  const runSpec = useApp(selectRunSpec);
  const status = useApp(selectRunStatus);
  let text = status === 'loading' || status === 'compiling' ? 'Preparing the first step…' : 'No steps yet.';
  if (latest) {
    const parts = [`step ${fmtInt(latest.step)}`, `loss ${fmtNum(latest.loss, 3)}`];
    if (latest.samplesPerS > 0) parts.push(`${fmtInt(latest.samplesPerS)} samples/s`);
    const total = backend ? backend.stepsPerEpoch * epochs : 0;
    const batch = runSpec?.train.batchSize ?? 0;
    if (status === 'running' && total > latest.step && latest.samplesPerS > 0 && batch > 0) {
      // A run longer than an hour (a playground run at the epoch limit) is one the user pauses.
      const left = ((total - latest.step) * batch) / latest.samplesPerS;
      parts.push(left > 3600 ? 'runs until paused' : `ETA ${fmtDuration(left)}`);
    }
    text = parts.join(' · ');
  }
  return <p className="train-status" role="status" aria-atomic="true" data-testid="train-status">{text}</p>;
}

export function StatusLine() {
  const probe = useApp(selectProbe);
  const backend = useApp(selectBackend);
  const pick = useApp(selectPick);
  const fallbackReason = useApp(selectFallbackReason);
  const status = useApp(selectRunStatus);
  const sessionStep = useApp(selectSessionStep);
  const done = useApp(selectDone);
  let word: string = RUN_WORDS[status];
  if (status === 'paused' && sessionStep !== null) word = `Paused at step ${sessionStep}`;
  if (status === 'done' && done) word = done.reason === 'early-stop' ? `Stopped early at step ${done.step}` : `Done: ${done.step} steps`;
  let text: string;
  let reason: string | null = null;
  const noGpu = probe !== null && !probe.webgpu;
  if (backend) {
    text = backend.backend === 'webgpu' ? `WebGPU · ${backend.adapter}${backend.isFallbackAdapter ? ' (software adapter)' : ''}` : noGpu || !pick ? 'CPU fallback' : 'CPU';
    // The session's own reason wins when it fell back against the pick (no adapter after all).
    if (backend.backend === 'cpu' && (noGpu || pick?.backend !== 'cpu')) reason = fallbackReason ?? probe?.reason ?? null;
    else if (pick && pick.backend === backend.backend) reason = pick.why;
  } else if (pick && status !== 'idle') {
    text = pick.backend === 'webgpu' ? `WebGPU · ${probe?.adapter ?? 'adapter'}` : noGpu ? 'CPU fallback' : 'CPU';
    reason = pick.why;
  } else if (probe) {
    text = probe.webgpu ? `WebGPU · ${probe.adapter}` : 'CPU fallback';
    reason = probe.webgpu ? null : probe.reason;
  } else text = 'Checking WebGPU…';
  return (
    <div className="status-line">
      <p className="run-word" role="status" data-testid="run-state" data-status={status}>
        <span className={`dot ${status}`} aria-hidden="true" />
        {word}
      </p>
      <TrainStatus />
      <p className="backend" data-testid="backend-status" data-source={backend ? 'session' : probe ? 'probe' : 'none'} data-backend={backend?.backend ?? pick?.backend ?? ''}>
        <span className="backend-name">{text}</span>
        {reason ? <span className="why"> — {reason}</span> : null}
      </p>
    </div>
  );
}
