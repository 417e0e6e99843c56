// The "How it works" card of one top-level layer of a spec: its input shape is the previous
// layer's output (the dataset's sample for the first), found by shape inference.
import type { ModelSpec } from '../model/types.ts';
import { datasetInfo, inferShapes, type ShapeReport } from '../model/shapes.ts';
import type { HowCard } from './def.ts';
import { layerDef } from './index.ts';

const usable = (s: number[] | undefined): s is number[] => !!s && s.length > 0 && s.every((v) => Number.isInteger(v) && v > 0);

/** Layer i's card (0-based), or null while its shapes cannot be inferred (an error before or in it). */
export function layerHow(spec: ModelSpec, i: number, shapes: ShapeReport | null = inferShapes(spec)): HowCard | null {
  const l = spec.layers[i];
  if (!l || !shapes) return null;
  const inShape = i === 0 ? datasetInfo(spec).inputShape : shapes.layers[i - 1]?.outShape;
  const outShape = shapes.layers[i]?.outShape;
  if (!usable(inShape) || !usable(outShape)) return null;
  try {
    return layerDef(l.kind).how(l as never, inShape, outShape, { spec });
  } catch {
    return null; // a spec the validator refuses (a field out of range) has no card until it is fixed
  }
}
