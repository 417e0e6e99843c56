// Every unit's own picture inside the model diagram, as TensorFlow Playground draws its neurons: a
// column of input-feature pictures (x₁, x₂, … as selected), one column per hidden dense layer with
// each unit's output over the data's square, and the output's picture at the end. Hovering or
// focusing a picture shows it larger with its label. Fed by the live boundary's grid answer
// (training/boundary.ts), so there is no second request; before the first answer the hidden and
// output pictures are blank.
import { useEffect, useMemo, useRef } from 'react';
import { FEATURE_LABELS, KIND, featureGrid, type ModelSpec, type PlaygroundDatasetSpec } from '../engine.ts';
import { useBoundaryGrid } from '../training/boundary.ts';
import { boundaryPixels } from './boundaryPixels.ts';
import { featureValues, paintPixels, softContext, unitPixels, unitValues } from './paint.ts';

/** Pictures shown per column; a wider layer shows the first ones and "+k more". */
export const MAX_UNITS = 16;
const FEATURE_G = 32; // the input pictures never change: a fixed small grid

interface Pic {
  label: string;
  /** The g×g colours, or null when not computed yet. */
  pixels: (() => Uint8ClampedArray<ArrayBuffer>) | null;
  g: number;
  key: string; // changes when the picture does
}
interface Column {
  name: string; // the group's accessible name
  title: string; // the short heading above the column
  pics: Pic[];
  more: number;
}

function UnitPicture({ pic }: { pic: Pic }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const cv = ref.current;
    if (pic.pixels) paintPixels(cv, pic.pixels(), pic.g);
    else if (cv) softContext(cv)?.clearRect(0, 0, cv.width, cv.height); // a new run or a reset: blank until its first answer
  }, [pic.key]); // the key names the picture: a new answer, a new picture
  return (
    <span className="unit">
      <canvas ref={ref} className="unit-pic" width={2} height={2} tabIndex={0} role="img" aria-label={pic.pixels ? pic.label : `${pic.label}: not computed yet`} />
      <span className="unit-tip" aria-hidden="true">{pic.label}</span>
    </span>
  );
}

/** A number per grid answer, so a picture repaints exactly when a new answer arrives. */
const answerIds = new WeakMap<object, number>();
let nextAnswer = 0;
const answerId = (g: object) => answerIds.get(g) ?? (answerIds.set(g, ++nextAnswer), nextAnswer);

function columns(spec: ModelSpec, d: PlaygroundDatasetSpec, features: Float32Array, live: ReturnType<typeof useBoundaryGrid>): Column[] {
  const F = d.features.length, grid = live.grid, at = grid ? `${answerId(grid)}` : '';
  const cols: Column[] = [{
    name: 'Input features', title: 'Input',
    pics: d.features.map((f, k) => ({ label: `Input ${FEATURE_LABELS[f]}`, g: FEATURE_G, key: `${d.features.join()}:${k}`, pixels: () => unitPixels(featureValues(features, F, k), FEATURE_G) })),
    more: 0,
  }];
  const last = spec.layers.length - 1;
  spec.layers.forEach((l, i) => {
    if (i === last || l.kind !== KIND.dense) return;
    const width = l.units;
    const u = grid?.units?.find((x) => x.layer === i && x.width === width);
    const shown = Math.min(width, MAX_UNITS);
    cols.push({
      name: `Layer ${i + 1}, ${width} unit${width === 1 ? '' : 's'}`, title: `Layer ${i + 1}`,
      pics: Array.from({ length: shown }, (_, k) => ({
        label: `Layer ${i + 1}, unit ${k + 1}`, g: grid?.size ?? 2, key: u ? `${at}:${k}` : '',
        pixels: u && grid ? () => unitPixels(unitValues(u.values, width, k), grid.size) : null,
      })),
      more: width - shown,
    });
  });
  cols.push({
    name: 'Output', title: 'Output',
    pics: [{ label: `Output (layer ${last + 1})`, g: grid?.size ?? 2, key: grid ? at : '', pixels: grid ? () => boundaryPixels(grid.values, grid.size, grid.regression, 0) : null }],
    more: 0,
  });
  return cols;
}

/** The diagram's unit pictures of a playground model (null for any other dataset). */
export function UnitPictures({ spec }: { spec: ModelSpec }) {
  const d = spec.dataset;
  const live = useBoundaryGrid();
  const features = useMemo(() => (d.kind === 'playground' ? featureGrid(d.features, FEATURE_G) : null), [d]);
  if (d.kind !== 'playground' || !features) return null;
  const cols = columns(spec, d, features, live);
  return (
    <div className="unit-net" role="group" aria-label="Unit pictures: each unit's output over the square" data-step={live.grid ? live.step : ''}>
      {cols.map((c) => (
        <div key={c.name} className="unit-col" role="group" aria-label={c.name}>
          <span className="unit-col-title" aria-hidden="true">{c.title}</span>
          {c.pics.map((p) => <UnitPicture key={p.label} pic={p} />)}
          {c.more > 0 ? <span className="unit-more">+{c.more} more</span> : null}
        </div>
      ))}
    </div>
  );
}
