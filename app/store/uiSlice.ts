// View state that is neither the spec nor the run: selection and chart options.
import type { SliceCreator } from './types.ts';

/** What opening a link (or restoring a saved design) had to say. */
export interface ShareMessage {
  kind: 'error' | 'notice';
  messages: string[];
}

export interface UiSlice {
  selectedLayer: number | null;
  logLoss: boolean;
  shareMessage: ShareMessage | null;
  selectLayer(i: number | null): void;
  setLogLoss(on: boolean): void;
  setShareMessage(m: ShareMessage | null): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  selectedLayer: null,
  logLoss: false,
  shareMessage: null,
  selectLayer: (selectedLayer) => set({ selectedLayer }),
  setShareMessage: (shareMessage) => set({ shareMessage }),
  setLogLoss: (logLoss) => set({ logLoss }),
});
