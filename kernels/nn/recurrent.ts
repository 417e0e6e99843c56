// Embedding and recurrent layers (LSTM, GRU, tanh RNN, stacked): parameter layout and graph
// building. Parameters per recurrent sub-layer, in this order (the weights-file order too):
//   W_ih (in, G·H), W_hh (H, G·H), b_ih (G·H), b_hh (G·H)
// i.e. torch's weight_ih_l{k} transposed (x·W rather than W·x), gate blocks in torch order
// (LSTM i, f, g, o; GRU r, z, n). Init as torch: uniform(±1/√H) for all four; the LSTM's forget
// block of b_ih is set to `forgetBias` (default 1, b_hh's stays random) so early gradients flow.
// With `learnInitialState`, each sub-layer then has h0 (H) (and c0 (H) for an LSTM), zeros at
// first: the state every sequence starts from, shared by all samples (torch has no such module
// parameter; the export passes it expanded over the batch as nn.LSTM's (h0, c0)).
import type { Tensor } from '../backend.ts';
import type { Graph } from '../autodiff/graph.ts';
import type { RecurrentSpec } from '../layers/recurrent.ts';
import type { EmbeddingSpec } from '../layers/embedding.ts';
import type { ParamInfo } from './model.ts';

export type { RecurrentSpec };

/**
 * What tells the cells apart, declared by each kind's registry file (kernels/layers/lstm.ts, …):
 * gate blocks per step (LSTM 4, GRU 3, tanh RNN 1), a cell state c beside h, a forget gate.
 */
export interface Cell { gates: 1 | 3 | 4; cellState: boolean; forgetGate: boolean }

/** Output shape of one sample: (T, H) when returning sequences, else (H). */
export function recurrentOutShape(l: RecurrentSpec, inShape: number[]): number[] {
  return l.returnSequences ? [inShape[0], l.hidden] : [l.hidden];
}

/** Learned initial-state vectors per sub-layer: h0 (and c0 for an LSTM), or none. */
export function initialStateNames(l: RecurrentSpec, cell: Cell): string[] {
  return !l.learnInitialState ? [] : cell.cellState ? ['h0', 'c0'] : ['h0'];
}

export function recurrentParamCount(l: RecurrentSpec, features: number, cell: Cell): number {
  const GH = cell.gates * l.hidden;
  let n = 0, fin = features;
  for (let k = 0; k < (l.layers ?? 1); k++) {
    n += fin * GH + l.hidden * GH + 2 * GH + initialStateNames(l, cell).length * l.hidden;
    fin = l.hidden;
  }
  return n;
}

export function describeRecurrent(l: RecurrentSpec, inShape: number[], p: string, cell: Cell): ParamInfo[] {
  const H = l.hidden, GH = cell.gates * H;
  const bound = 1 / Math.sqrt(H);
  const out: ParamInfo[] = [];
  let fin = inShape[inShape.length - 1];
  for (let k = 0; k < (l.layers ?? 1); k++) {
    const q = `${p}.l${k}`;
    const u = { fanIn: H, fanOut: GH, init: 'uniform' as const, bound };
    out.push({ name: `${q}.W_ih`, shape: [fin, GH], ...u });
    out.push({ name: `${q}.W_hh`, shape: [H, GH], ...u });
    const fb = cell.forgetGate ? (l.forgetBias ?? 1) : undefined;
    out.push({ name: `${q}.b_ih`, shape: [GH], ...u, ...(fb !== undefined ? { constRange: [H, 2 * H, fb] as [number, number, number] } : {}) });
    out.push({ name: `${q}.b_hh`, shape: [GH], ...u });
    for (const n of initialStateNames(l, cell)) out.push({ name: `${q}.${n}`, shape: [H], fanIn: H, fanOut: H, init: 'zeros' });
    fin = H;
  }
  return out;
}

export function describeEmbedding(l: EmbeddingSpec, p: string, tied = false): ParamInfo[] {
  if (!l.vocab) throw new Error(`${p}: embedding needs a vocabulary size (resolved from the task when absent)`);
  // Unit-variance rows like torch's N(0, 1): uniform(±√3). A table shared with the output head
  // (unembed) scores unit-variance LayerNorm outputs, so its rows get variance 1/dim instead:
  // logits start near unit scale (initial loss ≈ ln V, not 4× that).
  const bound = tied ? Math.sqrt(3 / l.dim) : Math.sqrt(3);
  return [{ name: `${p}.table`, shape: [l.vocab, l.dim], fanIn: 1, fanOut: l.dim, init: 'uniform', bound }];
}

/**
 * Records a stacked recurrent layer; h is (B, T, F). A learned initial state (H) is broadcast to
 * every sample as zeros (B, H) + state: the broadcast add's backward sums the per-sample dh0 over
 * the batch into the parameter's gradient.
 */
export function buildRecurrent(g: Graph, l: RecurrentSpec, h: Tensor, take: () => Tensor, name: string, cell: Cell): Tensor {
  const n = l.layers ?? 1;
  const B = h.shape[0];
  for (let k = 0; k < n; k++) {
    const Wih = take(), Whh = take(), bih = take(), bhh = take();
    const q = `${name}.${l.kind}${k}`;
    const init: { h0?: Tensor; c0?: Tensor } = {};
    for (const s of initialStateNames(l, cell) as ('h0' | 'c0')[]) {
      const z = g.alloc([B, l.hidden], `${q}.${s}.zeros`);
      g.be.write(z, new Float32Array(B * l.hidden));
      init[s] = g.binary('add', z, take(), `${q}.${s}`);
    }
    const last = k === n - 1;
    h = g.recurrent(l.kind, h, Wih, bih, Whh, bhh, last ? !!l.returnSequences : true, q, init);
  }
  return h;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** One timestep of a cell on one sample (torch formulas); updates st = [h, c] in place, returns h. */
export function cellStep(cell: Cell, x: Float64Array, st: Float64Array[], Wih: Float32Array, Whh: Float32Array, bih: Float32Array, bhh: Float32Array, H: number): Float64Array {
  const GH = Wih.length / x.length;
  const xp = new Float64Array(GH), hp = new Float64Array(GH);
  for (let c = 0; c < GH; c++) {
    let a = bih[c], b = bhh[c];
    for (let i = 0; i < x.length; i++) a += x[i] * Wih[i * GH + c];
    for (let k = 0; k < H; k++) b += st[0][k] * Whh[k * GH + c];
    xp[c] = a;
    hp[c] = b;
  }
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    if (cell.gates === 4) {
      const i = sig(xp[j] + hp[j]), f = sig(xp[H + j] + hp[H + j]), g = Math.tanh(xp[2 * H + j] + hp[2 * H + j]), o = sig(xp[3 * H + j] + hp[3 * H + j]);
      st[1][j] = f * st[1][j] + i * g;
      h[j] = o * Math.tanh(st[1][j]);
    } else if (cell.gates === 3) {
      const r = sig(xp[j] + hp[j]), z = sig(xp[H + j] + hp[H + j]), n = Math.tanh(xp[2 * H + j] + r * hp[2 * H + j]);
      h[j] = (1 - z) * n + z * st[0][j];
    } else h[j] = Math.tanh(xp[j] + hp[j]);
  }
  st[0] = h;
  return h;
}
