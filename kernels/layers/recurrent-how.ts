// The "How it works" card of the recurrent layers: the tanh RNN, the LSTM's four gates and the
// GRU's update and reset gates, with the layer's input width F and hidden size H substituted.
import type { Cell } from '../nn/recurrent.ts';
import type { HowCard } from './def.ts';
import type { RecurrentSpec } from './recurrent.ts';
import { real } from './how.ts';

/** Named formulas, the name first so it shows without scrolling. */
const rows = (r: [name: string, tex: string][]) => `\\begin{array}{r l} ${r.map(([n, t]) => `\\text{${n}} & ${t}`).join(' \\\\ ')} \\end{array}`;
/** σ(W_? x_t + U_? hₜ₋₁ + b_?) for one gate. */
const gate = (g: string, fn = '\\sigma') => `${fn}(W_{${g}} x_t + U_{${g}} h_{t-1} + b_{${g}})`;

export function recurrentHow(l: RecurrentSpec, inShape: number[], outShape: number[], cell: Cell): HowCard {
  const [T, F] = inShape;
  const H = l.hidden, n = l.layers ?? 1;
  const sizes = `W_{\\cdot} \\in ${real([H, F])},\\; U_{\\cdot} \\in ${real([H, H])}`;
  const steps = `b_{\\cdot} \\in ${real([H])},\\quad t = 1, \\dots, ${T}`;
  const stack = n > 1 ? ` ${n} such cells are stacked, each reading the previous one's states.` : '';
  const out = l.returnSequences ? `It outputs hₜ at all ${T} steps (${outShape.join(' × ')}).` : `It outputs only the last state h at step ${T} (${H} numbers).`;
  if (cell.gates === 4)
    return {
      tex: [
        rows([['input gate', `i_t = ${gate('i')}`], ['forget gate', `f_t = ${gate('f')}`], ['output gate', `o_t = ${gate('o')}`], ['candidate', `g_t = ${gate('g', '\\tanh')}`]]),
        `c_t = f_t \\odot c_{t-1} + i_t \\odot g_t`,
        `h_t = o_t \\odot \\tanh(c_t)`,
        sizes,
        steps,
      ],
      text: [
        `At each of the ${T} steps the LSTM reads xₜ (${F} numbers) and its previous state hₜ₋₁ (${H}). The input gate i decides how much of the candidate g enters the cell state c, the forget gate f how much of the old c is kept, and the output gate o how much of c is shown as h.`,
        `The cell state is carried by addition, so gradients survive many steps. ${out}${stack}`,
      ],
      inside: true,
    };
  if (cell.gates === 3)
    return {
      tex: [
        rows([['reset gate', `r_t = ${gate('r')}`], ['update gate', `z_t = ${gate('z')}`], ['candidate', `n_t = \\tanh(W_{n} x_t + r_t \\odot (U_{n} h_{t-1} + b_{hn}) + b_{n})`]]),
        `h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}`,
        sizes,
        steps,
      ],
      text: [
        `At each of the ${T} steps the GRU reads xₜ (${F} numbers) and hₜ₋₁ (${H}). The reset gate r chooses how much of the old state the candidate n sees; the update gate z blends the old state with the candidate.`,
        `${out}${stack}`,
      ],
      inside: true,
    };
  return {
    tex: [`h_t = \\tanh(W_{hh} h_{t-1} + W_{xh} x_t + b),\\quad W_{hh} \\in ${real([H, H])},\\; W_{xh} \\in ${real([H, F])},\\; t = 1, \\dots, ${T}`],
    text: [
      `At each of the ${T} steps the new state mixes the previous state (${H} numbers) with the input xₜ (${F}) through the same weights, squashed by tanh.`,
      `${out}${stack}`,
    ],
    inside: true,
  };
}
