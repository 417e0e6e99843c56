// "Data preview" under the dataset settings: MNIST digits with their labels, or a sequence task's
// settings and examples. Rendered (and fetched) only while open; follows every dataset edit.
import { useState } from 'react';
import { useApp } from '../store/index.ts';
import { selectDataset, selectSeed, selectValidation } from '../store/selectors.ts';
import { MnistPreview } from './MnistPreview.tsx';
import { TaskPreview } from './TaskPreview.tsx';

export function DataPreview() {
  const [open, setOpen] = useState(true);
  const d = useApp(selectDataset);
  const seed = useApp(selectSeed);
  const validation = useApp(selectValidation);
  // An invalid task (say an odd number of brackets) may have no samples at all: no generating then.
  const invalid = validation.errors.some((e) => e.path.startsWith('dataset'));
  return (
    <details className="data-preview" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Data preview</summary>
      {!open ? null : d.kind === 'mnist' ? (
        <MnistPreview />
      ) : invalid ? (
        <p className="empty">Fix the dataset settings above to see examples.</p>
      ) : d.kind !== 'task' ? null : (
        <TaskPreview d={d} seed={seed} />
      )}
    </details>
  );
}
