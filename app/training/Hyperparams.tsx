// Optimizer, learning rate and schedule, batch size, epochs, regularisation and seed.
// Locked while a run is busy, except the learning rate, which a live session takes at once.
import type { OptimizerSpec, ScheduleSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';
import {
  selectBusy, selectSeed, selectSetOptimizer, selectSetSchedule, selectSetSeed, selectTrain, selectUpdateTrain, selectValidation,
} from '../store/selectors.ts';
import { NumberField, SelectField } from '../ui/fields.tsx';
import { setLearningRate } from './tune.ts';
import { TrainingHow } from '../builder/HowItWorks.tsx';

const OPTIMIZERS = [{ value: 'sgd', label: 'SGD' }, { value: 'adam', label: 'Adam' }, { value: 'adamw', label: 'AdamW' }] as const;
const SCHEDULES = [
  { value: 'constant', label: 'Constant' }, { value: 'step', label: 'Step decay' },
  { value: 'exponential', label: 'Exponential' }, { value: 'cosine', label: 'Cosine' },
] as const;

function defaultOptimizer(kind: OptimizerSpec['kind'], weightDecay: number): OptimizerSpec {
  return kind === 'sgd' ? { kind, momentum: 0.9, weightDecay } : { kind, weightDecay };
}

function defaultSchedule(kind: ScheduleSpec['kind']): ScheduleSpec {
  switch (kind) {
    case 'constant': return { kind };
    case 'step': return { kind, everySteps: 1000, gamma: 0.5 };
    case 'exponential': return { kind, gamma: 0.9 };
    case 'cosine': return { kind, totalSteps: 5000, minLr: 0 };
  }
}

export function Hyperparams() {
  const train = useApp(selectTrain);
  const seed = useApp(selectSeed);
  const busy = useApp(selectBusy);
  const validation = useApp(selectValidation);
  const update = useApp(selectUpdateTrain);
  const setOptimizer = useApp(selectSetOptimizer);
  const setSchedule = useApp(selectSetSchedule);
  const setSeed = useApp(selectSetSeed);
  const err = (path: string) => validation.errors.find((e) => e.path === path)?.message;
  const opt = train.optimizer;
  const sch = train.schedule;
  return (
    <div className="hyper">
      <fieldset disabled={busy} className="grid-fields">
        <legend>Optimizer</legend>
        <SelectField label="Optimizer" value={opt.kind} options={OPTIMIZERS} error={err('train.optimizer.kind')}
          onChange={(k) => setOptimizer(defaultOptimizer(k, opt.weightDecay ?? 0))} />
        {opt.kind === 'sgd' ? (
          <NumberField label="Momentum" min={0} max={0.999} step={0.05} value={opt.momentum ?? 0} error={err('train.optimizer.momentum')}
            onChange={(momentum) => setOptimizer({ ...opt, momentum })} />
        ) : null}
        <NumberField label="Weight decay" min={0} step={1e-4} value={opt.weightDecay ?? 0} error={err('train.optimizer.weightDecay')}
          onChange={(weightDecay) => setOptimizer({ ...opt, weightDecay })} />
        <NumberField label="Clip norm" min={0} value={train.clipNorm ?? 0} error={err('train.clipNorm')} hint="0 = off"
          onChange={(clipNorm) => update({ clipNorm })} />
      </fieldset>
      <fieldset className="grid-fields">
        <legend>Learning rate</legend>
        <NumberField label="Learning rate" min={0} step={1e-4} value={train.lr} error={err('train.lr')}
          hint={busy ? 'applies to the running session' : undefined} onChange={setLearningRate} />
        <SelectField label="Schedule" disabled={busy} value={sch.kind} options={SCHEDULES} error={err('train.schedule.kind')}
          onChange={(k) => setSchedule(defaultSchedule(k))} />
        {sch.kind === 'step' ? (
          <>
            <NumberField label="Every (steps)" disabled={busy} integer min={1} value={sch.everySteps} error={err('train.schedule.everySteps')}
              onChange={(everySteps) => setSchedule({ ...sch, everySteps })} />
            <NumberField label="Gamma" disabled={busy} min={0} step={0.05} value={sch.gamma} error={err('train.schedule.gamma')}
              onChange={(gamma) => setSchedule({ ...sch, gamma })} />
          </>
        ) : null}
        {sch.kind === 'exponential' ? (
          <NumberField label="Gamma per 1000 steps" disabled={busy} min={0} step={0.05} value={sch.gamma} error={err('train.schedule.gamma')}
            onChange={(gamma) => setSchedule({ ...sch, gamma })} />
        ) : null}
        {sch.kind === 'cosine' ? (
          <>
            <NumberField label="Total steps" disabled={busy} integer min={1} value={sch.totalSteps} error={err('train.schedule.totalSteps')}
              onChange={(totalSteps) => setSchedule({ ...sch, totalSteps })} />
            <NumberField label="Minimum lr" disabled={busy} min={0} value={sch.minLr ?? 0} error={err('train.schedule.minLr')}
              onChange={(minLr) => setSchedule({ ...sch, minLr })} />
          </>
        ) : null}
      </fieldset>
      <TrainingHow />
      <fieldset disabled={busy} className="grid-fields">
        <legend>Data and run</legend>
        <NumberField label="Batch size" integer min={1} value={train.batchSize} error={err('train.batchSize')}
          onChange={(batchSize) => update({ batchSize })} />
        <NumberField label="Epochs" integer min={1} value={train.epochs} error={err('train.epochs')}
          onChange={(epochs) => update({ epochs })} />
        <NumberField label="Test every (steps)" integer min={0} value={train.evalEverySteps ?? 0} error={err('train.evalEverySteps')}
          hint="0 = after each epoch" onChange={(evalEverySteps) => update({ evalEverySteps })} />
        <NumberField label="Seed" integer min={0} value={seed} error={err('seed')} onChange={setSeed} />
      </fieldset>
    </div>
  );
}
