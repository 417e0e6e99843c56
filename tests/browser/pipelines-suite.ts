// Browser side of tests/pipelines-async.test.ts: pipelines compile in the background
// (createComputePipelineAsync); `ready()` waits for them and names a kernel whose shader fails;
// encoding never waits, making a still-pending pipeline synchronously (counted).
import { register, type Cases } from './register.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import { acquireGpu } from '../../kernels/device/gpu.ts';
import { GpuBackend } from '../../kernels/gpu/backend.ts';
import { rw } from '../../kernels/ops/bindings.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import { createSession } from '../../kernels/train/session.ts';

let mnist: Mnist | null = null;
const data = async () => {
  mnist ??= await loadMnist(new URL('mnist/', location.href).toString());
  return { train: take(mnist.train, 640), test: take(mnist.test, 128) };
};
const params = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: 0 };
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const cases: Cases = {
  /** createSession awaits ready(): every pipeline has compiled before the first step, none is made at encode time. */
  async 'session after ready'() {
    const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'webgpu', data: await data(), onEvent: () => {} });
    const be = s.backend as GpuBackend;
    const kernels = [...s.c.train.kernels, ...s.c.eval.kernels] as unknown as { pipeline: GPUComputePipeline | null }[];
    const r = {
      compiled: be.pipelines.compiled,
      compilingAfterCreate: be.pipelines.compiling,
      kernels: kernels.length,
      kernelsWithPipeline: kernels.filter((k) => k.pipeline !== null).length,
      stepBefore: s.step,
      stepAfter: 0,
      fallbacks: 0,
      readyAgain: false,
      errors: [] as string[],
    };
    await s.stepOnce();
    await s.stepOnce();
    await be.idle();
    await be.ready();
    r.readyAgain = true;
    r.stepAfter = s.step;
    r.fallbacks = be.pipelines.syncFallbacks;
    r.errors = [...be.errors];
    await s.dispose();
    return r;
  },

  /** A program run (and a profiled run) right after its kernels are made, before ready(): same results, pipelines made at encode time. */
  async 'encode before ready'() {
    const be = new GpuBackend(await acquireGpu());
    const n = 1000;
    const x = be.tensor([n], 'x'), y = be.tensor([n], 'y'), z = be.tensor([n], 'z');
    be.write(x, Float32Array.from({ length: n }, (_, i) => i - 500));
    const p = be.program('relu then fill', [be.unary('relu', y, x)]);
    const compilingBefore = be.pipelines.compiling;
    be.run(p, params);
    const fallbacksAfterRun = be.pipelines.syncFallbacks;
    // The timed branch too (where the adapter has timestamp queries).
    const q = be.program('fill', [be.fill(z, 3)]);
    const prof = await be.profile(q, params);
    const fallbacksAfterProfile = be.pipelines.syncFallbacks;
    await be.ready();
    await be.idle();
    const ys = await be.read(y), zs = await be.read(z);
    const r = {
      compilingBefore, fallbacksAfterRun, fallbacksAfterProfile, profileSource: prof.source,
      fallbacksAfterReady: be.pipelines.syncFallbacks, compilingAfterReady: be.pipelines.compiling,
      reluRight: ys.every((v, i) => v === Math.max(0, i - 500)), fillRight: zs.every((v) => v === 3),
    };
    be.destroy();
    return r;
  },

  /**
   * Shaders that do not compile: ready() rejects naming the kernel; without ready(), the
   * uncaptured-error path (idle → checkErrors) still reports it, and the next ready() names it.
   */
  async 'broken wgsl'() {
    const be = new GpuBackend(await acquireGpu());
    const attempt = async (f: () => Promise<void>) => {
      try {
        await f();
        return null;
      } catch (e) {
        return message(e);
      }
    };
    const label = 'deliberately broken kernel', label2 = 'another broken kernel';
    be.pipelines.get(label, { code: '@compute @workgroup_size(1) fn main() { let x: f32 = ; }', bindings: [rw('X')] });
    const readyError = await attempt(() => be.ready());
    be.pipelines.get(label2, { code: '@compute @workgroup_size(1) fn main() { let y = undefined_name; }', bindings: [rw('X')] });
    // Let the compile settle first, so the shader error has been reported to onuncapturederror.
    await new Promise((r) => setTimeout(r, 200));
    const idleError = await attempt(() => be.idle());
    const readyError2 = await attempt(() => be.ready());
    // Each failure is reported once: with nothing new pending, ready() resolves.
    const readyAfter = await attempt(() => be.ready());
    be.destroy();
    return { label, label2, readyError, idleError, readyError2, readyAfter };
  },
};

register(cases);
