// Which layers are selected: an anchor (the layer the inspector edits when it is alone, and where
// a Shift range starts) and the sorted set of selected indices, which may have gaps (Ctrl/⌘-click).
// Pure: the ui slice stores the result, the model slice resets it after structural edits.

export interface LayerSelection {
  /** The anchor: the last layer clicked without Shift; null when nothing is selected. */
  selectedLayer: number | null;
  /** Sorted, no duplicates; contains the anchor whenever there is one. */
  selectedLayers: number[];
  /** Why the last bulk action on the selection was refused (cleared by any new selection). */
  selectionNotice: string | null;
}

export const NO_SELECTION: LayerSelection = { selectedLayer: null, selectedLayers: [], selectionNotice: null };

export function selectOne(i: number | null): LayerSelection {
  return i === null ? NO_SELECTION : { selectedLayer: i, selectedLayers: [i], selectionNotice: null };
}

/** Layers start..start+count−1, anchored at the first. */
export function selectRun(start: number, count: number): LayerSelection {
  if (count < 1) return NO_SELECTION;
  return { selectedLayer: start, selectedLayers: Array.from({ length: count }, (_, k) => start + k), selectionNotice: null };
}

/** Shift-click or Shift+↑/↓: every layer from the anchor (or `from` when there is none) to `to`. */
export function extendTo(s: LayerSelection, to: number, from?: number): LayerSelection {
  const anchor = s.selectedLayer ?? from ?? to;
  const lo = Math.min(anchor, to), hi = Math.max(anchor, to);
  return { ...selectRun(lo, hi - lo + 1), selectedLayer: anchor };
}

/** Ctrl/⌘-click or the row's checkbox: adds or drops one layer; the anchor follows the last added. */
export function toggle(s: LayerSelection, i: number): LayerSelection {
  if (s.selectedLayers.includes(i)) {
    const rest = s.selectedLayers.filter((j) => j !== i);
    const anchor = s.selectedLayer === i ? (rest[rest.length - 1] ?? null) : s.selectedLayer;
    return { selectedLayer: anchor, selectedLayers: rest, selectionNotice: null };
  }
  return { selectedLayer: i, selectedLayers: [...s.selectedLayers, i].sort((a, b) => a - b), selectionNotice: null };
}

/** Where the palette inserts: after the last selected layer, else before the output layer (an MLP's last Dense). */
export function insertionPoint(s: LayerSelection, layerCount: number): number {
  return s.selectedLayers.length ? s.selectedLayers[s.selectedLayers.length - 1] + 1 : Math.max(0, layerCount - 1);
}
