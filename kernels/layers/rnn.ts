// RNN: the plain tanh cell, h = tanh(x·W_ih + b_ih + h·W_hh + b_hh).
import { recurrentDef, type RecurrentSpec } from './recurrent.ts';

export type RnnSpec = RecurrentSpec<'rnn'>;
export const rnn = recurrentDef('rnn', {
  title: 'RNN (tanh)', label: 'RNN', help: 'Plain tanh recurrent layer', torch: 'RNN',
  cell: { gates: 1, cellState: false, forgetGate: false },
});
