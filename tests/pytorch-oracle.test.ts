// PyTorch oracle: small models trained for 3 steps on the CpuBackend, assembled the way
// kernels/train/compile.ts assembles the train program (flat params/grads, buildModel,
// softmaxCrossEntropy, backward, [sumSquares], optimizerStep), against the same models trained by
// torch (tests/oracle/mlp_oracle.py: nn.Linear, CrossEntropyLoss(mean), torch.optim, clip_grad_norm_).
// Initial weights (from the engine's initParams), batches (from Rng) and the optimizer spec go to
// torch through a JSON file; the final parameters and per-step losses come back the same way.
//
// Checks, per case:
//   engine f32 vs torch f32: every final parameter |a − b| ≤ 1e-4 · max(|b|, 1e-3), i.e. 1e-4
//     relative with an absolute floor of 1e-7; each step's loss |a − b| ≤ 1e-5 · max(|b|, 1).
//   engine f64 (CpuBackend('f64')) vs torch f64: the same comparison at 1e-9 relative (abs floor
//     1e-12): with rounding out of the way, any formula difference shows.
// Needs /usr/bin/python3 with torch (python3-torch); without it the test FAILS, it does not skip.
// ORACLE_PYTHON overrides the interpreter. Run: node --import tsx --test tests/pytorch-oracle.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { StepParams, Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { buildModel, describeParams, initParams } from '../kernels/nn/model.ts';
import { optimizerConfig } from '../kernels/optim/config.ts';
import { Rng } from '../kernels/rng.ts';
import type { LayerSpec, OptimizerSpec, TrainSpec } from '../kernels/model/types.ts';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'oracle', 'mlp_oracle.py');
const STEPS = 3;
const BATCH = 8;
const CLASSES = 5;

/** |a − b| ≤ rel · max(|b|, floor): `rel · floor` is the absolute floor. */
interface Tol { rel: number; floor: number }
const TOL_F32: Tol = { rel: 1e-4, floor: 1e-3 }; // abs floor 1e-7
const TOL_F64: Tol = { rel: 1e-9, floor: 1e-3 }; // abs floor 1e-12
const LOSS_TOL_F32: Tol = { rel: 1e-5, floor: 1 };
const LOSS_TOL_F64: Tol = { rel: 1e-10, floor: 1 };

interface Case {
  name: string;
  inputDim: number;
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  lr: number;
  clipNorm: number;
  seed: number;
}

const MLP: LayerSpec[] = [
  { kind: 'dense', units: 16, activation: 'relu' },
  { kind: 'dense', units: 12, activation: 'tanh' },
  { kind: 'dense', units: CLASSES },
];

const CASES: Case[] = [
  { name: 'mlp adam lr=1e-2', inputDim: 20, layers: MLP, optimizer: { kind: 'adam' }, lr: 1e-2, clipNorm: 0, seed: 11 },
  { name: 'mlp sgd momentum=0.9 lr=5e-2', inputDim: 20, layers: MLP, optimizer: { kind: 'sgd', momentum: 0.9 }, lr: 5e-2, clipNorm: 0, seed: 12 },
  { name: 'mlp sgd nesterov momentum=0.9 lr=5e-2', inputDim: 20, layers: MLP, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true }, lr: 5e-2, clipNorm: 0, seed: 13 },
  { name: 'mlp adamw wd=0.1 lr=1e-2', inputDim: 20, layers: MLP, optimizer: { kind: 'adamw', weightDecay: 0.1 }, lr: 1e-2, clipNorm: 0, seed: 14 },
  { name: 'mlp adam lr=1e-2 clipNorm=0.5', inputDim: 20, layers: MLP, optimizer: { kind: 'adam' }, lr: 1e-2, clipNorm: 0.5, seed: 15 },
  // As briefed: the skip adds x (no gradient) to the inner path, so this checks the residual's
  // forward and the inner dense's gradient...
  {
    name: 'residual[dense 16 tanh] sgd momentum=0.9', inputDim: 16, seed: 16, lr: 5e-2, clipNorm: 0,
    layers: [{ kind: 'residual', layers: [{ kind: 'dense', units: 16, activation: 'tanh' }] }, { kind: 'dense', units: CLASSES }],
    optimizer: { kind: 'sgd', momentum: 0.9 },
  },
  // ...and with a dense in front, the gradient of that dense's output is the sum of the skip path
  // and the inner path: this is the case that exercises gradient accumulation into one buffer.
  {
    name: 'dense 16 relu → residual[dense 16 tanh] sgd momentum=0.9', inputDim: 16, seed: 17, lr: 5e-2, clipNorm: 0,
    layers: [
      { kind: 'dense', units: 16, activation: 'relu' },
      { kind: 'residual', layers: [{ kind: 'dense', units: 16, activation: 'tanh' }] },
      { kind: 'dense', units: CLASSES },
    ],
    optimizer: { kind: 'sgd', momentum: 0.9 },
  },
];

interface CaseData {
  params: { name: string; shape: number[]; init: number[] }[];
  batches: { x: number[]; y: number[] }[];
}

/** Seeded initial parameters (the engine's own init) and STEPS different batches. */
function makeData(c: Case): CaseData {
  const info = describeParams(c.layers, [c.inputDim]);
  const init = initParams(info, c.seed);
  const rng = new Rng(c.seed * 1000 + 7);
  const batches = [];
  for (let s = 0; s < STEPS; s++) {
    const x = Array.from({ length: BATCH * c.inputDim }, () => Math.fround(rng.normal()));
    const y = Array.from({ length: BATCH }, () => rng.nextU32() % CLASSES);
    batches.push({ x, y });
  }
  return { params: info.map((p, i) => ({ name: p.name, shape: p.shape, init: Array.from(init[i]) })), batches };
}

interface RunResult {
  params: number[][]; // describeParams order, W (in, out)
  losses: number[];
}

/** Raw values of a tensor (f64 stores too: `read` would round them to f32). */
function values(t: Tensor): number[] {
  return Array.from((t.store as Float32Array | Float64Array).subarray(t.offset, t.offset + t.size));
}

/** The train program of compile.ts, with x written by the host instead of gatherBatch. */
function trainEngine(c: Case, d: CaseData, precision: 'f32' | 'f64'): RunResult {
  const be = new CpuBackend(precision);
  const info = describeParams(c.layers, [c.inputDim]);
  const shapes = info.map((p) => p.shape);
  const P = be.flat(shapes, 'params');
  const G = be.flat(shapes, 'grads');
  const spec: TrainSpec = { optimizer: c.optimizer, lr: c.lr, schedule: { kind: 'constant' }, batchSize: BATCH, epochs: 1, clipNorm: c.clipNorm };
  const opt = optimizerConfig(spec);
  const needM = opt.kind !== 'sgd' || opt.momentum > 0;
  const needV = opt.kind !== 'sgd';
  const state1 = needM ? be.flat(shapes, 'opt.m').flat : be.tensor([1], 'opt.m');
  const state2 = needV ? be.flat(shapes, 'opt.v').flat : be.tensor([1], 'opt.v');
  d.params.forEach((p, i) => be.write(P.views[i], Float32Array.from(p.init)));

  const tg = new Graph(be, true);
  const x = tg.alloc([BATCH, c.inputDim], 'x');
  const y = be.tensor([BATCH], 'y', 'u32');
  const metrics = be.tensor([4], 'train.metrics');
  const logits = buildModel(tg, c.layers, x, { values: P.views, grads: G.views });
  tg.softmaxCrossEntropy(logits, y, metrics);
  const bwd = tg.backward();
  const tail = [];
  let sq: Tensor | null = null;
  if (opt.clipNorm > 0) {
    sq = be.tensor([1], 'grad.sumsq');
    tail.push(be.sumSquares(sq, G.flat));
  }
  tail.push(be.optimizerStep(P.flat, G.flat, state1, state2, opt, sq));
  const train = be.program('train step', [...tg.forward, ...bwd, ...tail]);

  const losses: number[] = [];
  const M = metrics.store as Float32Array | Float64Array;
  for (let s = 0; s < STEPS; s++) {
    be.write(x, Float32Array.from(d.batches[s].x));
    be.write(y, Uint32Array.from(d.batches[s].y));
    M.fill(0);
    const sp: StepParams = { step: s + 1, batchStart: 0, lr: c.lr, seed: 1, rows: BATCH };
    be.run(train, sp);
    assert.equal(M[2], BATCH, 'metrics rows');
    assert.equal(M[3], 0, `non-finite loss at step ${s + 1}`);
    losses.push(M[0] / M[2]);
  }
  const out = { params: P.views.map(values), losses };
  tg.dispose();
  return out;
}

interface TorchRun { params: number[][]; losses: number[]; gradNorms: number[]; hyper: Record<string, unknown> }
interface TorchOut { torch: string; cases: Record<string, { f32: TorchRun; f64: TorchRun; f64NoClip?: TorchRun }> }

interface Cmp { maxAbs: number; worstRatio: number; where: string; a: number; b: number; allowed: number }

function compare(actual: number[][], expected: number[][], names: string[], tol: Tol): Cmp {
  const r: Cmp = { maxAbs: 0, worstRatio: -1, where: '', a: NaN, b: NaN, allowed: NaN };
  assert.equal(actual.length, expected.length, 'parameter count');
  actual.forEach((arr, p) => {
    assert.equal(arr.length, expected[p].length, `${names[p]}: size`);
    arr.forEach((a, i) => {
      const b = expected[p][i];
      const err = Math.abs(a - b);
      const allowed = tol.rel * Math.max(Math.abs(b), tol.floor);
      const ratio = Number.isNaN(err) ? Infinity : err / allowed;
      if (Number.isNaN(err) || err > r.maxAbs) r.maxAbs = Number.isNaN(err) ? NaN : err;
      if (ratio > r.worstRatio) Object.assign(r, { worstRatio: ratio, where: `${names[p]}[${i}]`, a, b, allowed });
    });
  });
  return r;
}

const fmt = (x: number) => x.toExponential(3);
const describeCmp = (r: Cmp) =>
  `max |Δ| ${fmt(r.maxAbs)}, worst ${r.where}: engine ${r.a} vs torch ${r.b} (|Δ| ${fmt(Math.abs(r.a - r.b))}, allowed ${fmt(r.allowed)}, ${r.worstRatio.toFixed(3)}× the tolerance)`;

/** Runs the torch side once (all cases, one interpreter start); throws the same error to every test. */
let oracleResult: { out: TorchOut; data: Map<string, CaseData> } | Error | null = null;
function oracle(): { out: TorchOut; data: Map<string, CaseData> } {
  if (!oracleResult) {
    try {
      oracleResult = runOracle();
    } catch (e) {
      oracleResult = e as Error;
    }
  }
  if (oracleResult instanceof Error) throw oracleResult;
  return oracleResult;
}

function runOracle(): { out: TorchOut; data: Map<string, CaseData> } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(
      `PyTorch oracle needs ${PYTHON} with torch importable (CI installs python3-torch: ` +
      `apt-get install python3-torch). \`${PYTHON} -c "import torch"\` gave: ` +
      (probe.error ? String(probe.error) : (probe.stderr || probe.stdout).trim().split('\n').slice(-1)[0]));
  const data = new Map<string, CaseData>();
  for (const c of CASES) data.set(c.name, makeData(c));
  const input = {
    cases: CASES.map((c) => ({ name: c.name, inputDim: c.inputDim, layers: c.layers, optimizer: c.optimizer, lr: c.lr, clipNorm: c.clipNorm, ...data.get(c.name)! })),
  };
  const dir = mkdtempSync(join(tmpdir(), 'pytorch-oracle-'));
  try {
    const inPath = join(dir, 'in.json'), outPath = join(dir, 'out.json');
    writeFileSync(inPath, JSON.stringify(input));
    const r = spawnSync(PYTHON, [SCRIPT, inPath, outPath], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${SCRIPT} failed (status ${r.status}${r.error ? `, ${r.error}` : ''}):\n${r.stderr}`);
    const out = JSON.parse(readFileSync(outPath, 'utf8')) as TorchOut;
    console.log(`torch ${out.torch}; tolerances: f32 params ${TOL_F32.rel} rel (abs floor ${TOL_F32.rel * TOL_F32.floor}), ` +
      `f64 params ${TOL_F64.rel} rel (abs floor ${TOL_F64.rel * TOL_F64.floor})`);
    return { out, data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('PyTorch oracle: 3 training steps, engine (CpuBackend) vs torch', () => {
  test(`torch is importable from ${PYTHON} and the oracle script runs`, () => {
    oracle();
  });

  for (const c of CASES) {
    test(c.name, () => {
      const { out, data } = oracle();
      const d = data.get(c.name)!;
      const t = out.cases[c.name];
      assert.ok(t, `no torch result for ${c.name}`);
      const names = d.params.map((p) => p.name);
      const e32 = trainEngine(c, d, 'f32');
      const e64 = trainEngine(c, d, 'f64');

      const p32 = compare(e32.params, t.f32.params, names, TOL_F32);
      const p64 = compare(e64.params, t.f64.params, names, TOL_F64);
      const l32 = compare([e32.losses], [t.f32.losses], ['loss'], LOSS_TOL_F32);
      const l64 = compare([e64.losses], [t.f64.losses], ['loss'], LOSS_TOL_F64);
      const noise = compare(t.f32.params, t.f64.params, names, TOL_F32); // torch f32 vs torch f64, for scale
      const moved = compare(d.params.map((p) => p.init), t.f64.params, names, TOL_F32); // how far 3 steps move
      console.log(`[${c.name}]\n` +
        `  losses engine f32 ${e32.losses.map((x) => x.toFixed(6)).join(' ')} | torch f32 ${t.f32.losses.map((x) => x.toFixed(6)).join(' ')}\n` +
        `  grad norms (torch f64, before clipping) ${t.f64.gradNorms.map((x) => x.toFixed(4)).join(' ')}\n` +
        `  params f32: max |Δ| ${fmt(p32.maxAbs)}, worst ${p32.worstRatio.toFixed(3)}× tol at ${p32.where} | ` +
        `f64: max |Δ| ${fmt(p64.maxAbs)}, worst ${p64.worstRatio.toFixed(3)}× tol at ${p64.where}\n` +
        `  losses max |Δ| f32 ${fmt(l32.maxAbs)}, f64 ${fmt(l64.maxAbs)} | torch f32 vs f64 params ${fmt(noise.maxAbs)} | ` +
        `3 steps moved params by up to ${fmt(moved.maxAbs)}`);

      assert.ok(moved.maxAbs > 1e-3, `training did not move the parameters (max ${moved.maxAbs})`);
      assert.ok(l32.worstRatio <= 1, `f32 losses differ: engine ${e32.losses} vs torch ${t.f32.losses}; ${describeCmp(l32)}`);
      assert.ok(l64.worstRatio <= 1, `f64 losses differ: engine ${e64.losses} vs torch ${t.f64.losses}; ${describeCmp(l64)}`);
      assert.ok(p32.worstRatio <= 1, `f32 final parameters differ from torch: ${describeCmp(p32)}`);
      assert.ok(p64.worstRatio <= 1, `f64 final parameters differ from torch: ${describeCmp(p64)}`);

      if (c.clipNorm > 0) {
        // The clip must be active and matter: every step's norm is above clipNorm, and the unclipped
        // run ends farther from the clipped one than the tolerance.
        for (const [s, n] of t.f64.gradNorms.entries())
          assert.ok(n > c.clipNorm, `step ${s + 1}: grad norm ${n} ≤ clipNorm ${c.clipNorm}, clipping not exercised`);
        const off = compare(t.f64NoClip!.params, t.f64.params, names, TOL_F32);
        console.log(`  torch without clipping would differ by up to ${fmt(off.maxAbs)} (${off.worstRatio.toFixed(1)}× the f32 tolerance)`);
        assert.ok(off.worstRatio > 10, `clipping changes torch's result by only ${describeCmp(off)}`);
      }
      if (c.optimizer.kind !== 'sgd') {
        // torch's defaults, which the engine's optimizerConfig claims to copy.
        const cfg = optimizerConfig({ optimizer: c.optimizer, lr: c.lr, schedule: { kind: 'constant' }, batchSize: BATCH, epochs: 1 });
        assert.deepEqual(t.f64.hyper.betas, [cfg.beta1, cfg.beta2], 'betas');
        assert.equal(t.f64.hyper.eps, cfg.eps, 'eps');
        assert.equal(t.f64.hyper.weight_decay, cfg.weightDecay, 'weight_decay');
      }
    });
  }
});
