// Browser side of tests/convpool-gpu.test.ts: the graph's conv + max pool forward fusion
// (kernels/autodiff/convpool.ts) on the real WebGPU backend. Each case returns numbers and kernel
// labels; the node side asserts on them.
import { modelStep } from './model-step.ts';
import { register, type Cases } from './register.ts';
import { Graph } from '../../kernels/autodiff/graph.ts';
import { convGeom, type Backend, type StepParams, type Tensor } from '../../kernels/backend.ts';
import { CpuBackend } from '../../kernels/cpu/backend.ts';
import { acquireGpu } from '../../kernels/device/gpu.ts';
import { GpuBackend } from '../../kernels/gpu/backend.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';
import { buildModel, describeParams } from '../../kernels/nn/model.ts';
import { conv2dRef } from '../../kernels/ops/conv/cpu.ts';
import { Rng } from '../../kernels/rng.ts';
import { compile, disposeCompiled } from '../../kernels/train/compile.ts';
import { createProbe } from '../../kernels/train/predict.ts';
import { loadSessionData } from '../../kernels/train/session-data.ts';

type Paths = 'hardware' | 'fallback';

async function gpuWith(paths: Paths, fuse: boolean): Promise<GpuBackend> {
  const gpu = new GpuBackend(await acquireGpu());
  gpu.paths = paths;
  gpu.fuseConvPool = fuse;
  return gpu;
}

interface ModelArg { layers: LayerSpec[]; inShape: number[]; B: number; classes: number; paths: Paths }

const cases: Cases = {
  /** A model's gradients: fused GPU, GPU with the fusion off, and CPU f64 (plain ops). */
  async 'model grads'(arg) {
    const a = arg as ModelArg;
    const on = await gpuWith(a.paths, true), off = await gpuWith(a.paths, false);
    const r = { fused: await modelStep(on, a), plain: await modelStep(off, a), cpu: await modelStep(new CpuBackend('f64'), a) };
    on.destroy();
    off.destroy();
    return { ...r, names: describeParams(a.layers, a.inShape).map((p) => p.name) };
  },

  /**
   * conv(relu) → max pool, and the conv output read again after the pool (a sum over its
   * channels): the fusion must be undone. Seeds dL/dpool and dL/dsum; returns the conv output,
   * the pool output and the gradients of x, W and b, with the forward labels.
   */
  async 'late reader'(arg) {
    const { paths } = arg as { paths: Paths };
    const run = async (be: Backend) => {
      const N = 2, H = 9, W = 8, C = 3, F = 5;
      const g0 = convGeom([N, H, W, C], [3, 3], F, 1, 'valid');
      const pg = convGeom([N, g0.OH, g0.OW, F], [2, 2], F, 2, 'valid');
      const rng = new Rng(3);
      const fill = (t: Tensor, s = 1) => be.write(t, Float32Array.from({ length: t.size }, () => rng.normal() * s));
      const g = new Graph(be, true);
      const x = g.alloc([N, H, W, C], 'x'), w = g.alloc([3, 3, C, F], 'w'), b = g.alloc([F], 'b');
      const gx = g.alloc(x.shape, 'dx'), gw = g.alloc(w.shape, 'dw'), gb = g.alloc(b.shape, 'db');
      fill(x); fill(w, 0.5); fill(b, 0.3);
      g.param(x, gx); g.param(w, gw); g.param(b, gb);
      const y = g.conv2d(x, w, b, g0, 'relu', 'conv');
      const p = g.pool2d('max', y, pg, 'pool');
      const s = g.reduce('sum', y, -1, 'sum'); // the late reader
      fill(g.seed(p)); fill(g.seed(s));
      const prog = be.program('step', [...g.forward, ...g.backward()]);
      await be.ready();
      be.run(prog, { step: 1, batchStart: 0, lr: 0, seed: 1, rows: N });
      const read = async (t: Tensor) => [...await be.read(t)];
      const r = { y: await read(y), p: await read(p), dx: await read(gx), dw: await read(gw), db: await read(gb), forward: g.forward.map((k) => k.label) };
      g.dispose();
      return r;
    };
    const gpu = await gpuWith(paths, true);
    const r = { gpu: await run(gpu), cpu: await run(new CpuBackend('f64')) };
    gpu.destroy();
    return r;
  },

  /** Which graphs fuse: a capturing graph (the probe's) keeps tapped convs; others drop fused convs from convTaps. */
  async 'captures'() {
    const gpu = await gpuWith('fallback', true);
    const spec = presetSpec('cnn-mnist');
    const info = describeParams(spec.layers, [28, 28, 1]);
    const P = gpu.flat(info.map((p) => p.shape), 'params');
    const build = (capture: boolean) => {
      const g = new Graph(gpu, false);
      g.captureConvs = capture;
      buildModel(g, spec.layers, g.alloc([2, 28, 28, 1], 'x'), { values: P.views, grads: null, buffers: [] });
      const r = { forward: g.forward.map((k) => k.label), taps: g.convTaps.map((t) => t.name), outputs: g.outputs.map((o) => o.name) };
      g.dispose();
      return r;
    };
    const r = { captured: build(true), plain: build(false) };
    gpu.free(P.flat);
    gpu.destroy();
    return r;
  },

  /**
   * cnn-mnist compiled on GPU with the fusion on and off: dispatches per training step and labels,
   * then `steps` training steps on the same batches: each step's mean loss and, at the end, the
   * largest parameter difference. Then the probe's feature maps (captured convs) on the fused
   * session against conv2dRef on the CPU.
   */
  async 'preset steps'(arg) {
    const { paths, steps } = arg as { paths: Paths; steps: number };
    const spec = presetSpec('cnn-mnist');
    const data = await loadSessionData(spec, { backend: 'webgpu', dataUrl: new URL('mnist/', location.href).toString(), onEvent: () => {}, trainLimit: 64 * Math.max(1, steps), testLimit: 64 });
    const runs = [];
    let maps: { err: number; max: number; shape: number[] } | null = null;
    for (const fuse of [true, false]) {
      const gpu = await gpuWith(paths, fuse);
      const c = compile(gpu, spec, data);
      await gpu.ready();
      gpu.write(c.trainData.indices, Uint32Array.from({ length: c.trainData.n }, (_, i) => i));
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        const p: StepParams = { step: s + 1, batchStart: s * c.batch, lr: 1e-3, seed: 7 + s, rows: c.batch };
        const m = await gpu.run(c.train, p, { tensor: c.trainMetrics, reset: true })!;
        losses.push(m[0] / m[2]);
      }
      const params = [...await gpu.read(c.paramsFlat)];
      if (fuse && steps > 0) {
        const probe = createProbe(c);
        const t = await probe.inspect(0, { convLayers: 1 });
        const [W0, b0] = (await Promise.all(c.params.slice(0, 2).map((q) => gpu.read(q)))) as Float32Array[];
        const g0 = convGeom([1, 28, 28, 1], [5, 5], 16, 1, 'valid');
        const ref = new Float32Array(24 * 24 * 16);
        const view = (store: Float32Array, shape: number[]): Tensor => ({ id: -1, name: 'ref', shape, size: store.length, dtype: 'f32', offset: 0, store });
        conv2dRef(view(ref, [1, 24, 24, 16]), view(Float32Array.from(t.input), [1, 28, 28, 1]), view(W0, [5, 5, 1, 16]), g0, view(b0, [16]), 'relu', false);
        const got = t.conv![0].maps;
        maps = { err: got.reduce((e, v, i) => Math.max(e, Math.abs(v - ref[i])), 0), max: Math.max(...got), shape: [t.conv![0].H, t.conv![0].W, t.conv![0].C] };
        probe.dispose();
      }
      runs.push({ fuse, dispatches: c.train.dispatches, labels: c.train.kernels.map((k) => k.label), evalLabels: c.eval.kernels.map((k) => k.label), losses, params });
      disposeCompiled(c);
      gpu.destroy();
    }
    const [on, off] = runs;
    const paramDiff = on.params.reduce((m, v, i) => Math.max(m, Math.abs(v - off.params[i])), 0);
    const strip = (r: typeof on) => ({ ...r, params: undefined });
    return { on: strip(on), off: strip(off), paramDiff, paramMax: off.params.reduce((m, v) => Math.max(m, Math.abs(v)), 0), maps };
  },
};

register(cases);
