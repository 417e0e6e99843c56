// Preset choice with its one-line description.
import { useApp } from '../store/index.ts';
import { selectBusy, selectLoadPreset, selectModified, selectPresetId } from '../store/selectors.ts';
import { PRESETS } from '../engine.ts';
import { SelectField } from '../ui/fields.tsx';

const OPTIONS = Object.keys(PRESETS).map((id) => ({ value: id, label: id }));

export function PresetPicker() {
  const presetId = useApp(selectPresetId);
  const modified = useApp(selectModified);
  const busy = useApp(selectBusy);
  const loadPreset = useApp(selectLoadPreset);
  const desc = presetId ? PRESETS[presetId]?.description : undefined;
  return (
    <div className="preset">
      <SelectField
        label="Preset" value={presetId ?? ''} options={OPTIONS} onChange={loadPreset} disabled={busy}
        hint={desc ? <>{desc}{modified ? <em className="badge"> modified</em> : null}</> : undefined}
      />
    </div>
  );
}
