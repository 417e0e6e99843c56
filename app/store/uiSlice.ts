// View state that is neither the spec nor the run: selection and chart options.
import type { SliceCreator } from './types.ts';
import type { Crash } from '../ui/crash.ts';

/** What opening a link (or restoring a saved design) had to say. */
export interface ShareMessage {
  kind: 'error' | 'notice';
  messages: string[];
}

export interface UiSlice {
  selectedLayer: number | null;
  logLoss: boolean;
  shareMessage: ShareMessage | null;
  /** Uncaught errors, newest last (at most 20 kept). */
  crashes: Crash[];
  addCrash(c: Crash): void;
  clearCrashes(): void;
  selectLayer(i: number | null): void;
  setLogLoss(on: boolean): void;
  setShareMessage(m: ShareMessage | null): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  selectedLayer: null,
  logLoss: false,
  shareMessage: null,
  crashes: [],
  addCrash: (c) => set((s) => ({ crashes: [...s.crashes.slice(-19), c] })),
  clearCrashes: () => set({ crashes: [] }),
  selectLayer: (selectedLayer) => set({ selectedLayer }),
  setShareMessage: (shareMessage) => set({ shareMessage }),
  setLogLoss: (logLoss) => set({ logLoss }),
});
