// PyTorch oracle for the recurrent layers: the engine's LSTM / GRU / tanh RNN (stacked too), built
// by buildModel on the CpuBackend, against torch nn.LSTM / nn.GRU / nn.RNN with the same weights
// (tests/oracle/rnn_oracle.py). Inputs, weights and the upstream gradient go through a JSON file;
// torch returns the output and the gradients of L = Σ dout ⊙ y wrt the input and every weight.
//
// The layers have no initial-state input: both sides start from zero state, so gradients wrt the
// initial state are not part of the API and not compared.
//
// Checks per case, for T in {1, 7, 40} and odd hidden sizes:
//   engine f32 vs torch f32: |a − b| ≤ 1e-4 · max(|b|, 1e-2 · max|b| over the tensor)
//   engine f64 (CpuBackend('f64')) vs torch f64: the same at 1e-9 (formula differences show here).
// Needs /usr/bin/python3 with torch; without it the test fails. Run: node --import tsx --test tests/pytorch-rnn.test.ts
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CellKind } from '../kernels/backend.ts';
import { describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/spec/types.ts';
import { assertAllWithin, compareRel, forwardBackwardCpu, runOracle, type LayerCase, type LayerResult } from './lib/oracle.ts';

const SCRIPT = join(import.meta.dirname, 'oracle', 'rnn_oracle.py');

interface Case { name: string; cell: CellKind; B: number; T: number; I: number; hidden: number; layers: number; returnSequences: boolean; seed: number }

const CASES: Case[] = [];
for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  CASES.push(
    { name: `${cell} T=1 H=5 sequence`, cell, B: 3, T: 1, I: 4, hidden: 5, layers: 1, returnSequences: true, seed: 1 },
    { name: `${cell} T=7 H=7 last state`, cell, B: 2, T: 7, I: 3, hidden: 7, layers: 1, returnSequences: false, seed: 2 },
    { name: `${cell} T=40 H=9 sequence`, cell, B: 2, T: 40, I: 5, hidden: 9, layers: 1, returnSequences: true, seed: 3 },
    { name: `${cell} 2 layers T=7 H=5 last state`, cell, B: 3, T: 7, I: 4, hidden: 5, layers: 2, returnSequences: false, seed: 4 },
  );
}

const layersOf = (c: Case): LayerSpec[] => [{ kind: c.cell, hidden: c.hidden, layers: c.layers, returnSequences: c.returnSequences }];

type CaseData = LayerCase;

function makeData(c: Case): CaseData {
  const info = describeParams(layersOf(c), [c.T, c.I]);
  const init = initParams(info, c.seed);
  const rng = new Rng(c.seed * 7919 + 1);
  const x = Array.from({ length: c.B * c.T * c.I }, () => Math.fround(rng.normal()));
  const yLen = c.B * (c.returnSequences ? c.T : 1) * c.hidden;
  const dout = Array.from({ length: yLen }, () => Math.fround(rng.normal()));
  return { x, dout, params: info.map((p, i) => ({ name: p.name, shape: p.shape, values: Array.from(init[i]) })) };
}

type Result = LayerResult & { module_diff?: number };

const runEngine = (c: Case, d: CaseData, precision: 'f32' | 'f64'): Result => forwardBackwardCpu(layersOf(c), [c.B, c.T, c.I], d, precision);

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

describe('recurrent layers vs PyTorch (zero initial state)', () => {
  for (const c of CASES) {
    for (const [precision, rel] of [['f32', 1e-4], ['f64', 1e-9]] as const) {
      test(`${c.name} ${precision}`, () => {
        const { out, data } = getOracle();
        const want = out.cases[c.name][precision];
        const got = runEngine(c, data.get(c.name)!, precision);
        const names = data.get(c.name)!.params.map((p) => `d${p.name}`);
        assertAllWithin([compareRel(got.y, want.y, rel, 'y'), compareRel(got.dx, want.dx, rel, 'dx'),
          ...got.dparams.map((g, i) => compareRel(g, want.dparams[i], rel, names[i]))], `${c.name} ${precision} (torch ${out.torch})`);
      });
    }
  }
});
