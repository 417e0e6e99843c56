// The playground's live picture: the decision boundary (or regression surface) of the model being
// trained, with the train and test points on top. Shown while the data is a 2-D playground dataset;
// the pictures come from the worker (training/boundary.ts), and this view runs the one loop that
// asks for them. Each unit's own picture is drawn in the model diagram (UnitPictures), not here.
import { useMemo } from 'react';
import { EXTENT, generatePlayground, isRegression, type ModelSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectSpec } from '../store/selectors.ts';
import { useLiveBoundary } from '../training/boundary.ts';
import { DecisionBoundary, type BoundaryPoints } from './DecisionBoundary.tsx';

const pointsOf = (xy: Float32Array, targets: ArrayLike<number>): BoundaryPoints => ({ xy, targets });

export function PlaygroundView() {
  const spec = useApp(selectSpec);
  const runSpec = useApp(selectRunSpec);
  const live = runSpec?.dataset.kind === 'playground';
  const shown: ModelSpec = live && runSpec ? runSpec : spec;
  const d = shown.dataset;
  const { grid, step, error } = useLiveBoundary(live);
  const data = useMemo(() => {
    if (d.kind !== 'playground') return null;
    try {
      const g = generatePlayground(d, shown.seed);
      return { train: pointsOf(g.points.train, g.train.targets), test: pointsOf(g.points.test, g.test.targets) };
    } catch {
      return null; // an invalid setting: the picker names it
    }
  }, [d, shown.seed]);
  if (d.kind !== 'playground' || !data) return null;
  return (
    <section className="panel playground-view" aria-label="Playground">
      <DecisionBoundary grid={live ? grid : null} train={data.train} test={data.test} regression={isRegression(d.name)} extent={EXTENT} step={step} />
      {!live ? <p className="note">Train to see the model's picture form over the points.</p> : null}
      {error ? <p className="field-error" role="alert">The picture could not be computed: {error}</p> : null}
    </section>
  );
}
