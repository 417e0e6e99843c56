// Switching to a playground or CSV dataset adapts the model to it: the loss the data needs, the
// output layer's width (classes, or 1 for a regression), and, coming from MNIST or a sequence task
// whose layers cannot read a row of features, the spiral preset's small tanh MLP and its training
// settings. The CSV's rows are kept here, in this page only, and handed to the worker with each new
// run (never in a link). So is the text of a char model trained on your own text file.
import { PRESETS, csvTaskData, rowsInfo, textTaskData, type CsvDataset, type DatasetSpec, type LayerSpec, type ModelSpec, type TextUpload } from '../engine.ts';

let csvRows: CsvDataset | null = null;

/** The parsed file the CSV dataset in the spec was built from (null until one is used). */
export const ownCsv = (): CsvDataset | null => csvRows;
export function setOwnCsv(d: CsvDataset): void {
  csvRows = d;
}

let textFile: TextUpload | null = null;

/** The text file the char task in the spec was built from (null until one is used). */
export const ownText = (): TextUpload | null => textFile;
export function setOwnText(t: TextUpload): void {
  textFile = t;
}

/** The rows to send with a run of `spec`, when its data is a CSV (or a char model's text) that this page holds. */
export function csvRowsFor(spec: ModelSpec) {
  const d = spec.dataset;
  if (d.kind === 'task' && d.text) {
    try {
      return textFile ? textTaskData(d, textFile, spec.seed) : undefined;
    } catch {
      return undefined; // another file: the worker then asks for the right one
    }
  }
  if (d.kind !== 'csv' || !csvRows) return undefined;
  try {
    return csvTaskData(d, csvRows, spec.seed);
  } catch {
    return undefined; // another file: the worker then asks for the right one
  }
}

const isRows = (d: DatasetSpec) => d.kind === 'playground' || d.kind === 'csv';

/** The spec with `dataset` and a loss and output width that fit it (layers kept where they can read it). */
export function adaptToData(spec: ModelSpec, dataset: DatasetSpec): ModelSpec {
  if (dataset.kind === 'mnist') return { ...spec, dataset, loss: 'softmax_cross_entropy' };
  let loss: ModelSpec['loss'] = 'softmax_cross_entropy';
  let out = 0;
  try {
    const info = rowsInfo(dataset);
    loss = info.loss;
    out = info.output.kind === 'class' ? info.output.V : info.output.kind === 'regression' ? info.output.D : 0;
  } catch {
    // an out-of-range field: validation names it; keep cross-entropy meanwhile
  }
  if (!isRows(dataset)) return { ...spec, dataset, loss };
  // From images or sequences: the spiral preset's layers and its training settings (small batches, many epochs).
  const base = isRows(spec.dataset) ? null : PRESETS['playground-spiral']?.spec;
  let layers: LayerSpec[] = structuredClone(base?.layers ?? spec.layers);
  const train = structuredClone(base?.train ?? spec.train);
  // The output layer is the last one with units (a dense layer): its width follows the data.
  const last = layers.length - 1;
  const l = layers[last];
  if (out > 0 && l && 'units' in l) layers = layers.map((x, i) => (i === last ? { ...l, units: out } : x));
  return { ...spec, dataset, loss, layers, train };
}
