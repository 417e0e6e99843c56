// Pure edits of a layer list, and the default layer of each palette kind.
import type { LayerSpec } from '../../kernels/spec/types.ts';

/** Every layer kind the palette adds (a residual block is made by wrapping layers, see wrapResidual). */
export type PaletteKind = Exclude<LayerSpec['kind'], 'residual'>;

/** Defaults that fit where each kind usually goes: a 3×3 'same' conv keeps 28×28, 2×2 pools halve it. */
export function defaultLayer(kind: PaletteKind): LayerSpec {
  switch (kind) {
    case 'dense': return { kind: 'dense', units: 64, activation: 'relu' };
    case 'activation': return { kind: 'activation', fn: 'relu' };
    case 'dropout': return { kind: 'dropout', rate: 0.2 };
    case 'flatten': return { kind: 'flatten' };
    case 'layernorm': return { kind: 'layernorm' };
    case 'conv2d': return { kind: 'conv2d', filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' };
    case 'maxpool2d': return { kind: 'maxpool2d', size: 2 };
    case 'avgpool2d': return { kind: 'avgpool2d', size: 2 };
    case 'globalavgpool': return { kind: 'globalavgpool' };
    case 'batchnorm': return { kind: 'batchnorm', momentum: 0.1 };
    case 'embedding': return { kind: 'embedding', dim: 32 };
    case 'lstm': return { kind: 'lstm', hidden: 64, returnSequences: true };
    case 'gru': return { kind: 'gru', hidden: 64, returnSequences: true };
    case 'rnn': return { kind: 'rnn', hidden: 64, returnSequences: true };
    case 'posenc': return { kind: 'posenc', type: 'sinusoidal' };
    case 'transformer': return { kind: 'transformer', heads: 4, layers: 1, causal: false, norm: 'pre' };
    case 'patches': return { kind: 'patches', size: 7, dim: 32 };
    case 'unembed': return { kind: 'unembed' };
  }
}

export function insertAt<T>(xs: readonly T[], i: number, x: T): T[] {
  return [...xs.slice(0, i), x, ...xs.slice(i)];
}

export function removeAt<T>(xs: readonly T[], i: number): T[] {
  return xs.filter((_, j) => j !== i);
}

/** Moves item i to position j (the others keep their order); drag-and-drop reordering. */
export function moveTo<T>(xs: readonly T[], i: number, j: number): T[] {
  if (i < 0 || i >= xs.length || j < 0 || j >= xs.length || i === j) return [...xs];
  const out = xs.filter((_, k) => k !== i);
  out.splice(j, 0, xs[i]);
  return out;
}

/** Moves item i by delta (−1 up, +1 down); out-of-range moves return the list unchanged. */
export function move<T>(xs: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= xs.length || j >= xs.length) return [...xs];
  const out = [...xs];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** Wraps layers i..i+count−1 in one residual block (its output is added to its input). */
export function wrapResidual(xs: readonly LayerSpec[], i: number, count = 1): LayerSpec[] {
  const n = Math.max(1, Math.min(count, xs.length - i));
  if (i < 0 || i >= xs.length) return [...xs];
  return [...xs.slice(0, i), { kind: 'residual', layers: structuredClone(xs.slice(i, i + n)) }, ...xs.slice(i + n)];
}

/** Replaces residual block i by its inner layers (no-op for other kinds). */
export function unwrapResidual(xs: readonly LayerSpec[], i: number): LayerSpec[] {
  const l = xs[i];
  if (!l || l.kind !== 'residual') return [...xs];
  return [...xs.slice(0, i), ...l.layers, ...xs.slice(i + 1)];
}
