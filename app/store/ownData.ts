// Switching to a playground or CSV dataset adapts the model to it: the loss the data needs, the
// output layer's width (classes, or 1 for a regression), and, coming from MNIST or a sequence task
// whose layers cannot read a row of features, the spiral preset's small tanh MLP and its training
// settings. The CSV's rows are kept here, in this page only, and handed to the worker with each new
// run (never in a link). So is the text of a char model trained on your own text file. Your images
// likewise: kept here, split with the run's seed, sent with each run; switching to them keeps an
// image model's layers (or takes the small MNIST MLP's) and sets the output width to the number of classes.
import {
  LIMITS, PRESETS, csvMismatch, csvTaskData, csvWords, imagesTaskData, rowsInfo, textTaskData,
  type CsvDataset, type CsvDatasetSpec, type CsvWords, type DatasetSpec, type ImagesDataset, type LayerSpec, type ModelSpec, type TaskData, type TextUpload,
} from '../engine.ts';

/** Your own data by kind: the parsed CSV, the char model's text file, your images. */
interface OwnData { csv: CsvDataset; text: TextUpload; images: ImagesDataset }
type OwnKind = keyof OwnData;

const held: Partial<OwnData> = {};

/** The data of this kind that the spec's dataset was last built from in this page (null until one is used). */
export const ownData = <K extends OwnKind>(kind: K): OwnData[K] | null => held[kind] ?? null;
export function holdOwnData<K extends OwnKind>(kind: K, d: OwnData[K]): void {
  held[kind] = d;
  if (kind === 'csv' && held.csv) keepWords(csvWords(held.csv));
}

// The words (column names, stats, class values; not the rows) of each CSV used in this page, newest
// last: a run keeps its file's words after the page moves on to another file (Reset, another file,
// Undo), so its predictions still read as written in its own file.
const wordsRead: CsvWords[] = [];
const WORDS_KEPT = 16;

function keepWords(w: CsvWords) {
  const same = wordsRead.findIndex((x) => csvMismatch(w.spec, x) === null);
  if (same >= 0) wordsRead.splice(same, 1);
  wordsRead.push(w);
  if (wordsRead.length > WORDS_KEPT) wordsRead.shift();
}

/** The words of the file a CSV spec was built from, when this page has read it; null when it has not. */
export function csvWordsFor(d: CsvDatasetSpec): CsvWords | null {
  for (let i = wordsRead.length - 1; i >= 0; i--) if (csvMismatch(d, wordsRead[i]) === null) return wordsRead[i];
  return null;
}

/** The run's data built from what this page holds of `kind`, or undefined when it holds none or another file. */
function built<K extends OwnKind>(kind: K, build: (d: OwnData[K]) => TaskData): TaskData | undefined {
  const d = held[kind];
  if (!d) return undefined;
  try {
    return build(d);
  } catch {
    return undefined; // another file: the worker then asks for the right one
  }
}

/** Your own data to send with a run of `spec`: a CSV's rows, your text or your images, split; undefined for generated data. */
export function ownDataFor(spec: ModelSpec): TaskData | undefined {
  const d = spec.dataset;
  if (d.kind === 'csv') return built('csv', (x) => csvTaskData(d, x, spec.seed));
  if (d.kind === 'images') return built('images', (x) => imagesTaskData(d, x, spec.seed));
  if (d.kind === 'task' && d.text) return built('text', (x) => textTaskData(d, x, spec.seed));
  return undefined;
}

/** The spec's layers with the output layer (the last one with units) `out` wide. */
function withOutputs(layers: LayerSpec[], out: number): LayerSpec[] {
  const last = layers.length - 1;
  const l = layers[last];
  return out > 0 && l && 'units' in l ? layers.map((x, i) => (i === last ? { ...l, units: out } : x)) : layers;
}

/**
 * Images: an image model (from MNIST or other images) keeps its layers, anything else takes the
 * small MNIST MLP's with its training settings; the output is one unit per class, and the batch and
 * epochs fit a small set (a batch at most half the training images, some 600 steps in all).
 */
function adaptToImages(spec: ModelSpec, dataset: Extract<DatasetSpec, { kind: 'images' }>): ModelSpec {
  const fromImages = spec.dataset.kind === 'mnist' || spec.dataset.kind === 'images';
  const base = fromImages ? spec : PRESETS['mlp-mnist-small'].spec;
  const info = rowsInfo(dataset);
  let batchSize = base.train.batchSize;
  while (batchSize > 1 && batchSize * 2 > info.trainSize) batchSize = Math.floor(batchSize / 2);
  const epochs = Math.min(LIMITS.epochs, Math.max(base.train.epochs, Math.ceil((600 * batchSize) / info.trainSize)));
  return {
    ...spec, dataset, loss: 'softmax_cross_entropy',
    layers: withOutputs(structuredClone(base.layers), dataset.classes.length), train: { ...structuredClone(base.train), batchSize, epochs },
  };
}

const isRows = (d: DatasetSpec) => d.kind === 'playground' || d.kind === 'csv';

/** The spec with `dataset` and a loss and output width that fit it (layers kept where they can read it). */
export function adaptToData(spec: ModelSpec, dataset: DatasetSpec): ModelSpec {
  if (dataset.kind === 'images') return adaptToImages(spec, dataset);
  if (dataset.kind === 'mnist')
    return { ...spec, dataset, loss: 'softmax_cross_entropy', ...(spec.dataset.kind === 'images' ? { layers: withOutputs(spec.layers, 10), train: { ...spec.train, epochs: Math.min(spec.train.epochs, 5) } } : {}) };
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
  // The output layer is the last one with units (a dense layer): its width follows the data.
  const layers = withOutputs(structuredClone(base?.layers ?? spec.layers), out);
  const train = structuredClone(base?.train ?? spec.train);
  return { ...spec, dataset, loss, layers, train };
}
