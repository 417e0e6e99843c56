// The sine task's predictions: for a few test sequences, the input window (solid), the true
// continuation (solid, green) and the model's forecast (dashed, orange, dots), one small SVG chart
// each on a shared scale, with a legend and each chart's errors in its accessible name.
import type { ForecastShown, Showcase } from '../engine.ts';

type Forecast = Extract<Showcase, { kind: 'forecast' }>;

const W = 300, H = 90, PAD = 6;
const COLORS = { input: 'var(--accent, #2563eb)', truth: '#15803d', forecast: '#c2410c' };

const fmt = (v: number) => v.toFixed(3);
const meanAbs = (r: ForecastShown, n: number) => r.truth.slice(0, n).reduce((a, t, k) => a + Math.abs(r.predicted[k] - t), 0) / Math.max(1, n);

function Chart({ r, n, f }: { r: ForecastShown; n: number; f: Forecast }) {
  const all = r.input.length + f.steps;
  const lim = Math.max(1, ...r.input.map(Math.abs), ...r.truth.map(Math.abs), ...r.predicted.filter(Number.isFinite).map(Math.abs));
  const px = (t: number) => PAD + (t / (all - 1)) * (W - 2 * PAD);
  const py = (v: number) => H / 2 - (Math.max(-lim, Math.min(lim, v)) / lim) * (H / 2 - PAD);
  const L = r.input.length, last = r.input[L - 1];
  const line = (vs: number[], from: number) => vs.map((v, k) => `${px(from + k).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
  const label = `Test sequence ${n}: ${L} input values, then the next ${f.steps} true and forecast. ` +
    `Mean absolute error ${fmt(meanAbs(r, f.horizon))} on the ${f.horizon === 1 ? 'next value' : `next ${f.horizon} values`} (the model’s direct forecast), ` +
    `${fmt(meanAbs(r, f.steps))} over all ${f.steps} (each later one made from its own forecasts).`;
  return (
    <li>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label} data-testid="forecast-chart" data-mae={meanAbs(r, f.horizon)}>
        <line x1={px(L - 0.5)} x2={px(L - 0.5)} y1={2} y2={H - 2} stroke="var(--line, #ccc)" strokeDasharray="2 3" />
        <line x1={PAD} x2={W - PAD} y1={H / 2} y2={H / 2} stroke="var(--line, #ddd)" strokeWidth={0.5} />
        <polyline points={line(r.input, 0)} fill="none" stroke={COLORS.input} strokeWidth={1.5} />
        <polyline points={line([last, ...r.truth], L - 1)} fill="none" stroke={COLORS.truth} strokeWidth={2} />
        <polyline points={line([last, ...r.predicted], L - 1)} fill="none" stroke={COLORS.forecast} strokeWidth={1.5} strokeDasharray="4 3" />
        {r.predicted.map((v, k) => <circle key={k} cx={px(L + k)} cy={py(v)} r={k < f.horizon ? 3 : 2} fill={COLORS.forecast} />)}
      </svg>
    </li>
  );
}

function Key({ color, dashed, children }: { color: string; dashed?: boolean; children: string }) {
  return (
    <li>
      <svg width={22} height={8} aria-hidden="true"><line x1={1} x2={21} y1={4} y2={4} stroke={color} strokeWidth={2} strokeDasharray={dashed ? '4 3' : undefined} /></svg> {children}
    </li>
  );
}

export function ForecastChart({ f }: { f: Forecast }) {
  return (
    <figure className="forecast" data-testid="prediction-forecast">
      <ul className="forecast-legend" aria-label="Legend" style={{ display: 'flex', gap: '1em', listStyle: 'none', padding: 0, margin: 0, flexWrap: 'wrap' }}>
        <Key color={COLORS.input}>input window</Key>
        <Key color={COLORS.truth}>true continuation</Key>
        <Key color={COLORS.forecast} dashed>model’s forecast</Key>
      </ul>
      <ol className="forecast-charts" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {f.rows.map((r, i) => <Chart key={r.index} r={r} n={i + 1} f={f} />)}
      </ol>
      <figcaption className="hint" data-testid="forecast-mae">
        Mean absolute error on these {f.rows.length} test sequences: {fmt(f.mae)} on the {f.horizon === 1 ? 'next value' : `next ${f.horizon} values`}, {fmt(f.rolloutMae)} over {f.steps} steps
        when the model goes on from its own forecasts (after the first {f.horizon === 1 ? 'value' : `${f.horizon} values`}).
      </figcaption>
    </figure>
  );
}
