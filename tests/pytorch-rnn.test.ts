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
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CellKind, Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { buildModel, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/spec/types.ts';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
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

interface CaseData { x: number[]; dout: number[]; params: { name: string; shape: number[]; values: number[] }[] }

function makeData(c: Case): CaseData {
  const info = describeParams(layersOf(c), [c.T, c.I]);
  const init = initParams(info, c.seed);
  const rng = new Rng(c.seed * 7919 + 1);
  const x = Array.from({ length: c.B * c.T * c.I }, () => Math.fround(rng.normal()));
  const yLen = c.B * (c.returnSequences ? c.T : 1) * c.hidden;
  const dout = Array.from({ length: yLen }, () => Math.fround(rng.normal()));
  return { x, dout, params: info.map((p, i) => ({ name: p.name, shape: p.shape, values: Array.from(init[i]) })) };
}

interface Result { y: number[]; dx: number[]; dparams: number[][] }

const values = (t: Tensor) => Array.from((t.store as Float32Array | Float64Array).subarray(t.offset, t.offset + t.size));

function runEngine(c: Case, d: CaseData, precision: 'f32' | 'f64'): Result {
  const be = new CpuBackend(precision);
  const info = describeParams(layersOf(c), [c.T, c.I]);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  d.params.forEach((p, i) => be.write(P.views[i], Float32Array.from(p.values)));
  const g = new Graph(be, true);
  const x = g.alloc([c.B, c.T, c.I], 'x');
  const dx = be.tensor([c.B, c.T, c.I], 'dx');
  g.param(x, dx);
  be.write(x, Float32Array.from(d.x));
  const y = buildModel(g, layersOf(c), x, { values: P.views, grads: G.views });
  const dy = g.seed(y);
  be.write(dy, Float32Array.from(d.dout));
  const bwd = g.backward();
  be.run(be.program('forward + backward', [...g.forward, ...bwd]), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: c.B });
  return { y: values(y), dx: values(dx), dparams: G.views.map(values) };
}

interface Cmp { worst: number; where: string; a: number; b: number }
function compare(a: number[], b: number[], rel: number, what: string): Cmp {
  assert.equal(a.length, b.length, `${what}: length`);
  const scale = Math.max(...b.map(Math.abs));
  const r: Cmp = { worst: 0, where: '', a: NaN, b: NaN };
  b.forEach((bv, i) => {
    const allowed = rel * Math.max(Math.abs(bv), 1e-2 * scale, 1e-30);
    const ratio = Math.abs(a[i] - bv) / allowed;
    if (!(ratio <= r.worst)) Object.assign(r, { worst: Number.isNaN(ratio) ? Infinity : ratio, where: `${what}[${i}]`, a: a[i], b: bv });
  });
  return r;
}

let oracle: { out: { torch: string; cases: Record<string, { f32: Result; f64: Result }> }; data: Map<string, CaseData> } | Error | null = null;
function getOracle() {
  if (!oracle) {
    try {
      const data = new Map(CASES.map((c) => [c.name, makeData(c)]));
      const dir = mkdtempSync(join(tmpdir(), 'rnn-oracle-'));
      const src = join(dir, 'in.json'), dst = join(dir, 'out.json');
      writeFileSync(src, JSON.stringify(CASES.map((c) => ({ ...c, ...data.get(c.name)! }))));
      const r = spawnSync(PYTHON, [SCRIPT, src, dst], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`${PYTHON} ${SCRIPT} failed (status ${r.status}): ${r.error?.message ?? ''}\n${r.stderr}`);
      const out = JSON.parse(readFileSync(dst, 'utf8'));
      rmSync(dir, { recursive: true, force: true });
      oracle = { out, data };
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
        const cmps = [compare(got.y, want.y, rel, 'y'), compare(got.dx, want.dx, rel, 'dx'),
          ...got.dparams.map((g, i) => compare(g, want.dparams[i], rel, names[i]))];
        const worst = cmps.reduce((a, b) => (b.worst > a.worst ? b : a));
        console.log(`# ${c.name} ${precision}: worst ${worst.where} at ${worst.worst.toPrecision(2)}× the tolerance (torch ${out.torch})`);
        const bad = cmps.filter((r) => !(r.worst <= 1));
        assert.deepEqual(bad.map((r) => r.where), [],
          bad.map((r) => `${r.where}: engine ${r.a} vs torch ${r.b} (${r.worst.toFixed(2)}× the tolerance)`).join('\n'));
      });
    }
  }
});
