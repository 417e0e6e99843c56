// The bound store's full state and the slice-creator type every slice uses.
import type { StateCreator } from 'zustand';
import type { ModelSlice } from './modelSlice.ts';
import type { TrainingSlice } from './trainingSlice.ts';
import type { RunsSlice } from './runsSlice.ts';
import type { UiSlice } from './uiSlice.ts';

export type AppState = ModelSlice & TrainingSlice & UiSlice & RunsSlice;
export type SliceCreator<T> = StateCreator<AppState, [], [], T>;
