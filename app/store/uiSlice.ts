// View state that is neither the spec nor the run: selection and chart options.
import type { SliceCreator } from './types.ts';

export interface UiSlice {
  selectedLayer: number | null;
  logLoss: boolean;
  selectLayer(i: number | null): void;
  setLogLoss(on: boolean): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  selectedLayer: null,
  logLoss: false,
  selectLayer: (selectedLayer) => set({ selectedLayer }),
  setLogLoss: (logLoss) => set({ logLoss }),
});
