// PyTorch oracle for the recurrent layers: the engine's LSTM / GRU / tanh RNN (stacked too)
// against torch nn.LSTM / nn.GRU / nn.RNN with the same weights (tests/oracle/rnn_oracle.py).
// Inputs, weights, initial states and the upstream gradient go through a JSON file; torch returns
// the output and the gradients of L = Σ dout ⊙ y wrt the input, every weight and the initial state.
//
// Initial state, three ways per cell:
//   zero     both sides start from zeros (the layer without an initial state; buildModel);
//   input    explicit per-sample h0 (and c0) (layers, B, H), random, given to Graph.recurrent per
//            sub-layer and to torch as (h0, c0); dh0 / dc0 compared too;
//   learned  learnInitialState: the (H) vectors per sub-layer are parameters (random here, not the
//            zeros they start from), broadcast over the batch (buildModel), and torch gets them as
//            (layers, 1, H) leaves expanded to (layers, B, H): their gradients sum over the batch.
//
// Checks per case, for T in {1, 7, 40} and odd hidden sizes:
//   engine f32 vs torch f32: |a − b| ≤ 1e-4 · max(|b|, 1e-2 · max|b| over the tensor)
//   engine f64 (CpuBackend('f64')) vs torch f64: the same at 1e-9 (formula differences show here).
// Needs /usr/bin/python3 with torch; without it the test fails. Run: node --import tsx --test tests/pytorch-rnn.test.ts
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CellKind, Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { assertAllWithin, compareRel, forwardBackwardCpu, runOracle, values, type Cmp, type LayerCase, type LayerResult } from './lib/oracle.ts';

const SCRIPT = join(import.meta.dirname, 'oracle', 'rnn_oracle.py');

type State = 'zero' | 'input' | 'learned';
interface Case { name: string; cell: CellKind; B: number; T: number; I: number; hidden: number; layers: number; returnSequences: boolean; seed: number; state: State }

const CASES: Case[] = [];
for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  for (const state of ['zero', 'input', 'learned'] as const) {
    const tag = state === 'zero' ? '' : ` ${state} state`;
    const seed = { zero: 0, input: 10, learned: 20 }[state];
    CASES.push(
      { name: `${cell} T=1 H=5 sequence${tag}`, cell, B: 3, T: 1, I: 4, hidden: 5, layers: 1, returnSequences: true, seed: seed + 1, state },
      { name: `${cell} T=7 H=7 last state${tag}`, cell, B: 2, T: 7, I: 3, hidden: 7, layers: 1, returnSequences: false, seed: seed + 2, state },
      { name: `${cell} T=40 H=9 sequence${tag}`, cell, B: 2, T: 40, I: 5, hidden: 9, layers: 1, returnSequences: true, seed: seed + 3, state },
      { name: `${cell} 2 layers T=7 H=5 last state${tag}`, cell, B: 3, T: 7, I: 4, hidden: 5, layers: 2, returnSequences: false, seed: seed + 4, state },
    );
  }
  // Stacked with an initial state over a long sequence, and T = 1 stacked.
  CASES.push({ name: `${cell} 3 layers T=40 H=3 sequence input state`, cell, B: 2, T: 40, I: 3, hidden: 3, layers: 3, returnSequences: true, seed: 31, state: 'input' });
  CASES.push({ name: `${cell} 2 layers T=1 H=7 last state learned state`, cell, B: 3, T: 1, I: 2, hidden: 7, layers: 2, returnSequences: false, seed: 32, state: 'learned' });
}

const layersOf = (c: Case): LayerSpec[] =>
  [{ kind: c.cell, hidden: c.hidden, layers: c.layers, returnSequences: c.returnSequences, ...(c.state === 'learned' ? { learnInitialState: true } : {}) }];
const stateNames = (c: Case) => (c.cell === 'lstm' ? ['h0', 'c0'] as const : ['h0'] as const);

/** LayerCase plus, for 'input' cases, h0 / c0 (layers, B, H) flattened. */
type CaseData = LayerCase & { h0?: number[]; c0?: number[] };

function makeData(c: Case): CaseData {
  const info = describeParams(layersOf(c), [c.T, c.I]);
  const init = initParams(info, c.seed);
  const rng = new Rng(c.seed * 7919 + 1);
  const x = Array.from({ length: c.B * c.T * c.I }, () => Math.fround(rng.normal()));
  const yLen = c.B * (c.returnSequences ? c.T : 1) * c.hidden;
  const dout = Array.from({ length: yLen }, () => Math.fround(rng.normal()));
  const params = info.map((p, i) => ({ name: p.name, shape: p.shape, values: Array.from(init[i]) }));
  const d: CaseData = { x, dout, params };
  // Learned states start at zero: random values here so that they matter.
  for (const p of params) if (/\.(h0|c0)$/.test(p.name)) p.values = p.values.map(() => Math.fround(0.8 * rng.normal()));
  if (c.state === 'input')
    for (const n of stateNames(c)) d[n] = Array.from({ length: c.layers * c.B * c.hidden }, () => Math.fround(0.8 * rng.normal()));
  return d;
}

type Result = LayerResult & { dh0?: number[]; dc0?: number[] };

/**
 * Explicit per-sample initial states: Graph.recurrent per sub-layer (the parameter order of
 * buildRecurrent), h0 / c0 as inputs that take gradients.
 */
function runEngineWithState(c: Case, d: CaseData, precision: 'f32' | 'f64'): Result {
  const be = new CpuBackend(precision);
  const info = describeParams(layersOf(c), [c.T, c.I]);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  d.params.forEach((p, i) => be.write(P.views[i], Float32Array.from(p.values)));
  const g = new Graph(be, true);
  info.forEach((_, i) => g.param(P.views[i], G.views[i]));
  const xShape = [c.B, c.T, c.I];
  const x = g.alloc(xShape, 'x');
  const dx = be.tensor(xShape, 'dx');
  g.param(x, dx);
  be.write(x, Float32Array.from(d.x));
  const BH = c.B * c.hidden;
  const dstate: Record<string, Tensor[]> = { h0: [], c0: [] };
  let h = x;
  for (let k = 0; k < c.layers; k++) {
    const init: { h0?: Tensor; c0?: Tensor } = {};
    for (const n of stateNames(c)) {
      const s = g.alloc([c.B, c.hidden], `${n}.l${k}`);
      const ds = be.tensor([c.B, c.hidden], `d${n}.l${k}`);
      g.param(s, ds);
      be.write(s, Float32Array.from(d[n]!.slice(k * BH, (k + 1) * BH)));
      init[n] = s;
      dstate[n].push(ds);
    }
    const [Wih, Whh, bih, bhh] = P.views.slice(4 * k, 4 * k + 4);
    const last = k === c.layers - 1;
    h = g.recurrent(c.cell, h, Wih, bih, Whh, bhh, last ? c.returnSequences : true, `rnn.l${k}`, init);
  }
  be.write(g.seed(h), Float32Array.from(d.dout));
  const bwd = g.backward();
  be.run(be.program('forward + backward', [...g.forward, ...bwd]), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: c.B });
  const r: Result = { y: values(h), dx: values(dx), dparams: G.views.map(values) };
  for (const n of stateNames(c)) r[`d${n}`] = dstate[n].flatMap(values);
  return r;
}

const runEngine = (c: Case, d: CaseData, precision: 'f32' | 'f64'): Result =>
  c.state === 'input' ? runEngineWithState(c, d, precision) : forwardBackwardCpu(layersOf(c), [c.B, c.T, c.I], d, precision);

let oracle: { out: { torch: string; cases: Record<string, { f32: Result; f64: Result }> }; data: Map<string, CaseData> } | Error | null = null;
function getOracle() {
  if (!oracle) {
    try {
      const data = new Map(CASES.map((c) => [c.name, makeData(c)]));
      oracle = { out: runOracle(SCRIPT, CASES.map((c) => ({ ...c, ...data.get(c.name)! }))), data };
    } catch (e) {
      oracle = e as Error;
    }
  }
  if (oracle instanceof Error) throw oracle;
  return oracle;
}

for (const state of ['zero', 'input', 'learned'] as const) {
  describe(`recurrent layers vs PyTorch (${state} initial state)`, () => {
    for (const c of CASES.filter((x) => x.state === state)) {
      for (const [precision, rel] of [['f32', 1e-4], ['f64', 1e-9]] as const) {
        test(`${c.name} ${precision}`, () => {
          const { out, data } = getOracle();
          const want = out.cases[c.name][precision];
          const got = runEngine(c, data.get(c.name)!, precision);
          const names = data.get(c.name)!.params.map((p) => `d${p.name}`);
          const cmps: Cmp[] = [compareRel(got.y, want.y, rel, 'y'), compareRel(got.dx, want.dx, rel, 'dx'),
            ...got.dparams.map((g, i) => compareRel(g, want.dparams[i], rel, names[i]))];
          if (c.state === 'input') for (const n of ['dh0', 'dc0'] as const) if (want[n]) cmps.push(compareRel(got[n]!, want[n]!, rel, n));
          assertAllWithin(cmps, `${c.name} ${precision} (torch ${out.torch})`);
        });
      }
    }
  });
}
