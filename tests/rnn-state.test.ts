// Initial states of the recurrent layers (LSTM / GRU / RNN): learnInitialState on the CpuBackend.
// - A learned (H) state is broadcast over the batch: its gradient is the batch sum of the per-sample
//   dh0 (dc0) that Graph.recurrent gives when the same state is passed explicitly as (B, H).
// - A learned state of zeros is exactly the layer without one; a nonzero one changes the output.
// - Spec: validation, parameter counts (inferShapes = describeParams), the CharStepper starting
//   from the learned state. Torch agreement of all of this is in tests/pytorch-rnn.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CellKind, Tensor } from '../kernels/backend.ts';
import { Graph } from '../kernels/autodiff/graph.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { CHAR_ALPHABET } from '../kernels/data/tasks.ts';
import { buildModel, describeParams, initParams } from '../kernels/nn/model.ts';
import { Rng } from '../kernels/rng.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { datasetInfo, inferShapes, resolveLayers } from '../kernels/model/shapes.ts';
import type { LayerSpec } from '../kernels/model/types.ts';
import { validateSpec } from '../kernels/model/validate.ts';
import { CharStepper } from '../kernels/train/sample.ts';
import { values } from './lib/oracle.ts';

const B = 4, T = 6, I = 3, H = 5;
const RUN = { step: 1, batchStart: 0, lr: 0, seed: 0, rows: B };

interface Setup { layers: LayerSpec[]; params: Float32Array[]; x: Float32Array; dout: Float32Array }

function setup(cell: CellKind, layers: number, learn: boolean, seed: number): Setup {
  const spec: LayerSpec[] = [{ kind: cell, hidden: H, layers, returnSequences: true, learnInitialState: learn }];
  const info = describeParams(spec, [T, I]);
  const params = initParams(info, seed);
  const rng = new Rng(seed);
  info.forEach((p, i) => { if (/\.(h0|c0)$/.test(p.name)) params[i] = Float32Array.from(params[i], () => rng.normal()); });
  const x = Float32Array.from({ length: B * T * I }, () => rng.normal());
  const dout = Float32Array.from({ length: B * T * H }, () => rng.normal());
  return { layers: spec, params, x, dout };
}

/** buildModel forward + backward on CpuBackend('f64'): y, and the gradient of every parameter. */
function runModel(s: Setup): { y: number[]; grads: number[][] } {
  const be = new CpuBackend('f64');
  const info = describeParams(s.layers, [T, I]);
  const P = be.flat(info.map((p) => p.shape), 'params'), G = be.flat(info.map((p) => p.shape), 'grads');
  s.params.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  const x = g.alloc([B, T, I], 'x');
  be.write(x, s.x);
  const y = buildModel(g, s.layers, x, { values: P.views, grads: G.views });
  be.write(g.seed(y), s.dout);
  be.run(be.program('fb', [...g.forward, ...g.backward()]), RUN);
  return { y: values(y), grads: G.views.map(values) };
}

/** The same stack through Graph.recurrent with the learned states expanded to explicit (B, H) inputs. */
function runExplicit(s: Setup, cell: CellKind, layers: number): { y: number[]; dstate: Record<string, number[][]> } {
  const be = new CpuBackend('f64');
  const per = cell === 'lstm' ? 6 : 5;
  const g = new Graph(be, true);
  const x = g.alloc([B, T, I], 'x');
  be.write(x, s.x);
  const dstate: Record<string, Tensor[]> = { h0: [], c0: [] };
  let h = x;
  for (let k = 0; k < layers; k++) {
    const p = s.params.slice(per * k, per * (k + 1)).map((v, i) => {
      const t = be.tensor([v.length], `p${i}`);
      be.write(t, v);
      return t;
    });
    const init: { h0?: Tensor; c0?: Tensor } = {};
    (cell === 'lstm' ? ['h0', 'c0'] as const : ['h0'] as const).forEach((n, i) => {
      const v = s.params[per * k + 4 + i];
      const t = g.alloc([B, H], n), dt = be.tensor([B, H], `d${n}`);
      be.write(t, Float32Array.from({ length: B * H }, (_, e) => v[e % H]));
      g.param(t, dt);
      init[n] = t;
      dstate[n].push(dt);
    });
    const [Wih, Whh, bih, bhh] = p;
    h = g.recurrent(cell, h, { ...Wih, shape: [k ? H : I, Wih.size / (k ? H : I)] }, bih, { ...Whh, shape: [H, Whh.size / H] }, bhh, true, `l${k}`, init);
  }
  be.write(g.seed(h), s.dout);
  be.run(be.program('fb', [...g.forward, ...g.backward()]), RUN);
  return { y: values(h), dstate: { h0: dstate.h0.map(values), c0: dstate.c0.map(values) } };
}

const close = (a: number[], b: number[], tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  const scale = Math.max(1, ...b.map(Math.abs));
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol * scale, `${what}[${i}]: ${v} vs ${b[i]}`));
};

describe('learned initial state', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    for (const layers of [1, 2]) {
      test(`${cell} ×${layers}: gradient of the learned state = Σ over the batch of dh0${cell === 'lstm' ? ' / dc0' : ''}`, () => {
        const s = setup(cell, layers, true, 3 + layers);
        const m = runModel(s), e = runExplicit(s, cell, layers);
        close(m.y, e.y, 1e-12, 'y');
        const names = describeParams(s.layers, [T, I]).map((p) => p.name);
        for (const n of cell === 'lstm' ? ['h0', 'c0'] : ['h0']) {
          for (let k = 0; k < layers; k++) {
            const per = e.dstate[n][k];
            const sum = Array.from({ length: H }, (_, j) => { let v = 0; for (let b = 0; b < B; b++) v += per[b * H + j]; return v; });
            const idx = names.indexOf(`layers.0.l${k}.${n}`);
            assert.ok(idx >= 0, `no parameter layers.0.l${k}.${n} in ${names.join(', ')}`);
            close(m.grads[idx], sum, 1e-12, `d${n} l${k}`);
            assert.ok(sum.some((v) => Math.abs(v) > 1e-3), `d${n} l${k} is all but zero`);
            // Per-sample gradients differ (the samples differ), so this is a real sum.
            assert.notDeepEqual(per.slice(0, H), per.slice(H, 2 * H));
          }
        }
      });
    }
    test(`${cell}: a learned state of zeros is the layer without one; a nonzero one is not`, () => {
      const s = setup(cell, 2, true, 9);
      const names = describeParams(s.layers, [T, I]).map((p) => p.name);
      const keep = names.map((n) => !/\.(h0|c0)$/.test(n));
      const zeroed = { ...s, params: s.params.map((v, i) => (keep[i] ? v : new Float32Array(v.length))) };
      const plain = { ...s, layers: [{ ...s.layers[0], learnInitialState: false }] as LayerSpec[], params: s.params.filter((_, i) => keep[i]) };
      const a = runModel(zeroed), b = runModel(plain), c = runModel(s);
      assert.deepEqual(a.y, b.y);
      assert.deepEqual(a.grads.filter((_, i) => keep[i]), b.grads);
      assert.ok(c.y.some((v, i) => Math.abs(v - b.y[i]) > 1e-3));
    });
  }
});

describe('spec', () => {
  test('parameter layout and counts: h0 (c0) (H) per sub-layer after b_hh, zeros; inferShapes agrees', () => {
    const info = describeParams([{ kind: 'lstm', hidden: H, layers: 2, learnInitialState: true }], [T, I]);
    assert.deepEqual(info.map((p) => p.name.replace('layers.0.', '')),
      ['l0.W_ih', 'l0.W_hh', 'l0.b_ih', 'l0.b_hh', 'l0.h0', 'l0.c0', 'l1.W_ih', 'l1.W_hh', 'l1.b_ih', 'l1.b_hh', 'l1.h0', 'l1.c0']);
    assert.ok(info.filter((p) => /h0|c0/.test(p.name)).every((p) => p.init === 'zeros' && p.shape.length === 1 && p.shape[0] === H));
    assert.deepEqual(describeParams([{ kind: 'gru', hidden: H, learnInitialState: true }], [T, I]).map((p) => p.name.split('.').pop()),
      ['W_ih', 'W_hh', 'b_ih', 'b_hh', 'h0']);
    for (const [kind, learn] of [['lstm', true], ['gru', true], ['rnn', true], ['lstm', false]] as const) {
      const spec = presetSpec('lstm-reverse');
      spec.layers = spec.layers.map((l) => (l.kind === 'lstm' ? { kind, hidden: 7, layers: 2, returnSequences: true, learnInitialState: learn } : l));
      const r = inferShapes(spec);
      assert.deepEqual(r.errors, []);
      const total = describeParams(resolveLayers(spec), datasetInfo(spec).inputShape).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
      assert.equal(r.totalParams, total, `${kind} learn=${learn}`);
    }
  });

  test('validation: learnInitialState must be a boolean', () => {
    const spec = presetSpec('lstm-reverse') as unknown as { layers: Record<string, unknown>[] };
    const i = spec.layers.findIndex((l) => l.kind === 'lstm');
    spec.layers[i].learnInitialState = true;
    assert.ok(validateSpec(spec).ok);
    spec.layers[i].learnInitialState = 'yes';
    const r = validateSpec(spec);
    assert.ok(!r.ok && r.errors.some((e) => /learnInitialState/.test(e.path)), JSON.stringify(r.errors));
  });
});

describe('CharStepper', () => {
  const V = CHAR_ALPHABET.length;
  const MODELS: Record<string, LayerSpec[]> = {
    'lstm ×2': [{ kind: 'embedding', vocab: V, dim: 6 }, { kind: 'lstm', hidden: 7, layers: 2, returnSequences: true, learnInitialState: true }, { kind: 'dense', units: V }],
    gru: [{ kind: 'embedding', vocab: V, dim: 5 }, { kind: 'gru', hidden: 9, returnSequences: true, learnInitialState: true }, { kind: 'dense', units: V }],
    rnn: [{ kind: 'embedding', vocab: V, dim: 5 }, { kind: 'rnn', hidden: 5, returnSequences: true, learnInitialState: true }, { kind: 'dense', units: V }],
  };
  for (const [name, layers] of Object.entries(MODELS)) {
    test(`${name}: starts from the learned state (step-by-step logits = batched forward), and again after reset`, () => {
      const Tn = 7;
      const be = new CpuBackend('f64');
      const info = describeParams(layers, [Tn]);
      const rng = new Rng(2);
      const params = initParams(info, 5).map((v, i) => (/\.(h0|c0)$/.test(info[i].name) ? Float32Array.from(v, () => rng.normal()) : v));
      const P = info.map((p, i) => {
        const t = be.tensor(p.shape, p.name);
        be.write(t, params[i]);
        return t;
      });
      const g = new Graph(be, false);
      const x = g.alloc([1, Tn], 'ids');
      const ids = Array.from({ length: Tn }, (_, i) => (i * 5 + 2) % V);
      be.write(x, Float32Array.from(ids));
      const y = buildModel(g, layers, x, { values: P, grads: null });
      be.run(be.program('fwd', g.forward), RUN);
      const want = values(y);
      const m = new CharStepper(layers, params);
      for (let pass = 0; pass < 2; pass++) {
        ids.forEach((id, t) => {
          const got = m.step(id);
          for (let v = 0; v < V; v++) assert.ok(Math.abs(got[v] - want[t * V + v]) < 1e-9, `pass ${pass} t=${t} v=${v}: ${got[v]} vs ${want[t * V + v]}`);
        });
        m.reset();
      }
    });
  }
});
