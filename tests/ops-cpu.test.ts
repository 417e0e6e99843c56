// CPU reference checks: every backward kernel against central finite differences in f64, every
// op of the Backend interface exercised by the shared case table, and a few hand-computed values
// that anchor the CPU reference itself. Run: node --import tsx --test tests/ops-cpu.test.ts
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend, Kernel, OptimizerConfig, StepParams, Tensor, UnaryOp } from '../kernels/backend.ts';
import { BINARY_OPS, UNARY_OPS } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { Rng } from '../kernels/rng.ts';
import { describeGrad, FD_TOL, gradcheck } from '../kernels/testing/gradcheck.ts';
import { instantiate, readValues, release, runCase } from '../kernels/testing/harness.ts';
import { BACKEND_OPS, caseByName, OP_CASES } from '../kernels/testing/op-specs.ts';

const P: StepParams = { step: 1, batchStart: 0, lr: 0.1, seed: 1, rows: 1 << 20 };

describe('finite differences (CpuBackend f64, eps 1e-6)', () => {
  for (const c of OP_CASES.filter((x) => x.grad)) {
    test(c.name, () => {
      const r = gradcheck(c);
      const tol = c.gradTol ?? FD_TOL;
      assert.ok(r.checked > 0, 'no elements checked');
      assert.equal(r.failures.length, 0,
        `${r.failures.length}/${r.checked} gradient elements off (tol abs ${tol.abs}, rel ${tol.rel}); first: ` +
        r.failures.slice(0, 3).map(describeGrad).join('; '));
    });
  }
});

test('gradcheck catches a wrong backward (sigmoid grad 1% off, dropout mask ignored)', () => {
  class Broken extends CpuBackend {
    override unaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha?: number): Kernel {
      const k = super.unaryBackward(op, dx, dy, x, y, alpha) as Kernel & { exec(p: StepParams): void };
      return { label: k.label, exec: (p: StepParams) => {
        k.exec(p);
        const s = dx.store as Float64Array;
        for (let i = 0; i < dx.size; i++) s[dx.offset + i] *= 1.01;
      } } as Kernel;
    }
    override dropoutBackward(dx: Tensor, dy: Tensor, rate: number): Kernel {
      return this.unary('identity', dx, dy, rate);
    }
  }
  const sig = gradcheck(caseByName('unary sigmoid 7x33'), FD_TOL, new Broken('f64'));
  assert.ok(sig.failures.length > 0, `a 1% error in sigmoid's backward went unnoticed (worst ${JSON.stringify(sig.worst)})`);
  const drop = gradcheck(caseByName('dropout 1000 rate=0.5 salt=3'), FD_TOL, new Broken('f64'));
  assert.ok(drop.failures.length > 0, 'a dropout backward without the mask went unnoticed');
});

test('gradcheck catches an attention backward that ignores the dropout mask or the causal mask', () => {
  class Broken extends CpuBackend {
    override attentionBackward(dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[] {
      return dropout ? super.attentionBackward(dqkv, dout, out, lse, qkv, heads, causal) : super.attentionBackward(dqkv, dout, out, lse, qkv, heads, false);
    }
  }
  const drop = gradcheck(caseByName('attention B=2 T=7 heads=3 dh=3 causal dropout=0.3'), FD_TOL, new Broken('f64'));
  assert.ok(drop.failures.length > 0, 'an attention backward without the dropout mask went unnoticed');
  const causal = gradcheck(caseByName('attention B=2 T=7 heads=2 dh=8 causal'), FD_TOL, new Broken('f64'));
  assert.ok(causal.failures.length > 0, 'an attention backward without the causal mask went unnoticed');
});

describe('case checks on CpuBackend f32', () => {
  for (const c of OP_CASES.filter((x) => x.check)) {
    test(c.name, async () => {
      const be = new CpuBackend('f32');
      const inst = instantiate(be, c);
      runCase(inst);
      const errs = c.check!(await readValues(inst));
      release(inst);
      assert.deepEqual(errs, []);
    });
  }
});

test('the case table exercises every op of the Backend interface and every variant', () => {
  const calls: string[] = [];
  const be = new CpuBackend('f32');
  const spy = new Proxy(be, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== 'function' || !(BACKEND_OPS as readonly string[]).includes(String(prop))) return v;
      return (...args: unknown[]) => {
        const a0 = args[0];
        let tag = String(prop);
        if (prop === 'unary' || prop === 'unaryBackward' || prop === 'binary' || prop === 'binaryBackward' || prop === 'reduce' || prop === 'reduceBackward') tag += ` ${String(a0)}`;
        if (prop === 'reduce') tag += ` axis ${String(args[3])}`;
        if (prop === 'recurrentStep' || prop === 'recurrentStepBackward') tag += ` ${String(a0)}`;
        if (prop === 'recurrentStepBackward') calls.push(`recurrentStepBackward ${args[2] ? 'sequence' : 'last state'}`);
        if (prop === 'matmul') {
          const o = (args[3] ?? {}) as { transA?: boolean; transB?: boolean; act?: string; bias?: Tensor; accumulate?: boolean; batch?: number; gradAct?: { act: string }; onesRow?: boolean };
          calls.push(`matmul ${o.transA ? 'T' : 'N'}${o.transB ? 'T' : 'N'}`, `matmul act ${o.act ?? 'none'}`);
          if (o.gradAct) calls.push(`matmul gradAct ${o.gradAct.act}`);
          if (o.onesRow) calls.push(`matmul onesRow${o.accumulate ? ' accumulate' : ''}`);
          if (o.bias) calls.push('matmul bias');
          if (o.accumulate) calls.push('matmul accumulate');
          if ((o.batch ?? 1) > 1) calls.push('matmul batch');
        }
        if (prop === 'optimizerStep') {
          const cfg = args[4] as OptimizerConfig;
          calls.push(`optimizer ${cfg.kind}${cfg.momentum ? ' momentum' : ''}${cfg.nesterov ? ' nesterov' : ''}${args[5] ? ' clip' : ''}`);
        }
        if (prop === 'sumRows' && args[2]) calls.push('sumRows accumulate');
        calls.push(String(prop), tag);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Backend;
  for (const c of OP_CASES) release(instantiate(spy, c));
  const want = [
    ...BACKEND_OPS,
    ...UNARY_OPS.flatMap((op) => [`unary ${op}`, `unaryBackward ${op}`]),
    ...BINARY_OPS.flatMap((op) => [`binary ${op}`, `binaryBackward ${op}`]),
    ...['sum', 'mean', 'max'].flatMap((op) => [0, 1, -1].map((ax) => `reduce ${op} axis ${ax}`)),
    ...['sum', 'mean', 'max'].map((op) => `reduceBackward ${op}`),
    'matmul NN', 'matmul NT', 'matmul TN', 'matmul TT', 'matmul bias', 'matmul accumulate', 'matmul batch',
    ...['none', 'relu', 'leaky_relu', 'tanh', 'sigmoid'].map((a) => `matmul act ${a}`),
    ...['relu', 'leaky_relu', 'tanh', 'sigmoid'].map((a) => `matmul gradAct ${a}`), 'matmul onesRow', 'matmul onesRow accumulate',
    'sumRows accumulate',
    ...['lstm', 'gru', 'rnn'].flatMap((c) => [`recurrentStep ${c}`, `recurrentStepBackward ${c}`]),
    'recurrentStepBackward sequence', 'recurrentStepBackward last state',
    ...['sgd', 'sgd momentum', 'sgd momentum nesterov', 'adam', 'adamw'].flatMap((k) => [`optimizer ${k}`, `optimizer ${k} clip`]),
  ];
  const missing = want.filter((w) => !calls.includes(w));
  assert.deepEqual(missing, [], `variants no case exercises: ${missing.join(', ')}`);
});

// ---- hand-computed values ----
function f64(t: Tensor): number[] {
  return [...(t.store as Float64Array).subarray(t.offset, t.offset + t.size)];
}
function near(got: number[], want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}[${i}] = ${got[i]}, want ${want[i]} (|err| ${Math.abs(got[i] - want[i])} > ${tol})`);
}
function tens(be: CpuBackend, shape: number[], data: number[], name = 't'): Tensor {
  const t = be.tensor(shape, name);
  be.write(t, Float32Array.from(data));
  return t;
}

describe('known values (CpuBackend f64)', () => {
  test('2x2 matmul: plain, transposed, bias + relu, accumulate', () => {
    const be = new CpuBackend('f64');
    const a = tens(be, [2, 2], [1, 2, 3, 4]), b = tens(be, [2, 2], [5, 6, 7, 8]), bias = tens(be, [2], [1, -100]);
    const c = be.tensor([2, 2], 'c');
    be.run(be.program('mm', [be.matmul(c, a, b)]), P);
    near(f64(c), [19, 22, 43, 50], 0, 'A·B');
    be.run(be.program('mm', [be.matmul(c, a, b, { transA: true })]), P);
    near(f64(c), [26, 30, 38, 44], 0, 'Aᵀ·B');
    be.run(be.program('mm', [be.matmul(c, a, b, { transB: true })]), P);
    near(f64(c), [17, 23, 39, 53], 0, 'A·Bᵀ');
    be.run(be.program('mm', [be.matmul(c, a, b, { bias, act: 'relu' })]), P);
    near(f64(c), [20, 0, 44, 0], 0, 'relu(A·B + bias)');
    be.run(be.program('mm', [be.matmul(c, a, b, { accumulate: true })]), P);
    near(f64(c), [39, 22, 87, 50], 0, 'c += A·B');
  });

  test('softmax cross-entropy of a known row', () => {
    const be = new CpuBackend('f64');
    const logits = tens(be, [2, 3], [1, 2, 3, 0, 0, 0]);
    const labels = be.tensor([2], 'labels', 'u32');
    be.write(labels, Uint32Array.from([2, 0]));
    const dl = be.tensor([2, 3], 'dl'), met = be.tensor([4], 'met');
    be.run(be.program('ce', [be.softmaxCrossEntropy(dl, logits, labels, met)]), { ...P, rows: 1 });
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    // loss = log Σ e^l − l_label = log(1 + e^-1 + e^-2); row 2 is past rows and ignored.
    near(f64(met), [Math.log(1 + Math.exp(-1) + Math.exp(-2)), 1, 1, 0], 1e-12, 'metrics');
    near(f64(dl), [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z - 1, 0, 0, 0], 1e-12, 'dlogits');
    assert.ok(Math.abs(Math.log(1 + Math.exp(-1) + Math.exp(-2)) - 0.40760596444438) < 1e-12);
  });

  test('mse of a known pair', () => {
    const be = new CpuBackend('f64');
    const pred = tens(be, [1, 2], [1, 2]), target = tens(be, [1, 2], [0, 0]);
    const dp = be.tensor([1, 2], 'dp'), met = be.tensor([4], 'met');
    be.run(be.program('mse', [be.mse(dp, pred, target, met)]), P);
    near(f64(met), [2.5, 0, 1, 0], 1e-12, 'metrics'); // (1² + 2²)/2
    near(f64(dp), [1, 2], 1e-12, 'dpred'); // 2e/(rows·D)
  });

  const base: OptimizerConfig = { kind: 'sgd', momentum: 0, nesterov: false, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, clipNorm: 0 };
  function steps(cfg: OptimizerConfig, w0: number[], g0: number[], n: number, lr = 0.1, sqOn = false): number[] {
    const be = new CpuBackend('f64');
    const w = tens(be, [w0.length], w0), g = tens(be, [g0.length], g0);
    const m = be.tensor([w0.length], 'm'), v = be.tensor([w0.length], 'v'), sq = be.tensor([1], 'sq');
    const p = be.program('opt', [...(sqOn ? [be.sumSquares(sq, g)] : []), be.optimizerStep(w, g, m, v, cfg, sqOn ? sq : null)]);
    for (let s = 1; s <= n; s++) be.run(p, { ...P, lr, step: s });
    return f64(w);
  }

  test('adam: two steps of a scalar with a constant gradient', () => {
    // m̂ = g and v̂ = g² exactly at every step, so each step moves w by lr·g/(|g| + eps).
    near(steps({ ...base, kind: 'adam' }, [1], [0.5], 1), [1 - 0.1 * 0.5 / (0.5 + 1e-8)], 1e-12, 'w after 1 step');
    near(steps({ ...base, kind: 'adam' }, [1], [0.5], 2), [1 - 0.2 * 0.5 / (0.5 + 1e-8)], 1e-12, 'w after 2 steps');
  });

  test('adamw decays the weight outside the moments; adam adds L2 to the gradient', () => {
    near(steps({ ...base, kind: 'adamw', weightDecay: 0.1 }, [1], [0], 1), [0.99], 1e-12, 'adamw with g = 0');
    // adam: g = 0 + 0.1·1 = 0.1 → one step moves w by lr·g/(|g|+eps).
    near(steps({ ...base, kind: 'adam', weightDecay: 0.1 }, [1], [0], 1), [1 - 0.1 * 0.1 / (0.1 + 1e-8)], 1e-12, 'adam with g = 0');
  });

  test('sgd, momentum and nesterov by hand', () => {
    near(steps(base, [1], [0.5], 2), [0.9], 1e-12, 'sgd');
    near(steps({ ...base, momentum: 0.9 }, [1], [0.5], 2), [0.855], 1e-12, 'momentum'); // buf 0.5, then 0.95
    near(steps({ ...base, momentum: 0.9, nesterov: true }, [1], [0.5], 2), [0.7695], 1e-12, 'nesterov'); // g + 0.9·buf
  });

  test('global-norm clipping scales the gradient to clipNorm', () => {
    near(steps({ ...base, clipNorm: 1 }, [0, 0], [3, 4], 1, 1, true), [-3 / (5 + 1e-6), -4 / (5 + 1e-6)], 1e-12, 'clipped');
    near(steps({ ...base, clipNorm: 10 }, [0, 0], [3, 4], 1, 1, true), [-3, -4], 1e-12, 'under the norm: unclipped');
  });

  test('gatherBatch unpacks little-endian bytes and clamps the index', () => {
    const be = new CpuBackend('f64');
    const images = be.tensor([2], 'im', 'u32'), labels = be.tensor([2], 'lb', 'u32'), idx = be.tensor([2], 'ix', 'u32');
    be.write(images, Uint32Array.from([0x03020100, 0xff060504]));
    be.write(labels, Uint32Array.from([7, 9]));
    be.write(idx, Uint32Array.from([1, 0]));
    const x = be.tensor([3, 4], 'x'), y = be.tensor([3], 'y', 'u32');
    be.run(be.program('g', [be.gatherBatch(x, y, images, labels, idx, 4)]), { ...P, batchStart: 0 });
    near(f64(x), [4, 5, 6, 255, 0, 1, 2, 3, 0, 1, 2, 3].map((b) => b / 255), 1e-15, 'x');
    assert.deepEqual([...(y.store as Uint32Array)], [9, 7, 7]);
  });

  test('reduce max sends the gradient to the first maximal element', () => {
    const be = new CpuBackend('f64');
    const x = tens(be, [2, 3], [1, 5, 5, 2, -1, 0]), y = be.tensor([2], 'y'), dy = tens(be, [2], [10, 20]), dx = be.tensor([2, 3], 'dx');
    be.run(be.program('r', [be.reduce('max', y, x, 1), be.reduceBackward('max', dx, dy, x, y, 1)]), P);
    near(f64(y), [5, 2], 0, 'max');
    near(f64(dx), [0, 10, 0, 20, 0, 0], 0, 'dx');
  });

  test('attention equals softmax(q·kᵀ/√dh + mask)·v composed from matmul, exp, sum and div', () => {
    // Per (b, h): Sᵀ (keys, queries) = k·qᵀ/√dh + mask, Pᵀ = exp(Sᵀ) / Σ_keys, out = (Pᵀ)ᵀ·v, lse = log Σ_keys exp(Sᵀ).
    const B = 2, T = 5, heads = 2, dh = 3, D = heads * dh;
    const rng = new Rng(7);
    const data = Array.from({ length: B * T * 3 * D }, () => rng.normal());
    for (const causal of [false, true]) {
      const be = new CpuBackend('f64');
      const qkv = tens(be, [B, T, 3 * D], data, 'qkv');
      const out = be.tensor([B, T, D], 'out'), lse = be.tensor([B, heads, T], 'lse');
      be.run(be.program('attn', [be.attention(out, lse, qkv, heads, causal)]), P);
      const scale = be.tensor([1], 'scale');
      (scale.store as Float64Array)[0] = 1 / Math.sqrt(dh); // in f64: write() would round it to f32
      const mask = tens(be, [T, T], Array.from({ length: T * T }, (_, e) => (causal && Math.floor(e / T) > e % T ? -1e30 : 0)), 'mask');
      for (let b = 0; b < B; b++)
        for (let h = 0; h < heads; h++) {
          const block = (part: number) => tens(be, [T, dh], Array.from({ length: T * dh }, (_, e) =>
            data[(b * T + Math.floor(e / dh)) * 3 * D + part * D + h * dh + (e % dh)]), `qkv${part}`);
          const q = block(0), k = block(1), v = block(2);
          const st = be.tensor([T, T], 'st'), e = be.tensor([T, T], 'e'), z = be.tensor([T], 'z'), pt = be.tensor([T, T], 'pt'), o = be.tensor([T, dh], 'o');
          be.run(be.program('naive', [
            be.matmul(st, k, q, { transB: true }), be.binary('mul', st, st, scale), be.binary('add', st, st, mask),
            be.unary('exp', e, st), be.reduce('sum', z, e, 0), be.binary('div', pt, e, z), be.matmul(o, pt, v, { transA: true }),
          ]), P);
          const got = f64(out).filter((_, idx) => Math.floor(idx / D) >= b * T && Math.floor(idx / D) < (b + 1) * T && Math.floor((idx % D) / dh) === h);
          near(got, f64(o), 1e-12, `out (b ${b}, h ${h}${causal ? ', causal' : ''})`);
          near(f64(lse).slice((b * heads + h) * T, (b * heads + h + 1) * T), f64(z).map(Math.log), 1e-12, `lse (b ${b}, h ${h})`);
        }
    }
  });

  test('gelu and sigmoid at known points', () => {
    const be = new CpuBackend('f64');
    const x = tens(be, [3], [-1, 0, 1]), y = be.tensor([3], 'y');
    be.run(be.program('u', [be.unary('gelu', y, x)]), P);
    near(f64(y), [-0.15865525393145707, 0, 0.8413447460685429], 2e-7, 'gelu (erf fit 1.2e-7)');
    be.run(be.program('u', [be.unary('sigmoid', y, x)]), P);
    near(f64(y), [1 / (1 + Math.E), 0.5, 1 / (1 + 1 / Math.E)], 1e-15, 'sigmoid');
  });
});
