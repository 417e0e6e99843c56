// Pure edits of a layer list; the default layer of each palette kind comes from the layer registry.
import { defaultLayer, KIND, layerDef, type LayerKind, type LayerSpec } from '../engine.ts';

/** Every layer kind the palette adds (a residual block is made by wrapping layers, see wrapResidual). */
export type PaletteKind = LayerKind;
export { defaultLayer };

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
  return [...xs.slice(0, i), { ...defaultLayer(KIND.residual), layers: structuredClone(xs.slice(i, i + n)) }, ...xs.slice(i + n)];
}

/** Replaces residual block i by its inner layers (no-op for other kinds). */
export function unwrapResidual(xs: readonly LayerSpec[], i: number): LayerSpec[] {
  const l = xs[i];
  const inner = l && layerDef(l.kind).inner?.(l);
  if (!inner) return [...xs];
  return [...xs.slice(0, i), ...inner, ...xs.slice(i + 1)];
}

export function insertManyAt<T>(xs: readonly T[], i: number, ys: readonly T[]): T[] {
  return [...xs.slice(0, i), ...ys, ...xs.slice(i)];
}

/** Drops every listed index (out-of-range ones are ignored). */
export function removeMany<T>(xs: readonly T[], indices: readonly number[]): T[] {
  const drop = new Set(indices);
  return xs.filter((_, j) => !drop.has(j));
}

/**
 * Copies of the listed layers, in list order, inserted right after the last of them: a run
 * A B C becomes A B C A′ B′ C′. Returns where the copies start and how many there are.
 */
export function duplicateMany(xs: readonly LayerSpec[], indices: readonly number[]): { layers: LayerSpec[]; start: number; count: number } {
  const sel = [...new Set(indices)].filter((j) => j >= 0 && j < xs.length).sort((a, b) => a - b);
  if (!sel.length) return { layers: [...xs], start: 0, count: 0 };
  const start = sel[sel.length - 1] + 1;
  return { layers: insertManyAt(xs, start, sel.map((j) => structuredClone(xs[j]))), start, count: sel.length };
}

/** "1, 3 and 4" (1-based, as the layer list numbers them). */
function layerNumbers(indices: readonly number[]): string {
  const ns = indices.map((j) => String(j + 1));
  return ns.length > 1 ? `${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}` : ns.join('');
}

/**
 * Wraps the selected layers in one residual block, if they form one run (a residual adds its
 * block's output to its input, so the block must be consecutive layers); otherwise says which
 * layers in between are missing.
 */
export function wrapSelection(xs: readonly LayerSpec[], indices: readonly number[]): { layers: LayerSpec[]; at: number } | { error: string } {
  const sel = [...new Set(indices)].sort((a, b) => a - b);
  if (!sel.length) return { error: 'Select the layers to wrap first.' };
  if (sel[0] < 0 || sel[sel.length - 1] >= xs.length) return { error: `There is no layer ${sel[sel.length - 1] + 1}.` };
  const first = sel[0], last = sel[sel.length - 1];
  if (last - first + 1 !== sel.length) {
    const gaps = [];
    for (let j = first; j <= last; j++) if (!sel.includes(j)) gaps.push(j);
    return {
      error: `A residual block wraps consecutive layers: layers ${layerNumbers(sel)} are not one run ` +
        `(layer${gaps.length > 1 ? 's' : ''} ${layerNumbers(gaps)} ${gaps.length > 1 ? 'are' : 'is'} not selected).`,
    };
  }
  return { layers: wrapResidual(xs, first, sel.length), at: first };
}
