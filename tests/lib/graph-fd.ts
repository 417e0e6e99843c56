// A classifier's parameter gradients against central finite differences of its mean loss, on
// CpuBackend('f64'): the whole-model check that tests/conv-graph and tests/convpool share.
import { Graph } from '../../kernels/autodiff/graph.ts';
import type { StepParams, Tensor } from '../../kernels/backend.ts';
import { CpuBackend } from '../../kernels/cpu/backend.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';
import { buildModel, describeBuffers, describeParams, initParams, type ParamInfo } from '../../kernels/nn/model.ts';
import { Rng } from '../../kernels/rng.ts';

export interface FdCase {
  layers: LayerSpec[];
  /** Per-sample input shape, and the batch. */
  input: number[];
  batch: number;
  /** Seeds of the initial parameters and of the normal random inputs. */
  initSeed: number;
  dataSeed: number;
  labels: Uint32Array;
  /** Changes the seeded initial values before they are written (non-trivial biases, say). */
  tweak?: (info: ParamInfo[], init: Float32Array[]) => void;
  /** About this many entries of each parameter are checked, evenly spaced. */
  perParam: number;
}

export interface FdResult {
  info: ParamInfo[];
  /** Analytic gradients, per parameter. */
  grads: Float64Array[];
  checked: number;
  /** "name[j]: analytic …, numeric …" for each entry outside 1e-8 + 1e-5 relative. */
  bad: string[];
  /** The forward kernels' labels: which kernels the graph recorded. */
  labels: string[];
}

export function finiteDiff(c: FdCase): FdResult {
  const be = new CpuBackend('f64');
  const info = describeParams(c.layers, c.input);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufs = be.flat(describeBuffers(c.layers, c.input).map((b) => b.shape), 'buffers');
  const init = initParams(info, c.initSeed);
  c.tweak?.(info, init);
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  const B = c.batch;
  const x = g.alloc([B, ...c.input], 'x');
  const y = be.tensor([B], 'y', 'u32');
  const metrics = be.tensor([4], 'metrics');
  const rng = new Rng(c.dataSeed);
  be.write(x, Float32Array.from({ length: x.size }, () => rng.normal()));
  be.write(y, c.labels);
  const logits = buildModel(g, c.layers, x, { values: P.views, grads: G.views, buffers: bufs.views });
  g.softmaxCrossEntropy(logits, y, metrics);
  const prog = be.program('step', [...g.forward, ...g.backward()]);
  const fwd = be.program('forward', g.forward);
  const p: StepParams = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: B };
  const M = metrics.store as Float64Array;
  const loss = () => { M.fill(0); be.run(fwd, p); return M[0] / B; };
  M.fill(0);
  be.run(prog, p);
  const grads = G.views.map((t) => Float64Array.from((t.store as Float64Array).subarray(t.offset, t.offset + t.size)));
  const store = P.flat.store as Float64Array;
  const eps = 1e-6, bad: string[] = [];
  let checked = 0;
  P.views.forEach((t: Tensor, i) => {
    for (let j = 0; j < t.size; j += Math.max(1, Math.floor(t.size / c.perParam))) {
      const k = t.offset + j, w0 = store[k];
      store[k] = w0 + eps; const lp = loss();
      store[k] = w0 - eps; const lm = loss();
      store[k] = w0;
      const num = (lp - lm) / (2 * eps), ana = grads[i][j];
      checked++;
      if (!(Math.abs(num - ana) <= 1e-8 + 1e-5 * Math.max(Math.abs(num), Math.abs(ana)))) bad.push(`${info[i].name}[${j}]: analytic ${ana}, numeric ${num}`);
    }
  });
  return { info, grads, checked, bad, labels: g.forward.map((k) => k.label) };
}
