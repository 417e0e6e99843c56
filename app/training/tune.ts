// Hyperparameter changes that a live session takes at once, sent as typed messages when the user
// makes them (not found by comparing specs afterwards). Only the learning rate is live today; any
// other change waits for the next run.
import type { ModelSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { isBusy } from '../store/selectors.ts';
import { run, send } from './link.ts';

/** Sets the learning rate in the editor, and in the live session when it trains this very model. */
export function setLearningRate(lr: number): void {
  useApp.getState().updateTrain({ lr });
  const s = useApp.getState();
  if (!s.runSpec || !s.validation.ok || !(isBusy(s.runStatus) || s.runStatus === 'paused')) return;
  if (lr === s.runSpec.train.lr || !sameModelButLr(s.spec, s.runSpec)) return;
  send({ type: 'setLr', run, lr });
  s.setRunSpec(s.spec);
}

/**
 * True when `a` is the live run's spec `b` with at most its learning rate (and name) changed. The
 * store's edits copy only the part they change (updateTrain a new `train`, setOptimizer a new
 * optimizer, a layer edit new `layers`), so the parts are compared by identity, one level deep.
 */
function sameModelButLr(a: ModelSpec, b: ModelSpec): boolean {
  const differ = (x: object, y: object, skip: ReadonlySet<string>) => {
    const xs = x as Record<string, unknown>, ys = y as Record<string, unknown>;
    return [...new Set([...Object.keys(xs), ...Object.keys(ys)])].some((k) => !skip.has(k) && xs[k] !== ys[k]);
  };
  return !differ(a, b, new Set(['name', 'train'])) && !differ(a.train, b.train, new Set(['lr']));
}
