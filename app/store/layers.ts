// Pure edits of a layer list, and the default layer of each palette kind.
import type { LayerSpec } from '../../kernels/spec/types.ts';

export type PaletteKind = 'dense' | 'activation' | 'dropout' | 'flatten';

export function defaultLayer(kind: PaletteKind): LayerSpec {
  switch (kind) {
    case 'dense': return { kind: 'dense', units: 64, activation: 'relu' };
    case 'activation': return { kind: 'activation', fn: 'relu' };
    case 'dropout': return { kind: 'dropout', rate: 0.2 };
    case 'flatten': return { kind: 'flatten' };
  }
}

export function insertAt<T>(xs: readonly T[], i: number, x: T): T[] {
  return [...xs.slice(0, i), x, ...xs.slice(i)];
}

export function removeAt<T>(xs: readonly T[], i: number): T[] {
  return xs.filter((_, j) => j !== i);
}

/** Moves item i by delta (−1 up, +1 down); out-of-range moves return the list unchanged. */
export function move<T>(xs: readonly T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || j < 0 || i >= xs.length || j >= xs.length) return [...xs];
  const out = [...xs];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}
