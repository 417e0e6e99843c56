// Browser side of tests/fusion-gpu.test.ts: the GPU-only backward fusions of the conv layers
// (pool2dBackwardAct: act' inside the pool backward; conv2dBackwardWeightBias: dbias inside the dw
// GEMM) on the real WebGPU backend. A model is built on GpuBackend with Graph.fuseBackward on and
// off and on CpuBackend('f64') (which has no fused forms: the plain path), from the same
// parameters and batch; the node side compares the gradients and counts the kernels.
import { register, type Cases } from './register.ts';
import { Graph } from '../../kernels/autodiff/graph.ts';
import type { Backend, StepParams, Tensor } from '../../kernels/backend.ts';
import { CpuBackend } from '../../kernels/cpu/backend.ts';
import { acquireGpu } from '../../kernels/device/gpu.ts';
import { GpuBackend, type GpuKernel } from '../../kernels/gpu/backend.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';
import { buildModel, describeBuffers, describeParams, initParams } from '../../kernels/nn/model.ts';
import { Rng } from '../../kernels/rng.ts';
import { compile, disposeCompiled } from '../../kernels/train/compile.ts';
import { loadSessionData } from '../../kernels/train/session-data.ts';

interface Arg { layers: LayerSpec[]; inShape: number[]; B: number; classes: number; paths?: 'hardware' | 'fallback' }
interface Run { grads: number[][]; backward: string[]; dispatches: number }

async function gradsOf(be: Backend, a: Arg, fuse: boolean): Promise<Run> {
  const info = describeParams(a.layers, a.inShape);
  const P = be.flat(info.map((p) => p.shape), 'params');
  const G = be.flat(info.map((p) => p.shape), 'grads');
  const bufs = be.flat(describeBuffers(a.layers, a.inShape).map((b) => b.shape), 'buffers');
  const init = initParams(info, 5);
  // Nonzero biases, so that relu units are both on and off.
  info.forEach((p, i) => { if (p.name.endsWith('.b')) init[i] = Float32Array.from(init[i], (_, j) => 0.1 * ((j % 5) - 2)); });
  init.forEach((v, i) => be.write(P.views[i], v));
  const g = new Graph(be, true);
  g.fuseBackward = fuse;
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
  g.dispose();
  for (const t of [P.flat, G.flat, bufs.flat, labels, metrics]) be.free(t);
  return { grads, backward: backward.map((k) => k.label), dispatches: prog.dispatches };
}

const cases: Cases = {
  async 'fused vs plain'(arg) {
    const a = arg as Arg;
    const gpu = new GpuBackend(await acquireGpu());
    if (a.paths) gpu.paths = a.paths;
    const fused = await gradsOf(gpu, a, true);
    const plain = await gradsOf(gpu, a, false);
    const cpu = await gradsOf(new CpuBackend('f64'), a, true);
    gpu.destroy();
    return { names: describeParams(a.layers, a.inShape).map((p) => p.name), fused, plain, cpu };
  },

  /** A preset's compiled training step (nothing is run) per kernel paths: dispatches, kernel labels, chained passes. */
  async 'preset dispatches'(arg) {
    const { preset, paths } = arg as { preset: string; paths: 'hardware' | 'fallback' };
    const spec = presetSpec(preset);
    const data = await loadSessionData(spec, { backend: 'webgpu', dataUrl: new URL('mnist/', location.href).toString(), onEvent: () => {}, trainLimit: 256, testLimit: 64 });
    const gpu = new GpuBackend(await acquireGpu());
    gpu.paths = paths;
    const c = compile(gpu, spec, data);
    const chained = (c.train.kernels as GpuKernel[]).flatMap((k) => { const l: string[] = []; for (let d = k.next; d; d = d.next) l.push(d.label); return l; });
    const r = { dispatches: c.train.dispatches, labels: c.train.kernels.map((k) => k.label), chained };
    disposeCompiled(c);
    gpu.destroy();
    return r;
  },
};

register(cases);
