// The ModelSpec being edited, with its validation and shape inference kept beside it so that
// components select stable objects (recomputed only when the spec changes).
import {
  checkSpec, PRESETS, type DatasetSpec, type LayerSpec, type ModelSpec, type OptimizerSpec, type ScheduleSpec, type Shapes,
  type SpecIssue, type TrainSpec, type Validation,
} from '../engine.ts';
import { repeatBlock, type BlockId } from './blocks.ts';
import { adaptToData } from './ownData.ts';
import {
  defaultLayer, duplicateMany, insertAt, insertManyAt, move, moveTo, removeAt, removeMany, unwrapResidual, wrapResidual, wrapSelection,
  type PaletteKind,
} from './layers.ts';
import { insertionPoint, selectOne, selectRun, type LayerSelection } from './selection.ts';
import type { SliceCreator } from './types.ts';

export const DEFAULT_PRESET = 'mlp-mnist-small';

export interface ModelSlice {
  spec: ModelSpec;
  presetId: string | null;
  /** True once the spec differs from the loaded preset. */
  modified: boolean;
  validation: Validation;
  /** Null when shape inference throws (the spec is invalid). */
  shapes: Shapes | null;
  /** An edited model that loadPreset replaced, kept until the next edit so that undoReplace can bring it back. */
  replaced: { spec: ModelSpec; presetId: string | null } | null;
  loadPreset(id: string): void;
  undoReplace(): void;
  /** Replaces the whole spec (a shared link, a saved design). */
  loadSpec(spec: ModelSpec, presetId: string | null): void;
  /**
   * Adds a layer after the last selected one (else before the output layer) and selects it. A layer
   * added last takes the output the task needs when the model's own fix only resizes it (a Dense
   * becomes 10 units, no activation, on MNIST), so a model built from scratch ends valid.
   */
  addLayer(kind: PaletteKind): void;
  /** Applies a shape error's one-click fix (its whole new layer list) and selects the first changed layer. */
  applyFix(fix: SpecFix): void;
  /** Inserts `times` copies of a block's layers where addLayer would, one edit, and selects them all. */
  insertBlock(id: BlockId, times: number): void;
  removeLayer(i: number): void;
  moveLayer(i: number, delta: -1 | 1): void;
  /** Moves layer i to position j (drag and drop). */
  moveLayerTo(i: number, j: number): void;
  /** Switches the data, with the loss it needs; playground/CSV data also adapts the output width (ownData.ts). */
  setDataset(d: DatasetSpec): void;
  updateLayer(i: number, layer: LayerSpec): void;
  /** Inserts a copy of layer i after it and selects the copy. */
  duplicateLayer(i: number): void;
  /** Wraps layers i..i+count−1 in a residual block (selected), or puts a block's inner layers back in its place. */
  wrapLayers(i: number, count: number): void;
  unwrapLayer(i: number): void;
  /** Bulk actions on the selected layers. Wrapping needs one consecutive run; else selectionNotice says why not. */
  wrapSelected(): void;
  duplicateSelected(): void;
  removeSelected(): void;
  updateTrain(patch: Partial<TrainSpec>): void;
  setOptimizer(o: OptimizerSpec): void;
  setSchedule(s: ScheduleSpec): void;
  setSeed(seed: number): void;
}

function derive(spec: ModelSpec): Pick<ModelSlice, 'spec' | 'validation' | 'shapes'> {
  return { spec, ...checkSpec(spec) };
}

/** The first index where two layer lists differ (the shorter length when one is a prefix of the other). */
export function firstChange(a: readonly LayerSpec[], b: readonly LayerSpec[]): number {
  let j = 0;
  while (j < a.length && j < b.length && JSON.stringify(a[j]) === JSON.stringify(b[j])) j++;
  return j;
}

/** The spec with its new last layer `at` resized to the task's output, when the end check's fix does only that. */
function asOutput(spec: ModelSpec, at: number): ModelSpec {
  const fix = checkSpec(spec).validation.errors.find((e) => e.layer === at)?.fix;
  const only = fix && fix.layers.length === spec.layers.length && fix.layers[at].kind === spec.layers[at].kind
    && firstChange(spec.layers, fix.layers) === at;
  return only ? { ...spec, layers: fix.layers } : spec;
}

/** A shape error's one-click fix: its button's words and the whole layer list after it. */
export type SpecFix = NonNullable<SpecIssue['fix']>;

function presetSpec(id: string): ModelSpec {
  const p = PRESETS[id] ?? Object.values(PRESETS)[0];
  return structuredClone(p.spec);
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => {
  // A structural edit passes the new selection (a number: that layer alone); others keep it.
  const edit = (spec: ModelSpec, selected?: number | null | LayerSelection) =>
    set({
      ...derive(spec), modified: true, replaced: null,
      ...(selected === undefined ? {} : typeof selected === 'object' && selected !== null ? selected : selectOne(selected)),
    });
  const firstId = PRESETS[DEFAULT_PRESET] ? DEFAULT_PRESET : (Object.keys(PRESETS)[0] ?? null);
  return {
    ...derive(presetSpec(firstId ?? '')),
    presetId: firstId,
    modified: false,
    replaced: null,
    loadPreset: (id) => {
      const { spec, presetId, modified } = get();
      set({ ...derive(presetSpec(id)), presetId: id, modified: false, replaced: modified ? { spec, presetId } : null, ...selectOne(null) });
    },
    undoReplace: () => {
      const r = get().replaced;
      if (r) set({ ...derive(r.spec), presetId: r.presetId, modified: true, replaced: null, ...selectOne(null) });
    },
    loadSpec: (spec, presetId) => set({ ...derive(structuredClone(spec)), presetId, modified: presetId === null, replaced: null, ...selectOne(null) }),
    addLayer: (kind) => {
      const s = get();
      const at = insertionPoint(s, s.spec.layers.length);
      const spec = { ...s.spec, layers: insertAt(s.spec.layers, at, defaultLayer(kind)) };
      edit(at === s.spec.layers.length ? asOutput(spec, at) : spec, at);
    },
    applyFix: (fix) => {
      const { spec } = get();
      const j = firstChange(spec.layers, fix.layers);
      edit({ ...spec, layers: structuredClone(fix.layers) }, j < fix.layers.length ? j : null);
    },
    insertBlock: (id, times) => {
      const s = get();
      const at = insertionPoint(s, s.spec.layers.length);
      const added = repeatBlock(id, times);
      edit({ ...s.spec, layers: insertManyAt(s.spec.layers, at, added) }, selectRun(at, added.length));
    },
    removeLayer: (i) => {
      const { spec } = get();
      const layers = removeAt(spec.layers, i);
      edit({ ...spec, layers }, layers.length ? Math.min(i, layers.length - 1) : null);
    },
    moveLayer: (i, delta) => {
      const { spec } = get();
      const j = Math.min(Math.max(i + delta, 0), spec.layers.length - 1);
      edit({ ...spec, layers: move(spec.layers, i, delta) }, j);
    },
    moveLayerTo: (i, j) => {
      const { spec } = get();
      edit({ ...spec, layers: moveTo(spec.layers, i, j) }, Math.min(Math.max(j, 0), spec.layers.length - 1));
    },
    setDataset: (dataset) => edit(adaptToData(get().spec, dataset)),
    updateLayer: (i, layer) => {
      const { spec } = get();
      edit({ ...spec, layers: spec.layers.map((l, j) => (j === i ? layer : l)) });
    },
    duplicateLayer: (i) => {
      const { spec } = get();
      if (!spec.layers[i]) return;
      edit({ ...spec, layers: insertAt(spec.layers, i + 1, structuredClone(spec.layers[i])) }, i + 1);
    },
    wrapLayers: (i, count) => {
      const { spec } = get();
      edit({ ...spec, layers: wrapResidual(spec.layers, i, count) }, i);
    },
    unwrapLayer: (i) => {
      const { spec } = get();
      edit({ ...spec, layers: unwrapResidual(spec.layers, i) }, i);
    },
    wrapSelected: () => {
      const { spec, selectedLayers } = get();
      const r = wrapSelection(spec.layers, selectedLayers);
      if ('error' in r) set({ selectionNotice: r.error });
      else edit({ ...spec, layers: r.layers }, r.at);
    },
    duplicateSelected: () => {
      const { spec, selectedLayers } = get();
      const r = duplicateMany(spec.layers, selectedLayers);
      if (r.count) edit({ ...spec, layers: r.layers }, selectRun(r.start, r.count));
    },
    removeSelected: () => {
      const { spec, selectedLayers } = get();
      if (!selectedLayers.length) return;
      const layers = removeMany(spec.layers, selectedLayers);
      // Select what now stands where the first removed layer was (or the new last layer).
      edit({ ...spec, layers }, layers.length ? Math.min(selectedLayers[0], layers.length - 1) : null);
    },
    updateTrain: (patch) => {
      const { spec } = get();
      edit({ ...spec, train: { ...spec.train, ...patch } });
    },
    setOptimizer: (optimizer) => get().updateTrain({ optimizer }),
    setSchedule: (schedule) => get().updateTrain({ schedule }),
    setSeed: (seed) => edit({ ...get().spec, seed }),
  };
};
