// The editable fields of a layer, drawn from its registry definition (kernels/layers/<kind>.ts):
// type, bounds from LIMITS, label, hint and the default an absent field means. Clearing a field to
// its "unset" value (0 = the task's vocabulary) removes it, keeping the spec minimal.
import { LIMITS, type FieldDef, type LayerSpec } from '../engine.ts';
import { CheckboxField, NumberField, SelectField } from '../ui/fields.tsx';

type Padding = 'same' | 'valid' | number;
type Layer = Record<string, unknown> & LayerSpec;
export interface FieldProps { layer: LayerSpec; set: (l: LayerSpec) => void; err: (field: string) => string | undefined }

const PADDINGS = [
  { value: 'same', label: 'same (keep size / stride)' }, { value: 'valid', label: 'valid (no padding)' }, { value: 'px', label: 'pixels…' },
] as const;

function PaddingFields({ value, set, err }: { value: Padding | undefined; set: (p: Padding) => void; err: (f: string) => string | undefined }) {
  const mode = typeof value === 'number' ? 'px' : (value ?? 'valid');
  return (
    <>
      <SelectField label="Padding" value={mode} options={PADDINGS} error={typeof value === 'number' ? undefined : err('padding')}
        onChange={(m) => set(m === 'px' ? 1 : m)} />
      {typeof value === 'number' ? (
        <NumberField label="Padding pixels" integer min={0} max={LIMITS.padding} value={value} error={err('padding')} onChange={set} />
      ) : null}
    </>
  );
}

/** A square kernel is stored as one number, as presets and links write it. */
function KernelFields({ f, value, set, err }: { f: FieldDef; value: number | [number, number]; set: (k: number | [number, number]) => void; err: (f: string) => string | undefined }) {
  const [kh, kw] = Array.isArray(value) ? value : [value, value];
  const kernel = (h: number, w: number) => set(h === w ? h : [h, w]);
  return (
    <>
      <NumberField label={`${f.label} height`} integer min={f.min} max={f.max} value={kh} error={err('kernel') ?? err('kernel[0]')} onChange={(h) => kernel(h, kw)} />
      <NumberField label={`${f.label} width`} integer min={f.min} max={f.max} value={kw} error={err('kernel[1]')} onChange={(w) => kernel(kh, w)} />
    </>
  );
}

/** One field of a layer, by its declared type. */
function Field({ name, f, layer, set, err }: FieldProps & { name: string; f: FieldDef }) {
  const l = layer as Layer;
  const shown = l[name] ?? (f.defaultOf ? f.defaultOf(l as never) : f.default);
  const put = (v: unknown) => set({ ...l, [name]: f.unset !== undefined && v === f.unset ? undefined : v } as LayerSpec);
  switch (f.type) {
    case 'int':
    case 'number': {
      const min = f.unset !== undefined && typeof f.unset === 'number' ? Math.min(f.min ?? 0, f.unset) : f.min;
      return (
        <NumberField label={f.label} integer={f.type === 'int'} min={min} max={f.max} step={f.step} value={shown as number} error={err(name)} hint={f.hint}
          onChange={put} />
      );
    }
    case 'bool': return <CheckboxField label={f.label} checked={(shown as boolean | undefined) ?? false} onChange={put} />;
    case 'enum': return <SelectField label={f.label} value={shown as string} options={f.options ?? []} error={err(name)} onChange={put} />;
    case 'kernel': return <KernelFields f={f} value={shown as number | [number, number]} err={err} set={put} />;
    case 'padding': return <PaddingFields value={l[name] as Padding | undefined} err={err} set={put} />;
    case 'layers': return null; // a residual's inner layers: LayerForm draws them
  }
}

/** Every declared field of the layer, in the registry's order. */
export function DeclaredFields({ fields, ...p }: FieldProps & { fields: Record<string, FieldDef> }) {
  return <>{Object.entries(fields).map(([name, f]) => <Field key={name} name={name} f={f} {...p} />)}</>;
}
