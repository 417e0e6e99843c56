// The run's state ("Training", "Paused at step N", …) and which backend trains: "WebGPU · <adapter>" or "CPU fallback" with the reason.
import { useApp } from '../store/index.ts';
import { selectBackend, selectDone, selectFallbackReason, selectProbe, selectRunStatus, selectSessionStep } from '../store/selectors.ts';

const RUN_WORDS = {
  idle: 'Idle', loading: 'Loading data', compiling: 'Compiling', running: 'Training', pausing: 'Pausing…', stepping: 'Stepping…',
  paused: 'Paused', done: 'Done', error: 'Stopped by an error',
} as const;

export function StatusLine() {
  const probe = useApp(selectProbe);
  const backend = useApp(selectBackend);
  const fallbackReason = useApp(selectFallbackReason);
  const status = useApp(selectRunStatus);
  const sessionStep = useApp(selectSessionStep);
  const done = useApp(selectDone);
  let word: string = RUN_WORDS[status];
  if (status === 'paused' && sessionStep !== null) word = `Paused at step ${sessionStep}`;
  if (status === 'done' && done) word = done.reason === 'early-stop' ? `Stopped early at step ${done.step}` : `Done: ${done.step} steps`;
  let text: string;
  let reason: string | null = null;
  if (backend) {
    text = backend.backend === 'webgpu' ? `WebGPU · ${backend.adapter}${backend.isFallbackAdapter ? ' (software adapter)' : ''}` : 'CPU fallback';
    reason = backend.backend === 'cpu' ? fallbackReason ?? probe?.reason ?? null : null;
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
      <p className="backend" data-testid="backend-status" data-source={backend ? 'session' : probe ? 'probe' : 'none'}>
        <span className="backend-name">{text}</span>
        {reason ? <span className="why"> — {reason}</span> : null}
      </p>
    </div>
  );
}
