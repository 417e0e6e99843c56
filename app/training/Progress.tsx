// Dataset loading and epoch progress bars, and the latest numbers of the run.
import { useEffect, useState } from 'react';
import { useApp } from '../store/index.ts';
import { selectBackend, selectEpochs, selectLatest, selectLatestEval, selectLoading, selectRunStatus, selectSessionStep } from '../store/selectors.ts';
import { fmtNum, fmtPct } from '../ui/format.ts';

/** Seconds since `on` became true, ticking once a second (0 while off). */
function useElapsed(on: boolean): number {
  const [s, setS] = useState(0);
  useEffect(() => {
    setS(0);
    if (!on) return;
    const t0 = performance.now();
    const id = setInterval(() => setS(Math.floor((performance.now() - t0) / 1000)), 1000);
    return () => clearInterval(id);
  }, [on]);
  return s;
}

export function LoadingProgress() {
  const loading = useApp(selectLoading);
  const status = useApp(selectRunStatus);
  const compiling = status === 'compiling';
  const elapsed = useElapsed(compiling);
  if (!loading && status !== 'loading' && !compiling) return null;
  // Shader compilation reports no fraction: the bar runs indeterminate and the seconds count up.
  const frac = loading && loading.total > 0 && !(compiling && loading.done === 0) ? loading.done / loading.total : undefined;
  const words = loading?.message || (compiling ? 'Compiling' : 'Loading MNIST');
  return (
    <div className="progress-row">
      <label htmlFor="loading-bar">{compiling && elapsed > 0 ? `${words} · ${elapsed} s` : words}</label>
      <progress id="loading-bar" aria-label="Dataset loading" max={1} value={frac} />
    </div>
  );
}

/**
 * Which epoch the run is in and how much of it is done, from the newest of the metrics and the
 * session's own step count (metrics lag behind a pause or a step). Once steps were taken it never
 * reads 0.0%: at an epoch boundary it is the finished epoch at 100%, and a sliver under 0.1% says so.
 */
export function epochProgress(metricsEpoch: number | null, metricsStep: number | null, sessionStep: number | null, stepsPerEpoch: number, epochs: number): { text: string; frac: number } {
  const fromSteps = stepsPerEpoch > 0 && sessionStep !== null ? sessionStep / stepsPerEpoch : 0;
  const epoch = Math.max(metricsEpoch ?? 0, fromSteps);
  const steps = Math.max(metricsStep ?? 0, sessionStep ?? 0);
  let current = Math.max(0, Math.min(Math.floor(epoch), epochs - 1));
  let frac = Math.min(1, Math.max(0, epoch - current));
  if (steps > 0 && frac === 0 && current > 0) {
    current -= 1;
    frac = 1;
  }
  const pct = frac > 0 && frac < 0.0005 ? 'under 0.1%' : fmtPct(frac);
  return { text: `Epoch ${current + 1} of ${epochs}, ${pct}`, frac };
}

export function EpochProgress() {
  const latest = useApp(selectLatest);
  const epochs = useApp(selectEpochs);
  const backend = useApp(selectBackend);
  const sessionStep = useApp(selectSessionStep);
  if (!backend && !latest) return null;
  const { text, frac } = epochProgress(latest?.epoch ?? null, latest?.step ?? null, sessionStep, backend?.stepsPerEpoch ?? 0, epochs);
  return (
    <div className="progress-row">
      <span className="progress-label" aria-hidden="true">{text}</span>
      <progress aria-label="Epoch progress" aria-valuetext={text} max={1} value={frac} />
    </div>
  );
}

export function MetricsSummary() {
  const latest = useApp(selectLatest);
  const ev = useApp(selectLatestEval);
  if (!latest) return <p className="summary muted" data-testid="metrics-summary">No steps yet.</p>;
  const items = [
    `step ${latest.step}`,
    `loss ${fmtNum(latest.loss)}`,
    latest.acc !== null ? `train acc ${fmtPct(latest.acc)}` : null,
    ev ? `test loss ${fmtNum(ev.loss)}` : null,
    ev && ev.acc !== null ? `test acc ${fmtPct(ev.acc)}` : null,
    `lr ${fmtNum(latest.lr, 3)}`,
    `${Math.round(latest.samplesPerS).toLocaleString('en-US')} samples/s`,
  ].filter((x): x is string => x !== null);
  return (
    <p className="summary" data-testid="metrics-summary">
      {items.map((t, i) => <span key={i}>{t}{i < items.length - 1 ? ' · ' : ''}</span>)}
    </p>
  );
}

