// The ModelSpec being edited, with its validation and shape inference kept beside it so that
// components select stable objects (recomputed only when the spec changes).
import type { DatasetSpec, LayerSpec, ModelSpec, OptimizerSpec, ScheduleSpec, TrainSpec } from '../../kernels/spec/types.ts';
import { taskInfo } from '../../kernels/data/tasks.ts';
import { checkSpec, PRESETS, type Shapes, type Validation } from '../engine.ts';
import { defaultLayer, insertAt, move, moveTo, removeAt, unwrapResidual, wrapResidual, type PaletteKind } from './layers.ts';
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
  loadPreset(id: string): void;
  /** Replaces the whole spec (a shared link, a saved design). */
  loadSpec(spec: ModelSpec, presetId: string | null): void;
  addLayer(kind: PaletteKind): void;
  removeLayer(i: number): void;
  moveLayer(i: number, delta: -1 | 1): void;
  /** Moves layer i to position j (drag and drop). */
  moveLayerTo(i: number, j: number): void;
  /** Switches the data (and the loss the data needs: MSE for forecasting, else cross-entropy). */
  setDataset(d: DatasetSpec): void;
  updateLayer(i: number, layer: LayerSpec): void;
  /** Inserts a copy of layer i after it and selects the copy. */
  duplicateLayer(i: number): void;
  /** Wraps layers i..i+count−1 in a residual block (selected), or puts a block's inner layers back in its place. */
  wrapLayers(i: number, count: number): void;
  unwrapLayer(i: number): void;
  updateTrain(patch: Partial<TrainSpec>): void;
  setOptimizer(o: OptimizerSpec): void;
  setSchedule(s: ScheduleSpec): void;
  setSeed(seed: number): void;
}

function derive(spec: ModelSpec): Pick<ModelSlice, 'spec' | 'validation' | 'shapes'> {
  return { spec, ...checkSpec(spec) };
}

function presetSpec(id: string): ModelSpec {
  const p = PRESETS[id] ?? Object.values(PRESETS)[0];
  return structuredClone(p.spec);
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => {
  const edit = (spec: ModelSpec, selected?: number | null) =>
    set({ ...derive(spec), modified: true, ...(selected !== undefined ? { selectedLayer: selected } : {}) });
  const firstId = PRESETS[DEFAULT_PRESET] ? DEFAULT_PRESET : (Object.keys(PRESETS)[0] ?? null);
  return {
    ...derive(presetSpec(firstId ?? '')),
    presetId: firstId,
    modified: false,
    loadPreset: (id) => set({ ...derive(presetSpec(id)), presetId: id, modified: false, selectedLayer: null }),
    loadSpec: (spec, presetId) => set({ ...derive(structuredClone(spec)), presetId, modified: presetId === null, selectedLayer: null }),
    addLayer: (kind) => {
      const { spec, selectedLayer } = get();
      // Insert after the selected layer, else before the output layer (an MLP's last Dense).
      const at = selectedLayer !== null ? selectedLayer + 1 : Math.max(0, spec.layers.length - 1);
      edit({ ...spec, layers: insertAt(spec.layers, at, defaultLayer(kind)) }, at);
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
    setDataset: (dataset) => {
      let loss: ModelSpec['loss'] = 'softmax_cross_entropy';
      try {
        if (dataset.kind === 'task') loss = taskInfo(dataset).loss;
      } catch {
        // an out-of-range length: validation names it; keep cross-entropy meanwhile
      }
      edit({ ...get().spec, dataset, loss });
    },
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
    updateTrain: (patch) => {
      const { spec } = get();
      edit({ ...spec, train: { ...spec.train, ...patch } });
    },
    setOptimizer: (optimizer) => get().updateTrain({ optimizer }),
    setSchedule: (schedule) => get().updateTrain({ schedule }),
    setSeed: (seed) => edit({ ...get().spec, seed }),
  };
};
