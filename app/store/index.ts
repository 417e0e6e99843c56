// The one bound store, built from typed slices. Components read it only through the selectors
// in ./selectors.ts (module-level functions, each returning one thing a component draws).
import { create } from 'zustand';
import { createModelSlice } from './modelSlice.ts';
import { createTrainingSlice } from './trainingSlice.ts';
import type { AppState } from './types.ts';
import { createRunsSlice } from './runsSlice.ts';
import { createUiSlice } from './uiSlice.ts';

export const useApp = create<AppState>()((...a) => ({
  ...createModelSlice(...a),
  ...createTrainingSlice(...a),
  ...createUiSlice(...a),
  ...createRunsSlice(...a),
}));

export type { AppState } from './types.ts';
