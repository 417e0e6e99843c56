// Learning-rate schedules as a pure function of the optimizer step (0-based), with optional
// linear warm-up from 0 before the schedule proper starts.
import type { ScheduleSpec } from '../model/types.ts';

export function lrAt(base: number, s: ScheduleSpec, step: number, warmupSteps = 0): number {
  if (warmupSteps > 0 && step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  const t = step - warmupSteps;
  switch (s.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * Math.pow(s.gamma, Math.floor(t / s.everySteps));
    case 'exponential':
      return base * Math.pow(s.gamma, t / 1000);
    case 'cosine': {
      const min = s.minLr ?? 0;
      const p = Math.min(1, t / s.totalSteps);
      return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * p));
    }
  }
}
