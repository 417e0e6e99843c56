// The editable fields of each layer kind, bounded by the engine's LIMITS (kernels/model/validate.ts).
// Optional fields show their engine default; clearing to the default keeps the spec minimal.
import type { Activation, LayerSpec, Padding } from '../../kernels/model/types.ts';
import { LIMITS } from '../../kernels/model/validate.ts';
import { CheckboxField, NumberField, SelectField } from '../ui/fields.tsx';
import { ACTIVATIONS } from './layerText.ts';

const OPT_ACTS = [{ value: 'none', label: 'none (linear)' }, ...ACTIVATIONS] as const;
const PADDINGS = [
  { value: 'same', label: 'same (keep size / stride)' }, { value: 'valid', label: 'valid (no padding)' }, { value: 'px', label: 'pixels…' },
] as const;

type Of<K extends LayerSpec['kind']> = Extract<LayerSpec, { kind: K }>;
export interface FieldProps<L extends LayerSpec> { layer: L; set: (l: LayerSpec) => void; err: (field: string) => string | undefined }

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

function ActivationField<L extends Of<'dense'> | Of<'conv2d'>>({ layer, set, err }: FieldProps<L>) {
  return (
    <SelectField label="Activation" value={layer.activation ?? 'none'} options={OPT_ACTS} error={err('activation')}
      onChange={(a) => set({ ...layer, activation: a as Activation | 'none' })} />
  );
}

export function DenseFields(p: FieldProps<Of<'dense'>>) {
  const { layer, set, err } = p;
  return (
    <>
      <NumberField label="Units" integer min={1} max={LIMITS.units} value={layer.units} error={err('units')} onChange={(units) => set({ ...layer, units })} />
      <ActivationField {...p} />
    </>
  );
}

export function ConvFields(p: FieldProps<Of<'conv2d'>>) {
  const { layer, set, err } = p;
  const [kh, kw] = Array.isArray(layer.kernel) ? layer.kernel : [layer.kernel, layer.kernel];
  // A square kernel is stored as one number, as presets and links write it.
  const kernel = (h: number, w: number) => set({ ...layer, kernel: h === w ? h : [h, w] });
  return (
    <>
      <NumberField label="Filters" integer min={1} max={LIMITS.filters} value={layer.filters} error={err('filters')} onChange={(filters) => set({ ...layer, filters })} />
      <NumberField label="Kernel height" integer min={1} max={LIMITS.kernel} value={kh} error={err('kernel') ?? err('kernel[0]')} onChange={(h) => kernel(h, kw)} />
      <NumberField label="Kernel width" integer min={1} max={LIMITS.kernel} value={kw} error={err('kernel[1]')} onChange={(w) => kernel(kh, w)} />
      <NumberField label="Stride" integer min={1} max={LIMITS.stride} value={layer.stride ?? 1} error={err('stride')} onChange={(stride) => set({ ...layer, stride })} />
      <NumberField label="Dilation" integer min={1} max={LIMITS.dilation} value={layer.dilation ?? 1} error={err('dilation')} onChange={(dilation) => set({ ...layer, dilation })} />
      <PaddingFields value={layer.padding} err={err} set={(padding) => set({ ...layer, padding })} />
      <ActivationField {...p} />
    </>
  );
}

export function PoolFields({ layer, set, err }: FieldProps<Of<'maxpool2d'> | Of<'avgpool2d'>>) {
  return (
    <>
      <NumberField label="Window size" integer min={1} max={LIMITS.kernel} value={layer.size} error={err('size')} onChange={(size) => set({ ...layer, size })} />
      <NumberField label="Stride" integer min={1} max={LIMITS.stride} value={layer.stride ?? layer.size} error={err('stride')} hint="defaults to the window size"
        onChange={(stride) => set({ ...layer, stride })} />
      <PaddingFields value={layer.padding} err={err} set={(padding) => set({ ...layer, padding })} />
    </>
  );
}

export function NormFields({ layer, set, err }: FieldProps<Of<'batchnorm'> | Of<'layernorm'>>) {
  return (
    <>
      {layer.kind === 'batchnorm' ? (
        <NumberField label="Momentum" min={0} max={1} step={0.05} value={layer.momentum ?? 0.1} error={err('momentum')} hint="running-statistics update rate"
          onChange={(momentum) => set({ ...layer, momentum })} />
      ) : null}
      <NumberField label="Epsilon" min={1e-12} max={1} step="any" value={layer.eps ?? 1e-5} error={err('eps')} onChange={(eps) => set({ ...layer, eps })} />
    </>
  );
}

export function EmbeddingFields({ layer, set, err }: FieldProps<Of<'embedding'>>) {
  return (
    <>
      <NumberField label="Dimensions" integer min={1} max={LIMITS.units} value={layer.dim} error={err('dim')} onChange={(dim) => set({ ...layer, dim })} />
      <NumberField label="Vocabulary" integer min={0} max={LIMITS.vocab} value={layer.vocab ?? 0} error={err('vocab')} hint="0 = the task's"
        onChange={(v) => set({ ...layer, vocab: v > 0 ? v : undefined })} />
    </>
  );
}

export function RecurrentFields({ layer, set, err }: FieldProps<Of<'lstm'> | Of<'gru'> | Of<'rnn'>>) {
  return (
    <>
      <NumberField label="Hidden units" integer min={1} max={LIMITS.hidden} value={layer.hidden} error={err('hidden')} onChange={(hidden) => set({ ...layer, hidden })} />
      <NumberField label="Stacked layers" integer min={1} max={LIMITS.recurrentLayers} value={layer.layers ?? 1} error={err('layers')}
        onChange={(layers) => set({ ...layer, layers })} />
      <CheckboxField label="Return sequences (every step, not only the last state)" checked={layer.returnSequences ?? false}
        onChange={(returnSequences) => set({ ...layer, returnSequences })} />
      <CheckboxField label="Learn the initial state (else it starts at zero)" checked={layer.learnInitialState ?? false}
        onChange={(learnInitialState) => set({ ...layer, learnInitialState: learnInitialState || undefined })} />
      {layer.kind === 'lstm' ? (
        <NumberField label="Forget-gate bias" min={-10} max={10} step={0.5} value={layer.forgetBias ?? 1} error={err('forgetBias')}
          onChange={(forgetBias) => set({ ...layer, forgetBias })} />
      ) : null}
    </>
  );
}

const POSENC = [{ value: 'sinusoidal', label: 'sinusoidal (fixed)' }, { value: 'learned', label: 'learned' }] as const;
const NORMS = [{ value: 'pre', label: 'pre-LN (before each sub-block)' }, { value: 'post', label: 'post-LN (after each residual)' }] as const;

export function PosencFields({ layer, set, err }: FieldProps<Of<'posenc'>>) {
  return <SelectField label="Encoding" value={layer.type} options={POSENC} error={err('type')} onChange={(type) => set({ ...layer, type })} />;
}

export function TransformerFields({ layer, set, err }: FieldProps<Of<'transformer'>>) {
  return (
    <>
      <NumberField label="Heads" integer min={1} max={LIMITS.heads} value={layer.heads} error={err('heads')} onChange={(heads) => set({ ...layer, heads })} />
      <NumberField label="Blocks" integer min={1} max={LIMITS.blocks} value={layer.layers ?? 1} error={err('layers')} onChange={(layers) => set({ ...layer, layers })} />
      <NumberField label="MLP units" integer min={0} max={LIMITS.units} value={layer.mlp ?? 0} error={err('mlp')} hint="0 = 4 × the width"
        onChange={(mlp) => set({ ...layer, mlp: mlp > 0 ? mlp : undefined })} />
      <SelectField label="Norm" value={layer.norm ?? 'pre'} options={NORMS} error={err('norm')} onChange={(norm) => set({ ...layer, norm })} />
      <CheckboxField label="Causal (each position sees only earlier ones)" checked={layer.causal ?? false} onChange={(causal) => set({ ...layer, causal })} />
      <NumberField label="Dropout" min={0} max={0.95} step={0.05} value={layer.dropout ?? 0} error={err('dropout')} onChange={(dropout) => set({ ...layer, dropout })} />
      <NumberField label="Attention dropout" min={0} max={0.95} step={0.05} value={layer.attnDropout ?? 0} error={err('attnDropout')}
        onChange={(attnDropout) => set({ ...layer, attnDropout })} />
    </>
  );
}

export function PatchesFields({ layer, set, err }: FieldProps<Of<'patches'>>) {
  return (
    <>
      <NumberField label="Patch size" integer min={1} max={LIMITS.patch} value={layer.size} error={err('size')} onChange={(size) => set({ ...layer, size })} />
      <NumberField label="Dimensions" integer min={1} max={LIMITS.units} value={layer.dim} error={err('dim')} onChange={(dim) => set({ ...layer, dim })} />
    </>
  );
}
