// The playground's live pictures: the decision boundary (or regression surface) of the model being
// trained, with the train and test points on top, and beneath it each hidden unit's own picture
// (its output over the same grid), as TensorFlow Playground draws its neurons. Shown while the data
// is a 2-D playground dataset; the pictures come from the worker (training/boundary.ts).
import { useEffect, useMemo, useRef } from 'react';
import { EXTENT, generatePlayground, isRegression, type BoundaryGrid, type ModelSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec, selectSpec } from '../store/selectors.ts';
import { useLiveBoundary } from '../training/boundary.ts';
import { DecisionBoundary, type BoundaryPoints } from './DecisionBoundary.tsx';
import { boundaryPixels } from './boundaryPixels.ts';

const MAX_UNITS = 16; // pictures per hidden layer
const UNIT_PX = 44;

/** One unit's g×g picture: column k of the layer's (g·g, width) outputs, tanh-squashed to [−1, 1]. */
function UnitPicture(p: { values: Float32Array; width: number; k: number; g: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const n = p.g * p.g, col = new Float32Array(n);
    for (let i = 0; i < n; i++) col[i] = Math.tanh(p.values[i * p.width + p.k]);
    ctx.putImageData(new ImageData(boundaryPixels(col, p.g, true, 0), p.g, p.g), 0, 0);
  }, [p.values, p.width, p.k, p.g]);
  return <canvas ref={ref} width={p.g} height={p.g} role="img" aria-label={p.label} style={{ width: UNIT_PX, height: UNIT_PX }} />;
}

function UnitStrip({ grid }: { grid: BoundaryGrid }) {
  if (!grid.units?.length) return null;
  return (
    <section className="unit-strip" aria-label="Hidden units">
      <h3>Each hidden unit's picture</h3>
      {grid.units.map((u) => (
        <div key={u.layer} className="unit-row">
          <span>Layer {u.layer + 1}</span>
          {Array.from({ length: Math.min(u.width, MAX_UNITS) }, (_, k) => (
            <UnitPicture key={k} values={u.values} width={u.width} k={k} g={grid.size} label={`Layer ${u.layer + 1}, unit ${k + 1}`} />
          ))}
          {u.width > MAX_UNITS ? <span>+{u.width - MAX_UNITS} more</span> : null}
        </div>
      ))}
    </section>
  );
}

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
      {live && grid ? <UnitStrip grid={grid} /> : null}
    </section>
  );
}
