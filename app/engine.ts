// The page's single door into the engine: every type and function that app/ uses from kernels/
// comes through this file, and no other file in app/ imports kernels/ (the worker's entry,
// app/training/worker.ts, aside: it owns the session). Grouped by what the page does with them.
// `checkSpec` joins validation with the shape errors (a model that does not end in 10 outputs,
// a residual block that changes shape), so the builder shows every reason a spec cannot train.
import type { ModelSpec } from '../kernels/model/types.ts';
import { inferShapes, type ShapeReport } from '../kernels/model/shapes.ts';
import { validateSpec, type SpecIssue } from '../kernels/model/validate.ts';

// The spec: what the editor edits, the link carries and the worker trains.
export type { DatasetSpec, ModelSpec, OptimizerSpec, ScheduleSpec, TaskDatasetSpec, TaskName, TrainSpec } from '../kernels/model/types.ts';
export { PRESETS, presetSpec } from '../kernels/model/presets.ts';
/** Raw validation and shape inference, for the share-link decoder; the editor uses `checkSpec`. */
export { inferShapes, validateSpec };

// What a run reports: events, the confusion matrix, a profiled step, recurrent cell kinds.
export type { TrainEvent } from '../kernels/train/events.ts';
export type { Confusion, Mistake } from '../kernels/train/confusion.ts';
export type { StepProfile } from '../kernels/train/profile.ts';
export type { CellKind } from '../kernels/backend.ts';

// Looks into a live session, used on the worker's side (app/training/inside.ts).
export type { Session } from '../kernels/train/session.ts';
export { createProbe, type Probe } from '../kernels/train/predict.ts';
export { createConfusionEvaluator, type ConfusionEvaluator } from '../kernels/train/confusion.ts';
/** Live predictions on a few test samples (the Predictions region). */
export { showcase as showcaseOf, type Showcase, type DigitShown, type SequenceShown, type ForecastShown } from '../kernels/train/showcase.ts';

// Export: the spec as a PyTorch training script.
export { exportPyTorch, scriptName } from '../kernels/export/pytorch.ts';

// The layer registry: the palette, the inspector and the layer text ask it instead of naming kinds.
export { LAYERS, KIND, layerDef, findLayerDef, defaultLayer, ACTIVATIONS } from '../kernels/layers/index.ts';
export type { LayerSpec, LayerKind, LayerOf, LayerDef, FieldDef, Family, Option } from '../kernels/layers/index.ts';
export { LIMITS } from '../kernels/model/limits.ts';
// What the builder's dataset pickers and previews read.
export { datasetInfo } from '../kernels/model/shapes.ts';
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

export { issueLine, issueText } from '../kernels/model/issues.ts'; // an issue's message led by its field, in people's words

// playground datasets and your own data
export {
  defaultPlayground, EXTENT, FEATURE_LABELS, FEATURES, featureGrid, generatePlayground, isRegression, PLAYGROUND_LIMITS, PLAYGROUND_NAMES,
  type Feature, type PlaygroundData, type PlaygroundDatasetSpec, type PlaygroundName,
} from '../kernels/data/playground.ts';
export {
  CSV_LIMITS, CsvError, csvDataset, csvMismatch, csvNeedsFile, csvRowsAsWritten, csvTaskData, csvWords, readCsv,
  type CsvDataset, type CsvDatasetSpec, type CsvTable, type CsvTask, type CsvWords,
} from '../kernels/data/csv.ts';
export { readTextUpload, TEXT_LIMITS, TextUploadError, textMismatch, textNeedsFile, textSpec, textTaskData, type TextUpload } from '../kernels/data/text-upload.ts';
export type { OwnTextSpec } from '../kernels/data/tasks.ts';
export { rowsInfo } from '../kernels/data/datasets.ts'; // any non-MNIST dataset's shapes and loss (the loss to pick for it)
export { createGridEvaluator, type BoundaryGrid, type GridEvaluator } from '../kernels/train/grid.ts'; // the live decision boundary
export type { TaskData } from '../kernels/data/datasets.ts'; // a CSV's rows, sent with a run

// Integrity: links and weights files are checked whole before anything is applied.
export { parseSpecText } from '../kernels/io/spec-json.ts';
export { DEFAULT_BINDING_LIMIT, DEFAULT_MEMORY_BUDGET, memoryProblem, type Limits } from '../kernels/model/memory.ts';
export { weightsProblem } from '../kernels/train/checkpoint.ts';
// "How it works": each layer's formula with its real sizes, and the training side's.
export { layerHow } from '../kernels/layers/cards.ts';
export { trainHow } from '../kernels/optim/how.ts';
export type { HowCard } from '../kernels/layers/def.ts';
export {
  cropRect, greyPixels, IMAGE_LIMITS, ImageError, ImageHasher, imagesDataset, imagesMismatch, imagesNeedFiles, imagesTaskData, planImages,
  type ImageFileRef, type ImagePlan, type ImagesDataset, type ImagesDatasetSpec,
} from '../kernels/data/images.ts'; // your own images: the page decodes, the engine plans, checks and splits
