// Loss and accuracy curves over steps, train and test. The store receives metrics a few times a
// second, so these redraw at most that often; animation is off so a redraw is one paint.
import { memo, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApp } from '../store/index.ts';
import { selectEvalPoints, selectLogLoss, selectRuns, selectSetLogLoss, selectTrainPoints } from '../store/selectors.ts';
import type { PastRun } from '../store/runsSlice.ts';
import type { EvalPoint, TrainPoint } from '../store/trainingSlice.ts';
import { runColor, runDash } from './runStyle.ts';
import { CheckboxField } from '../ui/fields.tsx';
import { fmtNum, fmtPct } from '../ui/format.ts';
import { DataTable } from './DataTable.tsx';

const TRAIN_COLOR = '#2563eb';
const TEST_COLOR = '#d9480f';
const HEIGHT = 190;

const tickNum = (v: number) => fmtNum(v, 2);
const tickStep = (v: number) => (v >= 1e4 ? `${Math.round(v / 1e3)}k` : String(Math.round(v)));
const tickPct = (v: number) => `${Math.round(v * 100)}%`;

/** Earlier runs drawn dashed under the live one: train loss on the loss chart, accuracy on the other. */
function overlay(runs: PastRun[], key: 'loss' | 'acc') {
  return runs.map((r) => (
    <Line key={r.id} data={r.train} dataKey={key} name={`${r.name} (${key === 'loss' ? 'train loss' : 'train accuracy'})`} stroke={runColor(r.id)}
      strokeDasharray={runDash(r.id)} dot={false} isAnimationActive={false} strokeWidth={1.5} className="past-run" />
  ));
}

const LossPlot = memo(function LossPlot(p: { train: TrainPoint[]; test: EvalPoint[]; log: boolean; past: PastRun[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} allowDecimals={false} tickFormatter={tickStep} />
        <YAxis scale={p.log ? 'log' : 'linear'} domain={p.log ? ['auto', 'auto'] : [0, 'auto']} allowDataOverflow tickFormatter={tickNum} width={52} />
        <Tooltip formatter={(v) => fmtNum(Number(v))} labelFormatter={(l) => `step ${l}`} />
        <Legend />
        {overlay(p.past, 'loss')}
        <Line data={p.train} dataKey="loss" name="train loss" stroke={TRAIN_COLOR} dot={false} isAnimationActive={false} strokeWidth={1.5} />
        <Line data={p.test} dataKey="loss" name="test loss" stroke={TEST_COLOR} dot={{ r: 3 }} isAnimationActive={false} strokeWidth={2} />
      </LineChart>
    </ResponsiveContainer>
  );
});

const AccPlot = memo(function AccPlot(p: { train: TrainPoint[]; test: EvalPoint[]; past: PastRun[]; seq: boolean }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
        <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} allowDecimals={false} tickFormatter={tickStep} />
        <YAxis domain={[0, 1]} tickFormatter={tickPct} width={52} />
        <Tooltip formatter={(v) => fmtPct(Number(v))} labelFormatter={(l) => `step ${l}`} />
        <Legend />
        {overlay(p.past, 'acc')}
        <Line data={p.train} dataKey="acc" name="train accuracy" stroke={TRAIN_COLOR} dot={false} isAnimationActive={false} strokeWidth={1.5} />
        <Line data={p.test} dataKey="acc" name="test accuracy" stroke={TEST_COLOR} dot={{ r: 3 }} isAnimationActive={false} strokeWidth={2} />
        {p.seq ? <Line data={p.train} dataKey="seqAcc" name="train sequences right" stroke={TRAIN_COLOR} strokeDasharray="5 3" dot={false} isAnimationActive={false} strokeWidth={1.5} /> : null}
        {p.seq ? <Line data={p.test} dataKey="seqAcc" name="test sequences right" stroke={TEST_COLOR} strokeDasharray="5 3" dot={{ r: 2 }} isAnimationActive={false} strokeWidth={2} /> : null}
      </LineChart>
    </ResponsiveContainer>
  );
});

export function Charts() {
  const train = useApp(selectTrainPoints);
  const test = useApp(selectEvalPoints);
  const log = useApp(selectLogLoss);
  const setLog = useApp(selectSetLogLoss);
  const runs = useApp(selectRuns);
  const past = useMemo(() => runs.filter((r) => r.visible), [runs]);
  const pastAcc = useMemo(() => past.filter((r) => r.train.some((t) => t.acc !== null)), [past]);
  const hasAcc = train.some((t) => t.acc !== null) || test.some((t) => t.acc !== null) || pastAcc.length > 0;
  const seq = train.some((t) => t.seqAcc != null) || test.some((t) => t.seqAcc != null);
  const last = train[train.length - 1];
  const lastTest = test[test.length - 1];
  return (
    <div className="charts">
      <figure className="chart" data-testid="loss-chart" data-points={train.length} data-overlays={past.length}>
        <figcaption>
          <span className="chart-title">Loss</span>
          <span className="sr-only">
            {last ? `Latest train loss ${fmtNum(last.loss)} at step ${last.step}.` : 'No data yet.'}
            {lastTest ? ` Latest test loss ${fmtNum(lastTest.loss)}.` : ''}
          </span>
          <CheckboxField label="Log scale" checked={log} onChange={setLog} />
        </figcaption>
        {train.length || test.length || past.length ? <LossPlot train={train} test={test} log={log} past={past} /> : <p className="empty chart-empty">Curves appear once training starts.</p>}
        <DataTable train={train} test={test} title={seq ? 'Loss, accuracy and whole sequences right by step' : 'Loss and accuracy by step'} />
      </figure>
      {hasAcc || !train.length ? (
        <figure className="chart" data-testid="accuracy-chart">
          <figcaption>
            <span className="chart-title">{seq ? 'Accuracy (dashed: whole sequences right)' : 'Accuracy'}</span>
            <span className="sr-only">
              {last && last.acc !== null ? `Latest train accuracy ${fmtPct(last.acc)}.` : 'No data yet.'}
              {lastTest && lastTest.acc !== null ? ` Latest test accuracy ${fmtPct(lastTest.acc)}.` : ''}
              {lastTest?.seqAcc != null ? ` Test sequences right ${fmtPct(lastTest.seqAcc)}.` : ''}
            </span>
          </figcaption>
          {train.length || test.length || pastAcc.length ? <AccPlot train={train} test={test} past={pastAcc} seq={seq} /> : <p className="empty chart-empty">Curves appear once training starts.</p>}
        </figure>
      ) : null}
    </div>
  );
}
