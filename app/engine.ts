// The app's single door into the engine's spec helpers: presets, validation, shape inference.
// `checkSpec` joins validation with the shape errors (a model that does not end in 10 outputs,
// a residual block that changes shape), so the builder shows every reason a spec cannot train.
import type { ModelSpec } from '../kernels/model/types.ts';
import { inferShapes, type ShapeReport } from '../kernels/model/shapes.ts';
import { validateSpec, type SpecIssue } from '../kernels/model/validate.ts';

export { PRESETS } from '../kernels/model/presets.ts';
// The layer registry: the palette, the inspector and the layer text ask it instead of naming kinds.
export { LAYERS, KIND, layerDef, findLayerDef, defaultLayer, ACTIVATIONS } from '../kernels/layers/index.ts';
export type { LayerSpec, LayerKind, LayerOf, LayerDef, FieldDef, Family, Option } from '../kernels/layers/index.ts';
export { LIMITS } from '../kernels/model/limits.ts';
// What the builder's dataset pickers and previews read.
export { datasetInfo } from '../kernels/model/shapes.ts';
export type { DatasetSpec, ModelSpec, TaskDatasetSpec, TaskName } from '../kernels/model/types.ts';
export { CHAR_TEXT_FILE, sampleSizes, TASK_NAMES, taskExamples, taskInfo } from '../kernels/data/tasks.ts';
export type { TaskInfo, TaskSplit } from '../kernels/data/tasks.ts';
export { loadMnistHead, type MnistSplit } from '../kernels/data/mnist.ts';
export { IGNORE_LABEL } from '../kernels/backend.ts';
export type { SpecIssue } from '../kernels/model/validate.ts';
export type Shapes = ShapeReport;
export interface Validation { ok: boolean; errors: SpecIssue[] }

export function checkSpec(spec: ModelSpec): { validation: Validation; shapes: Shapes | null } {
  let errors: SpecIssue[];
  try {
    errors = [...validateSpec(spec).errors];
  } catch (e) {
    errors = [{ path: '', message: `validation failed: ${String(e)}` }];
  }
  let shapes: Shapes | null = null;
  try {
    shapes = inferShapes(spec);
    errors.push(...shapes.errors);
  } catch (e) {
    if (!errors.length) errors.push({ path: 'layers', message: `shape inference failed: ${String(e)}` });
  }
  return { validation: { ok: errors.length === 0, errors }, shapes };
}

const FIELD_NAMES: Record<string, string> = {
  lr: 'learning rate', batchSize: 'batch size', clipNorm: 'clip norm', weightDecay: 'weight decay',
  everySteps: 'step interval', totalSteps: 'total steps', minLr: 'minimum lr', fn: 'function',
};

/** "units must be …": the issue's message prefixed by the field it is about. */
export function issueText(e: SpecIssue): string {
  const field = e.path.match(/\.([A-Za-z]+)$/)?.[1] ?? (e.path === 'seed' ? 'seed' : null);
  return field ? `${FIELD_NAMES[field] ?? field} ${e.message}` : e.message;
}
