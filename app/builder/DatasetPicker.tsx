// The data the model trains on: MNIST, one of the generated sequence tasks, a 2-D playground
// dataset (with noise, split, point count and input features), your own CSV or your own images, and
// a preview of the data below them. Switching between MNIST and tasks keeps the layers (the stack then shows what no
// longer fits); playground and CSV data adapt the model to themselves (store/ownData.ts).
import { useState } from 'react';
import {
  defaultPlayground, textSpec, TASK_NAMES, type TextUpload as Upload, type DatasetSpec, type TaskDatasetSpec, type TaskName, FEATURE_LABELS, FEATURES, PLAYGROUND_NAMES, type CsvDataset, type Feature, type PlaygroundDatasetSpec, type PlaygroundName, type ImagesDataset,
} from '../engine.ts';
import { useApp } from '../store/index.ts';
import { holdOwnData, ownData } from '../store/ownData.ts';
import { selectDataset, selectSetDataset, selectValidation } from '../store/selectors.ts';
import { CheckboxField, NumberField, SelectField } from '../ui/fields.tsx';
import { CsvUpload } from './CsvUpload.tsx';
import { ImageUpload } from './ImageUpload.tsx';
import { DataPreview } from './DataPreview.tsx';
import { TextUpload } from './TextUpload.tsx';

const LABELS: Record<TaskName, string> = {
  copy: 'Copy a sequence', reverse: 'Reverse a sequence', sort: 'Sort a sequence', addition: 'Add two numbers',
  parity: 'Parity of bits', parens: 'Balanced brackets', sine: 'Forecast a sine wave', char: 'Character language model',
};
const PLAYGROUND_LABELS: Record<PlaygroundName, string> = {
  circle: 'Circle', xor: 'XOR', gaussian: 'Gaussian', spiral: 'Spiral', curve: '1-D curve (regression)', plane: '2-D plane (regression)',
};
const pgValue = (n: PlaygroundName) => `playground:${n}`;
const OPTIONS = [
  { value: 'mnist', label: 'MNIST digits' },
  ...TASK_NAMES.map((n) => ({ value: n, label: `Task: ${LABELS[n]}` })),
  ...PLAYGROUND_NAMES.map((n) => ({ value: pgValue(n), label: `Playground: ${PLAYGROUND_LABELS[n]}` })),
  { value: 'csv', label: 'Your own CSV' },
  { value: 'images', label: 'Your images' },
];

/** Sizes that train in a minute or two in the page (the task presets use the same). */
function taskDefaults(name: TaskName): TaskDatasetSpec {
  const base = { kind: 'task' as const, name, trainSize: 8000, testSize: 500 };
  switch (name) {
    case 'copy':
    case 'reverse':
    case 'sort': return { ...base, length: 5, symbols: 8 };
    case 'addition': return { ...base, length: 3, trainSize: 20000, testSize: 1000 };
    case 'parity': return { ...base, length: 12 };
    case 'parens': return { ...base, length: 14 };
    case 'sine': return { ...base, length: 20, horizon: 1 };
    case 'char': return { ...base, length: 32, trainSize: 4000, testSize: 400 };
  }
}

/** Noise, split, point count and the input features of a playground dataset. */
function PlaygroundFields(p: { d: PlaygroundDatasetSpec; err: (f: string) => string | undefined; set: (d: DatasetSpec) => void }) {
  const { d, err } = p;
  const patch = (x: Partial<PlaygroundDatasetSpec>) => p.set({ ...d, ...x });
  const toggle = (f: Feature, on: boolean) => patch({ features: FEATURES.filter((x) => (x === f ? on : d.features.includes(x))) });
  return (
    <>
      <NumberField label="Noise (0–0.5)" min={0} max={0.5} step={0.05} value={d.noise} error={err('noise')} onChange={(noise) => patch({ noise })} />
      <NumberField label="Training share (0.1–0.9)" min={0.1} max={0.9} step={0.1} value={d.trainRatio} error={err('trainRatio')} onChange={(trainRatio) => patch({ trainRatio })} />
      <NumberField label="Points" integer min={20} max={5000} value={d.points} error={err('points')} onChange={(points) => patch({ points })} />
      <fieldset className="features">
        <legend>Input features</legend>
        {FEATURES.map((f) => (
          <CheckboxField key={f} label={FEATURE_LABELS[f]} checked={d.features.includes(f)} onChange={(on) => toggle(f, on)} />
        ))}
        {err('features') ? <p className="field-error" role="alert">features {err('features')}</p> : null}
      </fieldset>
    </>
  );
}

export function DatasetPicker() {
  const d = useApp(selectDataset);
  const set = useApp(selectSetDataset);
  const validation = useApp(selectValidation);
  // "Your own CSV" is chosen before a file is: the dataset in use stays until a valid file is used.
  const [csvChosen, setCsvChosen] = useState(false);
  const [imagesChosen, setImagesChosen] = useState(false); // likewise for your images
  const err = (f: string) => validation.errors.find((e) => e.path === `dataset.${f}`)?.message;
  const choose = (v: string) => {
    setCsvChosen(v === 'csv');
    setImagesChosen(v === 'images');
    if (v === 'csv' || v === 'images') return;
    if (v.startsWith('playground:')) {
      const name = v.slice('playground:'.length) as PlaygroundName;
      set(d.kind === 'playground' ? { ...d, name } : defaultPlayground(name));
    } else set(v === 'mnist' ? { kind: 'mnist' } : taskDefaults(v as TaskName));
  };
  const patch = (p: Partial<TaskDatasetSpec>) => d.kind === 'task' && set({ ...d, ...p } as DatasetSpec);
  const takeCsv = (c: CsvDataset) => {
    holdOwnData('csv', c);
    set(c.spec);
  };
  // The char task trains on the built-in text or on your own file (dataset.text names it; the text stays here).
  const takeText = (t: Upload) => {
    holdOwnData('text', t);
    if (d.kind === 'task') set({ ...d, text: textSpec(t) });
  };
  const builtInText = () => {
    if (d.kind !== 'task') return;
    const { text: _, ...rest } = d;
    set(rest);
  };
  const takeImages = (i: ImagesDataset) => {
    holdOwnData('images', i);
    set(i.spec);
  };
  const showImages = imagesChosen || (d.kind === 'images' && !csvChosen);
  const showCsv = !showImages && (csvChosen || d.kind === 'csv');
  const value = showImages ? 'images' : showCsv ? 'csv' : d.kind === 'mnist' ? 'mnist' : d.kind === 'playground' ? pgValue(d.name) : d.kind === 'task' ? d.name : 'csv';
  // A CSV model opened from a link (or a reload) has no rows here yet: the upload asks for its file.
  const expect = d.kind === 'csv' && ownData('csv')?.spec.hash !== d.hash ? d : null;
  const expectImages = d.kind === 'images' && ownData('images')?.spec.hash !== d.hash ? d : null;
  return (
    <>
      <div className="dataset grid-fields" role="group" aria-label="Dataset settings">
        <SelectField label="Dataset" value={value} options={OPTIONS} error={err('name') ?? err('kind')} onChange={choose} />
        {d.kind === 'task' && !showCsv && !showImages ? (
          <>
            <NumberField label="Sequence length" integer min={1} value={d.length} error={err('length')} onChange={(length) => patch({ length })} />
            {d.name === 'copy' || d.name === 'reverse' || d.name === 'sort' ? (
              <NumberField label="Symbols" integer min={2} max={64} value={d.symbols ?? 8} error={err('symbols')} onChange={(symbols) => patch({ symbols })} />
            ) : null}
            {d.name === 'sine' ? (
              <NumberField label="Horizon" integer min={1} max={64} value={d.horizon ?? 1} error={err('horizon')} onChange={(horizon) => patch({ horizon })} />
            ) : null}
          </>
        ) : null}
        {d.kind === 'playground' && !showCsv && !showImages ? <PlaygroundFields d={d} err={err} set={set} /> : null}
      </div>
      {showCsv ? <CsvUpload onUse={takeCsv} expect={expect} trainRatio={d.kind === 'csv' ? d.trainRatio : undefined} /> : null}
      {d.kind === 'task' && d.name === 'char' && !showCsv && !showImages ? (
        <TextUpload onUse={takeText} onBuiltIn={builtInText} current={d.text} expect={d.text && ownData('text')?.hash !== d.text.hash ? d.text : null} />
      ) : null}
      {showImages ? <ImageUpload onUse={takeImages} expect={expectImages} /> : null}
      <DataPreview />
    </>
  );
}
