// The data the model trains on: MNIST or one of the generated sequence tasks, with the task's size
// settings, and a preview of the data below them. Switching data keeps the layers (the stack then
// shows what no longer fits).
import { type DatasetSpec, type TaskDatasetSpec, type TaskName, TASK_NAMES } from '../engine.ts';
import { useApp } from '../store/index.ts';
import { selectDataset, selectSetDataset, selectValidation } from '../store/selectors.ts';
import { NumberField, SelectField } from '../ui/fields.tsx';
import { DataPreview } from './DataPreview.tsx';

const LABELS: Record<TaskName, string> = {
  copy: 'Copy a sequence', reverse: 'Reverse a sequence', sort: 'Sort a sequence', addition: 'Add two numbers',
  parity: 'Parity of bits', parens: 'Balanced brackets', sine: 'Forecast a sine wave', char: 'Character language model',
};
const OPTIONS = [{ value: 'mnist', label: 'MNIST digits' }, ...TASK_NAMES.map((n) => ({ value: n, label: `Task: ${LABELS[n]}` }))];

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

export function DatasetPicker() {
  const d = useApp(selectDataset);
  const set = useApp(selectSetDataset);
  const validation = useApp(selectValidation);
  const err = (f: string) => validation.errors.find((e) => e.path === `dataset.${f}`)?.message;
  const choose = (v: string) => set(v === 'mnist' ? { kind: 'mnist' } : taskDefaults(v as TaskName));
  const patch = (p: Partial<TaskDatasetSpec>) => d.kind === 'task' && set({ ...d, ...p } as DatasetSpec);
  return (
    <>
      <div className="dataset grid-fields" role="group" aria-label="Dataset settings">
        <SelectField label="Dataset" value={d.kind === 'mnist' ? 'mnist' : d.name} options={OPTIONS} error={err('name') ?? err('kind')} onChange={choose} />
        {d.kind === 'task' ? (
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
      </div>
      <DataPreview />
    </>
  );
}
