// The row-data path of compile.ts (sequence tasks, playground datasets, CSV files): splits uploaded once (f32 inputs, u32 labels or f32
// targets, a u32 index buffer), batches gathered on the device by the shuffled index buffer (two
// row gathers), and the task's loss (per-token softmax-CE with masked positions, or MSE).
import type { Backend, Kernel, Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import { CHAR_TEXT_FILE, generateTask, ownTextNeedsFile, sampleSizes, type TaskData, type TaskInfo, type TaskSplit } from '../data/tasks.ts';
import type { RowDatasetSpec } from '../data/datasets.ts';
import { generatePlayground } from '../data/playground.ts';
import { CsvError, csvNeedsFile } from '../data/csv.ts';
import { ImageError, imagesNeedFiles } from '../data/images.ts';

export interface TaskSplitOnDevice {
  images: Tensor; // inputs (n, inLen) f32 (named like MNIST's so the session treats both alike)
  labels: Tensor; // targets (n, outLen) u32 or f32
  indices: Tensor; // u32 (n)
  n: number;
}

export function uploadTaskSplit(be: Backend, info: TaskInfo, s: TaskSplit, name: string, owned: Tensor[]): TaskSplitOnDevice {
  const { inLen, outLen } = sampleSizes(info);
  const images = be.tensor([s.n, inLen], `${name}.inputs`);
  const labels = be.tensor([s.n, outLen], `${name}.targets`, info.loss === 'mse' ? 'f32' : 'u32');
  const indices = be.tensor([s.n], `${name}.indices`, 'u32');
  be.write(images, s.inputs);
  be.write(labels, s.targets);
  const seq = new Uint32Array(s.n);
  for (let i = 0; i < s.n; i++) seq[i] = i;
  be.write(indices, seq);
  owned.push(images, labels, indices);
  return { images, labels, indices, n: s.n };
}

/** The batch's targets tensor: (B, outLen) u32 labels, or f32 values for regression. */
export function taskTargets(be: Backend, info: TaskInfo, B: number, name: string): Tensor {
  return be.tensor([B, sampleSizes(info).outLen], name, info.loss === 'mse' ? 'f32' : 'u32');
}

/** x (B, …input) and y (B, outLen) = rows indices[batchStart + r] of the split: two dispatches. */
export function taskGather(be: Backend, x: Tensor, y: Tensor, d: { images: Tensor; labels: Tensor; indices: Tensor }): Kernel[] {
  return [be.gatherRows({ ...x, shape: [x.shape[0], x.size / x.shape[0]] }, d.images, d.indices), be.gatherRows(y, d.labels, d.indices)];
}

/** Seeds the loss: token/class outputs → per-token softmax-CE (metrics 6 wide); regression → MSE. */
export function taskLoss(g: Graph, info: TaskInfo, out: Tensor, y: Tensor, metrics: Tensor): void {
  const o = info.output;
  if (o.kind === 'regression') g.mse(out, y, metrics);
  else g.sequenceCrossEntropy(out, y, metrics); // a class task is a sequence of one token
}

/**
 * Generates a row dataset's splits: a sequence task (the char task fetches its text from `textBase`,
 * ending in '/', serving public/) or a playground dataset. A CSV's rows never travel with the spec:
 * they come as the session's `data` (csvTaskData), so here the file is asked for.
 */
export async function loadTask(d: RowDatasetSpec, seed: number, textBase?: string): Promise<TaskData> {
  if (d.kind === 'playground') return generatePlayground(d, seed);
  if (d.kind === 'csv') throw new CsvError(csvNeedsFile(d));
  if (d.kind === 'images') throw new ImageError(imagesNeedFiles(d));
  if (d.text) throw new Error(ownTextNeedsFile(d.text)); // your own text comes as `data`, like a CSV's rows
  let text: string | undefined;
  if (d.name === 'char') {
    if (!textBase) throw new Error('the char task needs the URL its text is served from');
    const url = new URL(CHAR_TEXT_FILE, textBase).toString();
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not load ${url}: HTTP ${res.status}`);
    text = await res.text();
  }
  return generateTask(d, seed, text);
}

/** The first n samples of a split (quick runs). */
export function takeTask(s: TaskSplit, info: TaskInfo, n: number): TaskSplit {
  const k = Math.min(n, s.n);
  const { inLen, outLen } = sampleSizes(info);
  return { inputs: s.inputs.subarray(0, k * inLen), targets: s.targets.subarray(0, k * outLen), n: k };
}
