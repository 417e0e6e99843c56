// View state that is neither the spec nor the run: selection and chart options.
import type { SliceCreator } from './types.ts';
import type { Crash } from '../ui/crash.ts';
import { loadBackendPref, saveBackendPref } from '../training/backendChoice.ts';
import type { Backend } from '../training/protocol.ts';
import { extendTo, NO_SELECTION, selectOne, toggle, type LayerSelection } from './selection.ts';

/** What opening a link (or restoring a saved design) had to say. */
export interface ShareMessage {
  kind: 'error' | 'notice';
  messages: string[];
}

export interface UiSlice extends LayerSelection {
  logLoss: boolean;
  /** The Backend control: Auto, WebGPU or CPU (remembered in localStorage). */
  backendPref: Backend;
  setBackendPref(b: Backend): void;
  shareMessage: ShareMessage | null;
  /** Uncaught errors, newest last (at most 20 kept). */
  crashes: Crash[];
  addCrash(c: Crash): void;
  clearCrashes(): void;
  /** Selects layer i alone (null: nothing). */
  selectLayer(i: number | null): void;
  /** Ctrl/⌘-click: adds layer i to the selection or drops it. */
  toggleLayerSelection(i: number): void;
  /** Shift-click, Shift+↑/↓: selects the run from the anchor (else `from`) to layer `to`. */
  extendLayerSelection(to: number, from?: number): void;
  setLogLoss(on: boolean): void;
  setShareMessage(m: ShareMessage | null): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  ...NO_SELECTION,
  logLoss: false,
  backendPref: loadBackendPref(),
  setBackendPref: (backendPref) => {
    saveBackendPref(backendPref);
    set({ backendPref });
  },
  shareMessage: null,
  crashes: [],
  addCrash: (c) => set((s) => ({ crashes: [...s.crashes.slice(-19), c] })),
  clearCrashes: () => set({ crashes: [] }),
  selectLayer: (i) => set(selectOne(i)),
  toggleLayerSelection: (i) => set((s) => toggle(s, i)),
  extendLayerSelection: (to, from) => set((s) => extendTo(s, to, from)),
  setShareMessage: (shareMessage) => set({ shareMessage }),
  setLogLoss: (logLoss) => set({ logLoss }),
});
