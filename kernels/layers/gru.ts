// GRU: gates r, z, n (torch order).
import { recurrentDef, type RecurrentSpec } from './recurrent.ts';

export type GruSpec = RecurrentSpec<'gru'>;
export const gru = recurrentDef('gru', {
  title: 'GRU', label: 'GRU', help: 'Gated recurrent unit layer', torch: 'GRU',
  cell: { gates: 3, cellState: false, forgetGate: false },
});
