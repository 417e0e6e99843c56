// LSTM, GRU and the tanh RNN share their fields, shapes, lowering and export: one factory, one
// file per kind. Parameter layout and graph building: kernels/nn/recurrent.ts.
import type { CellKind } from '../backend.ts';
import { LIMITS } from '../model/limits.ts';
import { buildRecurrent, cellStep, describeRecurrent, initialStateNames, recurrentOutShape, recurrentParamCount, type Cell } from '../nn/recurrent.ts';
import type { FieldDef, LayerDef } from './def.ts';
import { notASequence, tshape } from './shared.ts';
import { recurrentHow } from './recurrent-how.ts';

/** Sequences (T, F) → (T, hidden) when returning sequences, else the last state (hidden). */
export interface RecurrentSpec<K extends CellKind = CellKind> {
  kind: K; hidden: number; layers?: number; returnSequences?: boolean; learnInitialState?: boolean;
  forgetBias?: number; // LSTM only
}

const common = {
  hidden: { type: 'int', label: 'Hidden units', help: 'the state size', required: true, min: 1, max: LIMITS.hidden },
  layers: { type: 'int', label: 'Stacked layers', help: 'cells stacked, each feeding the next', min: 1, max: LIMITS.recurrentLayers, default: 1 },
  returnSequences: { type: 'bool', label: 'Return sequences (every step, not only the last state)', help: 'output every step, not only the last state', default: false },
  learnInitialState: { type: 'bool', label: 'Learn the initial state (else it starts at zero)', help: 'trainable h0 (and c0) instead of zeros', default: false, unset: false },
} satisfies Record<string, FieldDef>;
const FORGET_BIAS: FieldDef = { type: 'number', label: 'Forget-gate bias', help: "the forget gate's initial bias, so early gradients flow", min: -LIMITS.forgetBias, max: LIMITS.forgetBias, step: 0.5, default: 1 };

interface CellOpts { title: string; label: string; help: string; torch: string; cell: Cell }

export function recurrentDef<K extends CellKind>(kind: K, { title, label, help, torch, cell }: CellOpts): LayerDef<RecurrentSpec<K>> {
  // Only the LSTM has a forget gate; the field list the validator and the inspector see says so.
  const fields = (cell.forgetGate ? { ...common, forgetBias: FORGET_BIAS } : common) as LayerDef<RecurrentSpec<K>>['fields'];
  return {
    kind, title, label, help, family: 'Sequence', recurrent: true, fields,
    make: () => ({ kind, hidden: 64, returnSequences: true }),
    summary: (l) => `${l.hidden.toLocaleString('en-US')} hidden${(l.layers ?? 1) > 1 ? ` × ${l.layers} layers` : ''}, ${l.returnSequences ? 'every step' : 'last state'}`,
    how: (l, inShape, outShape) => recurrentHow(l, inShape, outShape, cell),
    infer(l, shape, ctx) {
      if (shape.length !== 2) {
        const why = notASequence(shape, ctx.spec, ctx.input, 'a sequence (T, features)', false);
        ctx.error(null, why.message, why.fix);
        return { shape: [0] };
      }
      const G = cell.gates;
      return {
        shape: recurrentOutShape(l, shape),
        params: recurrentParamCount(l, shape[1], cell),
        largest: Math.max(shape[1], l.hidden) * G * l.hidden,
        // Saved per step and layer: xp, dgx, dgh (G·H each), h, hprev, c (H), gates (4H).
        acts: shape[0] * (l.layers ?? 1) * l.hidden * (3 * G + 7),
      };
    },
    describe(l, shape, { prefix, out }) {
      out.push(...describeRecurrent(l, shape, prefix, cell));
      return recurrentOutShape(l, shape);
    },
    lower: (g, l, h, { take, name }) => buildRecurrent(g, l, h, take, name, cell),
    torch(l, shape, { name, e, out, line }) {
      const n = l.layers ?? 1;
      const extra = (n > 1 ? `, num_layers=${n}` : '') + (cell.gates === 1 ? ', nonlinearity="tanh"' : '');
      out.init.push(`self.${name} = nn.${torch}(${shape[shape.length - 1]}, ${l.hidden}${extra}, batch_first=True)`);
      const states = initialStateNames(l, cell); // learnInitialState: h0 (and c0) (hidden) per sub-layer, after its b_hh
      for (let k = 0; k < n; k++) {
        const q = `${e}.l${k}`;
        out.params.push(
          [`${q}.W_ih`, `${name}.weight_ih_l${k}`, 't'], [`${q}.W_hh`, `${name}.weight_hh_l${k}`, 't'],
          [`${q}.b_ih`, `${name}.bias_ih_l${k}`, ''], [`${q}.b_hh`, `${name}.bias_hh_l${k}`, ''],
        );
        for (const st of states) {
          out.init.push(`self.${name}_${st}_l${k} = nn.Parameter(torch.zeros(${l.hidden}))  # learned initial ${st === 'h0' ? 'hidden' : 'cell'} state of sub-layer ${k}`);
          out.params.push([`${q}.${st}`, `${name}_${st}_l${k}`, '']);
        }
      }
      const seq = [shape[0], l.hidden];
      if (!states.length) out.forward.push(`x, _ = self.${name}(x)  # ${tshape(seq)}: every step, from a zero initial state`);
      else {
        // nn.LSTM/GRU/RNN have no learned initial state: one Parameter (hidden) per sub-layer and
        // state, as the playground stores them, stacked to (layers, 1, hidden) and expanded over
        // the batch to the (layers, N, hidden) the module takes; autograd sums their gradients.
        for (const st of states) {
          const list = Array.from({ length: n }, (_, k) => `self.${name}_${st}_l${k}`).join(', ');
          out.forward.push(`${st} = torch.stack([${list}]).unsqueeze(1).expand(-1, x.shape[0], -1).contiguous()  # (${n}, N, ${l.hidden})`);
        }
        const hx = states.length === 2 ? '(h0, c0)' : 'h0';
        out.forward.push(`x, _ = self.${name}(x, ${hx})  # ${tshape(seq)}: every step, from the learned initial state`);
      }
      const s = recurrentOutShape(l, shape);
      if (!l.returnSequences) line(s, 'x = x[:, -1]', 'the last step only');
      return s;
    },
    step(l, h, { next, state }) {
      const names = initialStateNames(l, cell);
      for (let k = 0; k < (l.layers ?? 1); k++) {
        const Wih = next(), Whh = next(), bih = next(), bhh = next();
        const learned = names.map(() => next()); // h0 (c0): the state after a reset
        const st = state(() => {
          const init = [new Float64Array(l.hidden), new Float64Array(l.hidden)]; // [h, c]
          names.forEach((n, j) => (init[n === 'h0' ? 0 : 1] = Float64Array.from(learned[j])));
          return init;
        });
        h = cellStep(cell, h, st, Wih, Whh, bih, bhh, l.hidden);
      }
      return h;
    },
  };
}
