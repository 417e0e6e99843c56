// The datasets that travel as rows (everything but MNIST's images): sequence tasks, 2-D playground
// datasets, your own CSV and your own images (grey, one class per folder, each image one row).
// Each describes itself with a TaskInfo (input shape, output, loss, sizes) from the spec alone, so
// shape inference, the compiler and the session treat them alike.
import { csvInfo, csvIssues, type CsvDatasetSpec } from './csv.ts';
import { imagesInfo, imagesIssues, type ImagesDatasetSpec } from './images.ts';
import { playgroundInfo, playgroundIssues, type PlaygroundDatasetSpec } from './playground.ts';
import { taskInfo, type TaskDatasetSpec, type TaskInfo } from './tasks.ts';

export type { TaskData } from './tasks.ts';

export type RowDatasetSpec = TaskDatasetSpec | PlaygroundDatasetSpec | CsvDatasetSpec | ImagesDatasetSpec;

/** Shapes, loss and sizes of any row dataset. */
export function rowsInfo(d: RowDatasetSpec): TaskInfo {
  return d.kind === 'task' ? taskInfo(d) : d.kind === 'playground' ? playgroundInfo(d) : d.kind === 'images' ? imagesInfo(d) : csvInfo(d);
}

/** Field problems of a playground, CSV or images dataset spec, as [field, message] pairs. */
export function ownDataIssues(d: Record<string, unknown>): [string, string][] {
  return d.kind === 'playground' ? playgroundIssues(d) : d.kind === 'images' ? imagesIssues(d) : csvIssues(d);
}
