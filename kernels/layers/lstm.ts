// LSTM: gates i, f, g, o (torch order); the forget gate's bias starts at `forgetBias`.
import { recurrentDef, type RecurrentSpec } from './recurrent.ts';

export type LstmSpec = RecurrentSpec<'lstm'>;
export const lstm = recurrentDef('lstm', {
  title: 'LSTM', label: 'LSTM', help: 'Long short-term memory layer', torch: 'LSTM',
  cell: { gates: 4, cellState: true, forgetGate: true },
});
