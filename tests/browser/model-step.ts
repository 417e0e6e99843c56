// One training step of a small classifier on any backend, from fixed seeded parameters (nonzero
// biases, so relu units are both on and off) and a fixed normal batch: the parameter gradients,
// the loss and the kernels recorded. The fusion suites compare these across backends and paths.
import { Graph } from '../../kernels/autodiff/graph.ts';
import type { Backend, StepParams, Tensor } from '../../kernels/backend.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';
import { buildModel, describeBuffers, describeParams, initParams } from '../../kernels/nn/model.ts';
import { Rng } from '../../kernels/rng.ts';

export interface StepArg { layers: LayerSpec[]; inShape: number[]; B: number; classes: number }
export interface StepRun { grads: number[][]; forward: string[]; backward: string[]; loss: number; dispatches: number }

/** `fuseBackward`: the graph's backward fusions on (default) or off. */
export async function modelStep(be: Backend, a: StepArg, fuseBackward = true): Promise<StepRun> {
  const info = describeParams(a.layers, a.inShape);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufs = be.flat(describeBuffers(a.layers, a.inShape).map((b) => b.shape), 'buffers');
  const init = initParams(info, 5);
  info.forEach((p, i) => { if (p.name.endsWith('.b')) init[i] = Float32Array.from(init[i], (_, j) => 0.1 * ((j % 5) - 2)); });
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  g.fuseBackward = fuseBackward;
  const x = g.alloc([a.B, ...a.inShape], 'x');
  const labels = be.tensor([a.B], 'labels', 'u32');
  const metrics = be.tensor([4], 'metrics');
  const rng = new Rng(11);
  be.write(x, Float32Array.from({ length: x.size }, () => rng.normal()));
  be.write(labels, Uint32Array.from({ length: a.B }, (_, i) => (i * 7) % a.classes));
  const logits = buildModel(g, a.layers, x, { values: P.views, grads: G.views, buffers: bufs.views });
  g.softmaxCrossEntropy(logits, labels, metrics);
  const backward = g.backward();
  const p: StepParams = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: a.B };
  const prog = be.program('step', [...g.forward, ...backward]);
  await be.ready();
  be.run(prog, p);
  const grads = await Promise.all(G.views.map(async (t: Tensor) => [...await be.read(t)]));
  const loss = (await be.read(metrics))[0] / a.B;
  const r = { grads, forward: g.forward.map((k) => k.label), backward: backward.map((k) => k.label), loss, dispatches: prog.dispatches };
  g.dispose();
  for (const t of [P.flat, G.flat, bufs.flat, labels, metrics]) be.free(t);
  return r;
}
