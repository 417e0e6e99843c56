// PyTorch oracle for the transformer blocks: the engine's block stack (LayerNorm, fused QKV GEMM,
// fused attention, output projection, GELU MLP, residuals; pre- and post-LN; causal or not),
// built by buildModel on the CpuBackend, against the same block written with torch ops
// (tests/oracle/transformer_oracle.py), which is itself checked against nn.TransformerEncoderLayer
// with the same weights. Compared: the output and the gradients of L = Σ dout ⊙ y wrt the input
// and every parameter, for odd sequence lengths, head counts and widths.
//   engine f32 vs torch f32: |a − b| ≤ 1e-4 · max(|b|, 1e-2 · max|b| over the tensor)
//   engine f64 (CpuBackend('f64')) vs torch f64: the same at 1e-9
// Needs /usr/bin/python3 with torch. Run: node --import tsx --test tests/pytorch-transformer.test.ts
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { assertAllWithin, compareRel, forwardBackwardCpu, runOracle, type LayerCase, type LayerResult } from './lib/oracle.ts';

const SCRIPT = join(import.meta.dirname, 'oracle', 'transformer_oracle.py');

interface Case { name: string; B: number; T: number; D: number; heads: number; layers: number; mlp: number; causal: boolean; norm: 'pre' | 'post'; seed: number }

const CASES: Case[] = [
  { name: 'pre-LN causal T=7 D=6 heads=3', B: 2, T: 7, D: 6, heads: 3, layers: 1, mlp: 10, causal: true, norm: 'pre', seed: 1 },
  { name: 'pre-LN bidirectional T=5 D=9 heads=1', B: 3, T: 5, D: 9, heads: 1, layers: 1, mlp: 7, causal: false, norm: 'pre', seed: 2 },
  { name: 'post-LN causal T=9 D=10 heads=2', B: 2, T: 9, D: 10, heads: 2, layers: 1, mlp: 12, causal: true, norm: 'post', seed: 3 },
  { name: 'post-LN bidirectional T=1 D=4 heads=2', B: 2, T: 1, D: 4, heads: 2, layers: 1, mlp: 5, causal: false, norm: 'post', seed: 4 },
  { name: '2 pre-LN blocks causal T=13 D=15 heads=5', B: 2, T: 13, D: 15, heads: 5, layers: 2, mlp: 9, causal: true, norm: 'pre', seed: 5 },
  { name: '2 post-LN blocks bidirectional T=6 D=8 heads=4', B: 1, T: 6, D: 8, heads: 4, layers: 2, mlp: 16, causal: false, norm: 'post', seed: 6 },
];

const layersOf = (c: Case): LayerSpec[] => [{ kind: 'transformer', heads: c.heads, layers: c.layers, mlp: c.mlp, causal: c.causal, norm: c.norm }];

type CaseData = LayerCase;

function makeData(c: Case): CaseData {
  const info = describeParams(layersOf(c), [c.T, c.D]);
  const init = initParams(info, c.seed);
  const rng = new Rng(c.seed * 7919 + 1);
  // LayerNorm gains and biases away from 1 and 0 so their gradients and effects are exercised.
  info.forEach((p, i) => {
    if (p.name.endsWith('.gamma') || p.name.endsWith('.beta') || p.name.includes('.b'))
      for (let j = 0; j < init[i].length; j++) init[i][j] += Math.fround(0.3 * rng.normal());
  });
  const x = Array.from({ length: c.B * c.T * c.D }, () => Math.fround(rng.normal()));
  const dout = Array.from({ length: c.B * c.T * c.D }, () => Math.fround(rng.normal()));
  return { x, dout, params: info.map((p, i) => ({ name: p.name, shape: p.shape, values: Array.from(init[i]) })) };
}

type Result = LayerResult & { module_diff?: number };

const runEngine = (c: Case, d: CaseData, precision: 'f32' | 'f64'): Result => forwardBackwardCpu(layersOf(c), [c.B, c.T, c.D], d, precision);

let oracle: { out: { torch: string; cases: Record<string, { f32: Result; f64: Result }> }; data: Map<string, CaseData> } | null = null;
function getOracle() {
  if (!oracle) {
    const data = new Map(CASES.map((c) => [c.name, makeData(c)]));
    const out = runOracle<{ torch: string; cases: Record<string, { f32: Result; f64: Result }> }>(SCRIPT, CASES.map((c) => ({ ...c, ...data.get(c.name)! })));
    oracle = { out, data };
  }
  return oracle;
}

describe('transformer blocks vs PyTorch', () => {
  for (const c of CASES) {
    for (const [precision, rel] of [['f32', 1e-4], ['f64', 1e-9]] as const) {
      test(`${c.name} ${precision}`, () => {
        const { out, data } = getOracle();
        const want = out.cases[c.name][precision];
        // The torch-ops block must agree with torch's own encoder layer (layout and formulas).
        assert.ok(want.module_diff! < (precision === 'f32' ? 1e-5 : 1e-12), `torch-ops block vs nn.TransformerEncoderLayer differ by ${want.module_diff}`);
        const got = runEngine(c, data.get(c.name)!, precision);
        const names = data.get(c.name)!.params.map((p) => `d${p.name}`);
        assertAllWithin([compareRel(got.y, want.y, rel, 'y'), compareRel(got.dx, want.dx, rel, 'dx'),
          ...got.dparams.map((g, i) => compareRel(g, want.dparams[i], rel, names[i]))], `${c.name} ${precision} (torch ${out.torch})`);
      });
    }
  }
});
