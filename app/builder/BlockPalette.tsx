// Buttons that insert a block template (several layers) × N where a single layer would go; the
// inserted layers are ordinary ones, selected together so they can be wrapped or removed at once.
import { useState } from 'react';
import { BLOCKS, MAX_REPEAT } from '../store/blocks.ts';
import { useApp } from '../store/index.ts';
import { selectInsertBlock } from '../store/selectors.ts';
import { NumberField } from '../ui/fields.tsx';

export function BlockPalette() {
  const insert = useApp(selectInsertBlock);
  const [times, setTimes] = useState(1);
  const ok = Number.isInteger(times) && times >= 1 && times <= MAX_REPEAT;
  return (
    <div className="palette block-palette" role="group" aria-label="Add block">
      <div className="palette-family">
        <span className="palette-name" aria-hidden="true">Blocks</span>
        <NumberField
          label="Repeat ×" integer min={1} max={MAX_REPEAT} value={times} onChange={setTimes}
          error={ok ? null : `1 to ${MAX_REPEAT} copies`}
        />
        {BLOCKS.map((b) => (
          <button
            key={b.id} type="button" className="chip" title={b.title} disabled={!ok} aria-label={`Insert ${b.label} × ${times}`}
            onClick={() => insert(b.id, times)}
          >
            + {b.label}
          </button>
        ))}
      </div>
    </div>
  );
}
