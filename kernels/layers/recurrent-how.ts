// The "How it works" card of the recurrent layers: the tanh RNN, the LSTM's four gates and the
// GRU's update and reset gates, with the layer's input width F and hidden size H substituted.
import type { Cell } from '../nn/recurrent.ts';
import type { HowCard } from './def.ts';
import type { RecurrentSpec } from './recurrent.ts';
import { real } from './how.ts';

/** σ(W_? x_t + U_? h_{t−1} + b_?) for one gate. */
const gate = (g: string, fn = '\\sigma') => `${fn}(W_{${g}} x_t + U_{${g}} h_{t-1} + b_{${g}})`;

export function recurrentHow(l: RecurrentSpec, inShape: number[], outShape: number[], cell: Cell): HowCard {
  const [T, F] = inShape;
  const H = l.hidden, n = l.layers ?? 1;
  const sizes = `W_{\\cdot} \\in ${real([H, F])},\\; U_{\\cdot} \\in ${real([H, H])},\\; b_{\\cdot} \\in ${real([H])}`;
  const stack = n > 1 ? ` ${n} such cells are stacked, each reading the previous one's states.` : '';
  const out = l.returnSequences ? `It outputs h_t at all ${T} steps (${outShape.join(' × ')}).` : `It outputs only the last state h_${T} (${H} numbers).`;
  if (cell.gates === 4)
    return {
      tex: [
        `\\begin{aligned} i_t &= ${gate('i')} && \\text{input gate} \\\\ f_t &= ${gate('f')} && \\text{forget gate} \\\\ o_t &= ${gate('o')} && \\text{output gate} \\\\ g_t &= ${gate('g', '\\tanh')} && \\text{candidate} \\end{aligned}`,
        `c_t = f_t \\odot c_{t-1} + i_t \\odot g_t,\\qquad h_t = o_t \\odot \\tanh(c_t)`,
        `${sizes},\\quad t = 1, \\dots, ${T}`,
      ],
      text: [
        `At each of the ${T} steps the LSTM reads x_t (${F} numbers) and its previous state h_{t−1} (${H}). The input gate i decides how much of the candidate g enters the cell state c, the forget gate f how much of the old c is kept, and the output gate o how much of c is shown as h.`,
        `The cell state is carried by addition, so gradients survive many steps. ${out}${stack}`,
      ],
      inside: true,
    };
  if (cell.gates === 3)
    return {
      tex: [
        `\\begin{aligned} r_t &= ${gate('r')} && \\text{reset gate} \\\\ z_t &= ${gate('z')} && \\text{update gate} \\\\ n_t &= \\tanh(W_{n} x_t + r_t \\odot (U_{n} h_{t-1} + b_{hn}) + b_{n}) && \\text{candidate} \\end{aligned}`,
        `h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}`,
        `${sizes},\\quad t = 1, \\dots, ${T}`,
      ],
      text: [
        `At each of the ${T} steps the GRU reads x_t (${F} numbers) and h_{t−1} (${H}). The reset gate r chooses how much of the old state the candidate n sees; the update gate z blends the old state with the candidate.`,
        `${out}${stack}`,
      ],
      inside: true,
    };
  return {
    tex: [`h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b),\\quad W_{hh} \\in ${real([H, H])},\\; W_{xh} \\in ${real([H, F])},\\; t = 1, \\dots, ${T}`],
    text: [
      `At each of the ${T} steps the new state mixes the previous state (${H} numbers) with the input x_t (${F}) through the same weights, squashed by tanh.`,
      `${out}${stack}`,
    ],
    inside: true,
  };
}
