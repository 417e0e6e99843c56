// "Profile a step": the next training step of the paused run, with a timer around each kernel (GPU
// timestamp queries where the device has them, the CPU clock on the CPU fallback), shown per layer
// and per op, with the step's dispatches, submissions and bytes uploaded. The step is a real one:
// the step count and the curves move on as with Step.
import { useEffect, useState } from 'react';
import type { StepProfile } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectRunStatus, selectSpec, selectValidation } from '../store/selectors.ts';
import { fmtBytes, fmtPct } from '../ui/format.ts';
import { canProfile, requestProfile } from './looks.ts';

const TOP_OPS = 10;
const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

export function ProfilePanel() {
  const status = useApp(selectRunStatus);
  const spec = useApp(selectSpec);
  const runSpec = useApp(selectRunSpec);
  const validation = useApp(selectValidation);
  const [profile, setProfile] = useState<StepProfile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // A new run (or a reset) makes the last profile stale.
  useEffect(() => {
    setProfile(null);
    setError(null);
  }, [runSpec]);
  const enabled = !pending && canProfile({ runSpec, spec, runStatus: status, validation });
  const onClick = async () => {
    setPending(true);
    setError(null);
    try {
      const r = await requestProfile();
      if (r.data) setProfile(r.data);
      else setError(r.error ?? 'The step could not be profiled.');
    } finally {
      setPending(false);
    }
  };
  return (
    <section className="profiler" aria-labelledby="profiler-h" data-testid="profiler">
      <h3 id="profiler-h">Profiler</h3>
      <div className="profiler-bar">
        <button type="button" onClick={onClick} disabled={!enabled} aria-describedby="profiler-hint">Profile a step</button>
        <p className="hint" id="profiler-hint">
          {pending ? 'Profiling the next step…' : 'Runs the next training step with a timer around every kernel (when paused).'}
        </p>
      </div>
      {error ? <p className="reason" role="alert">Profiling failed: {error}</p> : null}
      {profile ? <ProfileView p={profile} /> : null}
    </section>
  );
}

function ProfileView({ p }: { p: StepProfile }) {
  const gpu = p.source === 'timestamp-query';
  const what = gpu ? 'GPU' : 'CPU';
  const sourceText = gpu ? 'GPU timestamps' : p.source === 'cpu-clock' ? 'CPU clock' : 'unavailable';
  const ops = p.byOp.slice(0, TOP_OPS);
  return (
    <div className="profile-result" data-testid="profile-result" data-source={p.source}>
      <p className="profile-summary" data-testid="profile-summary">
        Step {p.step} · source: <strong>{sourceText}</strong>
        {p.totalMs !== null ? <> · total {what} time <strong data-testid="profile-total">{fmtMs(p.totalMs)} ms</strong></> : null}
        {' '}· wall {fmtMs(p.wallMs)} ms
      </p>
      {p.source === 'none' ? (
        <p className="hint">This device does not offer timestamp queries, so per-kernel GPU times are unavailable; the counts below are still exact.</p>
      ) : null}
      {p.totalMs !== null && p.resolution ? <ResolutionNote r={p.resolution} /> : null}
      <dl className="profile-counts" aria-label="Per-step counts">
        <dt>Dispatches</dt><dd data-testid="profile-dispatches">{p.dispatches}</dd>
        <dt>Submissions</dt><dd data-testid="profile-submits">{p.submits}</dd>
        <dt>Bytes uploaded</dt><dd data-testid="profile-bytes">{fmtBytes(p.bytesUploaded)}</dd>
      </dl>
      {p.totalMs !== null ? (
        <div className="profile-tables">
          <div className="table-scroll">
            <table className="profile-table">
              <caption>{what} time per layer, step {p.step}</caption>
              <thead>
                <tr><th scope="col">Layer</th><th scope="col">ms</th><th scope="col">Share</th><th scope="col">Forward ms</th><th scope="col">Backward ms</th><th scope="col">Kernels</th></tr>
              </thead>
              <tbody>
                {p.byLayer.map((l) => (
                  <tr key={l.layer} data-testid="profile-layer">
                    <th scope="row">{l.layer}</th>
                    <td>{fmtMs(l.ms)}</td>
                    <td><ShareBar share={l.share} /></td>
                    <td>{fmtMs(l.forwardMs)}</td>
                    <td>{fmtMs(l.backwardMs)}</td>
                    <td>{l.kernels}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr><th scope="row">Total</th><td>{fmtMs(p.totalMs)}</td><td>100%</td><td /><td /><td>{p.kernels.length}</td></tr>
              </tfoot>
            </table>
          </div>
          <div className="table-scroll">
            <table className="profile-table">
              <caption>Top {Math.min(TOP_OPS, p.byOp.length)} ops by {what} time{p.byOp.length > TOP_OPS ? ` (of ${p.byOp.length})` : ''}</caption>
              <thead>
                <tr><th scope="col">Op</th><th scope="col">ms</th><th scope="col">Share</th><th scope="col">Kernels</th></tr>
              </thead>
              <tbody>
                {ops.map((o) => (
                  <tr key={o.op} data-testid="profile-op">
                    <th scope="row">{o.op}</th>
                    <td>{fmtMs(o.ms)}</td>
                    <td><ShareBar share={o.share} /></td>
                    <td>{o.kernels}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** The timer's quantum seen in this step's times, and how many kernels are below two quanta (their times are mostly rounding). */
function ResolutionNote({ r }: { r: StepProfile['resolution'] }) {
  const us = (ms: number) => `${(ms * 1000).toPrecision(3)} µs`;
  const res = r.status === 'quantised' ? `timer resolution ${us(r.quantumMs!)}` : r.status === 'fine' ? 'timer resolution finer than 20 ns' : 'timer resolution unknown';
  const below = r.thresholdMs > 0 ? `below 2 quanta (${us(r.thresholdMs)})` : 'read as 0';
  return (
    <p className="hint" data-testid="profile-resolution">
      {`${res}: ${r.below} of ${r.of} kernel times ${below}, so their figures are mostly timer rounding, not kernel time.`}
    </p>
  );
}

function ShareBar({ share }: { share: number }) {
  return (
    <span className="share">
      <span className="share-bar" aria-hidden="true"><span style={{ width: `${Math.min(100, share * 100)}%` }} /></span>
      {fmtPct(share)}
    </span>
  );
}
