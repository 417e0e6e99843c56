// Browser side of tests/fusion-gpu.test.ts: the GPU-only backward fusions of the conv layers
// (pool2dBackwardAct: act' inside the pool backward; conv2dBackwardWeightBias: dbias inside the dw
// GEMM) on the real WebGPU backend. A model is built on GpuBackend with Graph.fuseBackward on and
// off and on CpuBackend('f64') (which has no fused forms: the plain path), from the same
// parameters and batch; the node side compares the gradients and counts the kernels.
import { modelStep } from './model-step.ts';
import { register, type Cases } from './register.ts';
import { CpuBackend } from '../../kernels/cpu/backend.ts';
import { acquireGpu } from '../../kernels/device/gpu.ts';
import { GpuBackend, type GpuKernel } from '../../kernels/gpu/backend.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { LayerSpec } from '../../kernels/model/types.ts';
import { describeParams } from '../../kernels/nn/model.ts';
import { compile, disposeCompiled } from '../../kernels/train/compile.ts';
import { loadSessionData } from '../../kernels/train/session-data.ts';

interface Arg { layers: LayerSpec[]; inShape: number[]; B: number; classes: number; paths?: 'hardware' | 'fallback' }
const cases: Cases = {
  async 'fused vs plain'(arg) {
    const a = arg as Arg;
    const gpu = new GpuBackend(await acquireGpu());
    if (a.paths) gpu.paths = a.paths;
    const fused = await modelStep(gpu, a, true);
    const plain = await modelStep(gpu, a, false);
    const cpu = await modelStep(new CpuBackend('f64'), a, true);
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
