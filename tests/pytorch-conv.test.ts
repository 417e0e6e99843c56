// PyTorch oracle for the convolutional ops: conv2d forward and its input, weight and bias
// gradients, max_pool2d, avg_pool2d and batch_norm (training mode: output, gradients, and the
// running stats after the step; then evaluation with those stats), each on the CpuBackend against
// torch (tests/oracle/conv_oracle.py) in float64. Data goes to torch and back through JSON files.
// NHWC here, NCHW in torch: the script permutes activations, and conv weights (KH, KW, C, F) to
// torch's (F, C, KH, KW); asymmetric 'same' padding becomes an explicit F.pad.
//
// Checks, per output element:
//   engine f32 vs torch f64: |a − b| ≤ 1e-4 · max(|b|, 0.01 · max|ref|), i.e. 1e-4 relative with a
//     floor for elements that are sums cancelling to near zero;
//   engine f64 (CpuBackend('f64')) vs torch f64: the same at 1e-9 relative.
// Needs /usr/bin/python3 with torch; without it the test FAILS. Run:
//   node --import tsx --test tests/pytorch-conv.test.ts
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { convGeom, type Conv2dGeom, type Kernel, type Padding, type PoolOp, type StepParams, type Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { Rng } from '../kernels/rng.ts';

const PYTHON = process.env.ORACLE_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'oracle', 'conv_oracle.py');
const P: StepParams = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: 1 << 20 };

type Json = Record<string, unknown>;
interface Case {
  name: string;
  /** Sent to torch. */
  input: Json;
  /** Runs the engine on a backend; returns the outputs to compare, by the names torch uses. */
  engine(be: CpuBackend): Record<string, number[]>;
}

// Inputs are rounded to f32 before torch sees them: both sides start from the same numbers.
const rand = (rng: Rng, n: number, scale = 1) => Array.from({ length: n }, () => Math.fround(rng.normal() * scale));
const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function tensor(be: CpuBackend, shape: number[], data: number[] | null, name: string): Tensor {
  const t = be.tensor(shape, name);
  if (data) be.write(t, Float32Array.from(data));
  return t;
}
/** The store as numbers (f64 stores unrounded). */
const values = (t: Tensor) => [...(t.store as Float32Array | Float64Array).subarray(t.offset, t.offset + t.size)];
const runAll = (be: CpuBackend, ks: Kernel[]) => be.run(be.program('oracle', ks), P);

function convCase(name: string, N: number, H: number, W: number, C: number, F: number, k: [number, number], stride: number, pad: Padding, dil: number, relu: boolean, seed: number): Case {
  const g: Conv2dGeom = convGeom([N, H, W, C], k, F, stride, pad, dil);
  const rng = new Rng(seed);
  const xs = [N, H, W, C], ws = [k[0], k[1], C, F], ys = [N, g.OH, g.OW, F];
  const x = rand(rng, prod(xs)), w = rand(rng, prod(ws), 0.5), b = rand(rng, F), dy = rand(rng, prod(ys));
  const ekh = (k[0] - 1) * dil + 1, ekw = (k[1] - 1) * dil + 1;
  const bottom = (g.OH - 1) * stride + ekh - H - g.ph, right = (g.OW - 1) * stride + ekw - W - g.pw;
  return {
    name,
    input: { kind: 'conv2d', x, xShape: xs, w, wShape: ws, b, dy, yShape: ys, stride, dilation: dil, act: relu ? 'relu' : 'none', pads: [g.pw, right, g.ph, bottom] },
    engine(be) {
      const tx = tensor(be, xs, x, 'x'), tw = tensor(be, ws, w, 'w'), tb = tensor(be, [F], b, 'b'), tdy = tensor(be, ys, dy, 'dy');
      const ty = tensor(be, ys, null, 'y'), tdz = tensor(be, ys, null, 'dz');
      const tdx = tensor(be, xs, null, 'dx'), tdw = tensor(be, ws, null, 'dw'), tdb = tensor(be, [F], null, 'db');
      const dz = relu ? tdz : tdy;
      runAll(be, [
        be.conv2d(ty, tx, tw, g, { bias: tb, act: relu ? 'relu' : 'none' }),
        ...(relu ? [be.unaryBackward('relu', tdz, tdy, ty, ty)] : []),
        be.conv2dBackwardInput(tdx, dz, tw, g),
        be.conv2dBackwardWeight(tdw, tx, dz, g),
        be.sumRows(tdb, { ...dz, shape: [N * g.OH * g.OW, F] }),
      ]);
      return { y: values(ty), dx: values(tdx), dw: values(tdw), db: values(tdb) };
    },
  };
}

function poolCase(op: PoolOp, N: number, H: number, W: number, C: number, size: number, stride: number, pad: number, seed: number): Case {
  const g = convGeom([N, H, W, C], [size, size], C, stride, pad, 1);
  const rng = new Rng(seed);
  const xs = [N, H, W, C], ys = [N, g.OH, g.OW, C];
  // A shuffled grid of distinct values: no ties, so the max's gradient has one home.
  const x = [...rng.permutation(prod(xs))].map((v) => Math.fround((v - prod(xs) / 2) * 0.01));
  const dy = rand(rng, prod(ys));
  return {
    name: `${op}_pool2d ${xs.join('x')} size ${size} stride ${stride} padding ${pad}`,
    input: { kind: 'pool2d', op, x, xShape: xs, dy, yShape: ys, size, stride, padding: pad },
    engine(be) {
      const tx = tensor(be, xs, x, 'x'), tdy = tensor(be, ys, dy, 'dy'), ty = tensor(be, ys, null, 'y'), tdx = tensor(be, xs, null, 'dx');
      const am = op === 'max' ? be.tensor(ys, 'argmax', 'u32') : null;
      runAll(be, [be.pool2d(op, ty, tx, am, g), be.pool2dBackward(op, tdx, tdy, am, g)]);
      return { y: values(ty), dx: values(tdx) };
    },
  };
}

function bnCase(shape: number[], momentum: number, seed: number): Case {
  const C = shape[shape.length - 1];
  const rng = new Rng(seed);
  const eps = 1e-5;
  const x = rand(rng, prod(shape), 2).map((v, i) => Math.fround(v + (i % C))); // per-channel offsets
  const gamma = rand(rng, C).map((v) => Math.fround(1 + 0.3 * v)), beta = rand(rng, C), dy = rand(rng, prod(shape));
  const rm = rand(rng, C, 0.5), rv = rand(rng, C).map((v) => Math.fround(1 + 0.25 * Math.abs(v)));
  return {
    name: `batch_norm ${shape.join('x')} momentum ${momentum} (train step, then eval)`,
    input: { kind: 'batchnorm', x, xShape: shape, gamma, beta, dy, rm, rv, eps, momentum },
    engine(be) {
      const t = (d: number[] | null, s: number[], n: string) => tensor(be, s, d, n);
      const tx = t(x, shape, 'x'), tg = t(gamma, [C], 'gamma'), tb = t(beta, [C], 'beta'), tdy = t(dy, shape, 'dy');
      const trm = t(rm, [C], 'rm'), trv = t(rv, [C], 'rv');
      const ty = t(null, shape, 'y'), tm = t(null, [C], 'mean'), ti = t(null, [C], 'invstd');
      const tdx = t(null, shape, 'dx'), tdg = t(null, [C], 'dgamma'), tdb = t(null, [C], 'dbeta'), tye = t(null, shape, 'yEval');
      runAll(be, [
        be.batchnormStats(tm, ti, tx, trm, trv, eps, momentum),
        be.batchnormApply(ty, tx, tm, ti, tg, tb, eps, false),
        ...be.batchnormBackward(tdx, tdg, tdb, tdy, tx, tm, ti, tg),
        be.batchnormApply(tye, tx, trm, trv, tg, tb, eps, true),
      ]);
      return { y: values(ty), dx: values(tdx), dgamma: values(tdg), dbeta: values(tdb), rm: values(trm), rv: values(trv), yEval: values(tye) };
    },
  };
}

const CASES: Case[] = [
  convCase('conv2d 2x7x9x3 → 5, 3x3, stride 1, same, relu', 2, 7, 9, 3, 5, [3, 3], 1, 'same', 1, true, 1),
  convCase('conv2d 2x8x7x2 → 3, 3x3, stride 2, same (asymmetric pad)', 2, 8, 7, 2, 3, [3, 3], 2, 'same', 1, false, 2),
  convCase('conv2d 1x9x10x2 → 4, 3x3, dilation 2, valid, relu', 1, 9, 10, 2, 4, [3, 3], 1, 'valid', 2, true, 3),
  convCase('conv2d 2x7x6x3 → 2, 2x3, stride 2, padding 1', 2, 7, 6, 3, 2, [2, 3], 2, 1, 1, false, 4),
  convCase('conv2d 1x11x10x1 → 6, 5x5, stride 3, padding 2, dilation 2', 1, 11, 10, 1, 6, [5, 5], 3, 2, 2, false, 5),
  convCase('conv2d 3x12x12x4 → 8, 5x5, valid, relu (LeNet-like)', 3, 12, 12, 4, 8, [5, 5], 1, 'valid', 1, true, 6),
  convCase('conv2d 2x5x5x4 → 3, 1x1, stride 2', 2, 5, 5, 4, 3, [1, 1], 2, 'valid', 1, false, 7),
  poolCase('max', 2, 7, 6, 3, 2, 2, 0, 11),
  poolCase('max', 2, 8, 8, 2, 3, 2, 1, 12),
  poolCase('max', 1, 9, 7, 3, 3, 1, 1, 13),
  poolCase('avg', 2, 6, 7, 3, 2, 2, 0, 14),
  poolCase('avg', 2, 8, 7, 2, 3, 2, 1, 15),
  poolCase('avg', 1, 7, 9, 2, 3, 3, 0, 16),
  bnCase([2, 5, 3, 4], 0.1, 21),
  bnCase([3, 4, 4, 3], 0.3, 22),
  bnCase([9, 5], 0.1, 23),
];

function compare(name: string, got: number[], want: number[], rel: number): string[] {
  if (got.length !== want.length) return [`${name}: ${got.length} values, torch has ${want.length}`];
  const maxRef = Math.max(...want.map(Math.abs));
  const errs: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const allowed = rel * Math.max(Math.abs(want[i]), 0.01 * maxRef);
    if (!(Math.abs(got[i] - want[i]) <= allowed)) errs.push(`${name}[${i}] = ${got[i]}, torch ${want[i]} (|diff| ${Math.abs(got[i] - want[i]).toExponential(2)} > ${allowed.toExponential(2)})`);
  }
  return errs;
}

test('conv2d, pooling and batch norm match PyTorch (forward, every gradient, running stats)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'conv-oracle-'));
  try {
    const inFile = join(dir, 'in.json'), outFile = join(dir, 'out.json');
    writeFileSync(inFile, JSON.stringify(CASES.map((c) => c.input)));
    const r = spawnSync(PYTHON, [SCRIPT, inFile, outFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${PYTHON} ${SCRIPT} failed (is python3-torch installed?):\n${r.stderr}${r.error ?? ''}`);
    const torch = JSON.parse(readFileSync(outFile, 'utf8')) as Record<string, number[]>[];
    const failures: string[] = [];
    CASES.forEach((c, i) => {
      for (const [precision, rel] of [['f32', 1e-4], ['f64', 1e-9]] as const) {
        const got = c.engine(new CpuBackend(precision));
        const names = Object.keys(torch[i]);
        assert.deepEqual(Object.keys(got).sort(), names.sort(), `${c.name}: outputs`);
        for (const n of names) failures.push(...compare(n, got[n], torch[i][n], rel).slice(0, 2).map((e) => `${c.name} (${precision}): ${e}`));
      }
    });
    assert.deepEqual(failures, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
