// Pieces several layer kinds share: the activation list (spec, inspector, lowering, export), the
// padding field, and the weight init that follows an activation.
import type { FusedAct, Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import type { Activation } from '../model/types.ts';
import { LIMITS } from '../model/limits.ts';
import type { ModelSpec } from '../model/types.ts';
import { taskInfo } from '../data/tasks.ts';
import { fmt, type FieldDef, type LayerFix } from './def.ts';
import { embedding } from './embedding.ts';
import { patches } from './patches.ts';

export const ACTIVATIONS = [
  { value: 'relu', label: 'ReLU' }, { value: 'leaky_relu', label: 'Leaky ReLU' }, { value: 'gelu', label: 'GELU' },
  { value: 'tanh', label: 'tanh' }, { value: 'sigmoid', label: 'sigmoid' },
] as const;
export const actLabel = (a: string) => ACTIVATIONS.find((x) => x.value === a)?.label ?? a;

/** The optional activation of a Dense or Conv2D: 'none' (absent) is linear. */
export const ACTIVATION_FIELD: FieldDef = {
  type: 'enum', label: 'Activation', help: 'the non-linearity applied to the output', default: 'none',
  options: [{ value: 'none', label: 'none (linear)' }, ...ACTIVATIONS],
};
/** "1 filter", "1,024 filters": a count with its noun, pluralised, with thousands separators. */
export const count = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export const actSuffix = (a: string | undefined) => (a && a !== 'none' ? `, ${actLabel(a)}` : '');

export const PADDING_FIELD: FieldDef = {
  type: 'padding', label: 'Padding', help: "'same' keeps size / stride, 'valid' pads nothing, or pixels on every side",
  default: 'valid', min: 0, max: LIMITS.padding,
};

export const DROPOUT_MAX = LIMITS.dropout;
export const EPS_MIN = LIMITS.epsMin;

/** He-uniform before ReLU-like activations, Glorot-uniform otherwise. */
export const initFor = (a: string | undefined): 'he' | 'glorot' => (a === 'relu' || a === 'leaky_relu' || a === 'gelu' ? 'he' : 'glorot');

const FUSABLE: ReadonlySet<string> = new Set(['none', 'relu', 'leaky_relu', 'tanh', 'sigmoid']);

/** An op with a fusable epilogue, then the activation as its own op when it cannot be fused. */
export function withActivation(g: Graph, act: Activation | 'none' | undefined, op: (fused: FusedAct) => Tensor, name: string): Tensor {
  const a = act ?? 'none';
  if (FUSABLE.has(a)) return op(a as FusedAct);
  return g.unary(a as Activation, op('none'), `${name}.${a}`);
}

// Activations as torch calls on X (the engine's leaky ReLU slope is 0.01, its GELU the exact erf form).
const TORCH_ACT: Record<Activation, string> = {
  relu: 'F.relu(X)', leaky_relu: 'F.leaky_relu(X, 0.01)', gelu: 'F.gelu(X)', tanh: 'torch.tanh(X)', sigmoid: 'torch.sigmoid(X)',
};
export const torchAct = (a: Activation | 'none' | undefined, expr: string) => (a && a !== 'none' ? TORCH_ACT[a].replace('X', expr) : expr);
export const pyNum = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v));
export const pair = (a: number, b: number) => (a === b ? `${a}` : `(${a}, ${b})`);

/** The torch shape of a per-sample engine shape: an image (H, W, C) is (N, C, H, W) in the module. */
export const tshape = (s: number[]) => `(N, ${(s.length === 3 ? [s[2], s[0], s[1]] : s).join(', ')})`;

/**
 * Why a sequence layer (recurrent, positions, transformer) cannot take this input, in words, with
 * the fix that mends it where one exists: token ids want an Embedding first, an image wants
 * Patches (for attention) or a convolution (for a recurrent layer, nothing fits).
 */
export function notASequence(shape: number[], spec: ModelSpec, data: number[], want: string, patchesFit: boolean): { message: string; fix?: LayerFix } {
  const got = fmt(shape);
  if (shape.length === 1 && spec.dataset.kind === 'task' && taskInfo(spec.dataset).inputVocab > 0)
    return { message: `needs ${want}, got ${got}: add an Embedding before it`, fix: { label: 'Add Embedding', insert: [embedding.make()] } };
  if (shape.length === 1) {
    const why = data.length === 2 ? 'return sequences from the recurrent layer before it'
      : data.length === 3 ? `a flattened image is one vector, not a sequence; ${patchesFit ? 'for attention on images, use Patches in place of the Flatten' : 'use Conv2D on images'}`
        : 'this data gives one vector per sample, not a sequence; use Dense layers';
    return { message: `needs ${want}, got ${got}: ${why}` };
  }
  if (shape.length === 3 && patchesFit)
    return { message: `needs ${want}, got an image ${got}: add Patches before it to cut the image into a sequence`, fix: { label: 'Add Patches', insert: [patches.make()] } };
  return { message: `needs ${want}, got an image ${got}: use Conv2D on images, or choose a sequence task` };
}
