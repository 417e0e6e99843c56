// The live decision boundary (or regression surface) of a playground model: the model's output over
// a grid of the data's square as a colour map (orange class 0 / white fence / blue class 1), with
// the training points (white ring) and test points (dark ring) on top. A named region, so a screen
// reader (and a test) finds it as "Decision boundary"; the canvas says in words what it shows.
import { useEffect, useId, useRef } from 'react';
import type { BoundaryGrid } from '../engine.ts';
import { blueShare, boundaryColour, boundaryPixels } from './boundaryPixels.ts';
import { paintPixels, softContext } from './paint.ts';

export interface BoundaryPoints {
  xy: Float32Array; // (n, 2) x₁, x₂
  targets: ArrayLike<number>; // class 0/1, or a value in [−1, 1]
}

export interface DecisionBoundaryProps {
  grid: BoundaryGrid | null; // null until the first picture arrives
  train: BoundaryPoints;
  test?: BoundaryPoints | null; // drawn when given
  regression: boolean;
  extent: number; // the square is [−extent, extent]²
  step?: number; // the training step the grid was computed at
  size?: number; // canvas side in CSS pixels (default 300)
}

/** A cheap fingerprint of a grid, exposed as data-grid so a test can see the picture change. */
const fingerprint = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = (s * 31 + Math.round(v[i] * 1000)) | 0;
  return (s >>> 0).toString(16);
};

export function DecisionBoundary(p: DecisionBoundaryProps) {
  const field = useRef<HTMLCanvasElement>(null);
  const dots = useRef<HTMLCanvasElement>(null);
  const id = useId();
  const size = p.size ?? 300;
  const title = p.regression ? 'Regression surface' : 'Decision boundary';
  // The picture: g×g pixels put straight into a small canvas that CSS scales up (smoothly), so a new
  // grid costs one putImageData; the points lie on a second canvas above, drawn when they change.
  useEffect(() => {
    const g = p.grid;
    if (g) paintPixels(field.current, boundaryPixels(g.values, g.size, g.regression), g.size);
    else softContext(field.current)?.clearRect(0, 0, field.current!.width, field.current!.height);
  }, [p.grid]);
  useEffect(() => {
    const cv = dots.current;
    const ctx = softContext(cv);
    if (!cv || !ctx) return;
    const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
    cv.width = Math.round(size * dpr);
    cv.height = Math.round(size * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const E = p.extent;
    const px = (v: number) => ((v + E) / (2 * E)) * size;
    const dot = (pts: BoundaryPoints, ring: string) => {
      for (let i = 0; i < pts.targets.length; i++) {
        const t = p.regression ? pts.targets[i] : 2 * pts.targets[i] - 1;
        const [r, gg, b] = boundaryColour(t);
        ctx.beginPath();
        ctx.arc(px(pts.xy[2 * i]), size - px(pts.xy[2 * i + 1]), 3, 0, 2 * Math.PI);
        ctx.fillStyle = `rgb(${r},${gg},${b})`;
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = ring;
        ctx.stroke();
      }
    };
    dot(p.train, '#fff');
    if (p.test) dot(p.test, '#222');
  }, [p.train, p.test, p.regression, p.extent, size]);
  const nTrain = p.train.targets.length, nTest = p.test?.targets.length ?? 0;
  const summary = p.grid
    ? `${title}${p.step !== undefined ? ` at step ${p.step}` : ''}: ${Math.round(blueShare(p.grid.values, p.grid.regression) * 100)}% of the square on the blue side${p.regression ? ' (positive values)' : ' (class 1)'}; ${nTrain} training${nTest ? ` and ${nTest} test` : ''} points drawn on top`
    : `${title}: not computed yet; ${nTrain} training${nTest ? ` and ${nTest} test` : ''} points`;
  return (
    <figure className="decision-boundary" role="region" aria-labelledby={id} data-grid={p.grid ? fingerprint(p.grid.values) : ''}>
      <figcaption id={id}>{title}</figcaption>
      <div className="boundary-stack" style={{ width: size, height: size }}>
        <canvas ref={field} className="boundary-field" width={2} height={2} aria-hidden="true" />
        <canvas ref={dots} className="boundary-dots" role="img" aria-label={summary} style={{ width: size, height: size }} />
      </div>
      <p className="legend">
        <span style={{ color: 'rgb(245,147,34)' }}>●</span> {p.regression ? 'negative' : 'class 0'} ·{' '}
        <span style={{ color: 'rgb(8,119,189)' }}>●</span> {p.regression ? 'positive' : 'class 1'} · white ring: training point{nTest ? ' · dark ring: test point' : ''}
      </p>
    </figure>
  );
}
