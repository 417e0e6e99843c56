// Preset choice with its one-line description. A design that came from a link or a reload names
// its preset when it is one exactly, and reads "Custom (from cnn-mnist)" once edited. Choosing a
// preset over an edited model acts at once and offers Undo until the next edit.
import { useMemo } from 'react';
import { useApp } from '../store/index.ts';
import {
  selectBusy, selectLoadPreset, selectModified, selectPresetId, selectReplaced, selectSpec, selectUndoReplace,
} from '../store/selectors.ts';
import { PRESETS, presetSpec, type ModelSpec } from '../engine.ts';
import { SelectField } from '../ui/fields.tsx';

const OPTIONS = Object.keys(PRESETS).map((id) => ({ value: id, label: id }));

/** JSON with sorted keys, so that a decoded link compares equal to the preset it came from. */
const canon = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canon).join(',')}]`
    : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(v) ?? 'null';

const PRESET_CANON = new Map(Object.keys(PRESETS).map((id) => [canon(presetSpec(id)), id]));

function matchPreset(spec: ModelSpec): string | null {
  return PRESET_CANON.get(canon(spec)) ?? null;
}

export function PresetPicker() {
  const presetId = useApp(selectPresetId);
  const modified = useApp(selectModified);
  const spec = useApp(selectSpec);
  const busy = useApp(selectBusy);
  const loadPreset = useApp(selectLoadPreset);
  const replaced = useApp(selectReplaced);
  const undoReplace = useApp(selectUndoReplace);
  const exact = useMemo(() => (presetId && !modified ? presetId : matchPreset(spec)), [presetId, modified, spec]);
  const from = presetId ?? (spec.name && Object.hasOwn(PRESETS, spec.name) ? spec.name : null);
  const options = exact ? OPTIONS : [{ value: '', label: from ? `Custom (from ${from})` : 'Custom' }, ...OPTIONS];
  const desc = exact ? PRESETS[exact]?.description : from ? PRESETS[from]?.description : undefined;
  return (
    <div className="preset">
      <SelectField
        label="Preset" value={exact ?? ''} options={options} onChange={(id) => id && loadPreset(id)} disabled={busy}
        hint={desc ? <>{desc}{!exact ? <em className="badge"> modified</em> : null}</> : undefined}
      />
      {/* Always in the page, so that screen readers announce what appears in it. */}
      <p className="hint" role="status" data-testid="preset-undo">
        {replaced ? (
          <>
            Your edited model{replaced.presetId ? ` (from ${replaced.presetId})` : ''} was replaced by {presetId}.{' '}
            <button type="button" onClick={undoReplace} disabled={busy} aria-label="Undo the preset change">Undo</button>
          </>
        ) : null}
      </p>
    </div>
  );
}
