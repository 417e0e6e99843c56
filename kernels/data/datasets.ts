// The datasets that travel as rows (everything but MNIST's images): sequence tasks, 2-D playground
// datasets and your own CSV. Each describes itself with a TaskInfo (input shape, output, loss,
// sizes) from the spec alone, so shape inference, the compiler and the session treat them alike.
import { csvInfo, csvIssues, type CsvDatasetSpec } from './csv.ts';
import { playgroundInfo, playgroundIssues, type PlaygroundDatasetSpec } from './playground.ts';
import { taskInfo, type TaskDatasetSpec, type TaskInfo } from './tasks.ts';

export type { TaskData } from './tasks.ts';

export type RowDatasetSpec = TaskDatasetSpec | PlaygroundDatasetSpec | CsvDatasetSpec;

/** Shapes, loss and sizes of any row dataset. */
export function rowsInfo(d: RowDatasetSpec): TaskInfo {
  return d.kind === 'task' ? taskInfo(d) : d.kind === 'playground' ? playgroundInfo(d) : csvInfo(d);
}

/** Field problems of a playground or CSV dataset spec, as [field, message] pairs. */
export function ownDataIssues(d: Record<string, unknown>): [string, string][] {
  return d.kind === 'playground' ? playgroundIssues(d) : csvIssues(d);
}
