// Browser side of tests/profile-gpu.test.ts: Session.profileStep on the real WebGPU backend, with
// timestamp queries where the adapter has them (SwiftShader does).
import { register, type Cases } from './register.ts';
import { loadMnist, take, type Mnist } from '../../kernels/data/mnist.ts';
import type { GpuBackend } from '../../kernels/gpu/backend.ts';
import { presetSpec } from '../../kernels/model/presets.ts';
import { formatProfile } from '../../kernels/train/profile.ts';
import { createSession } from '../../kernels/train/session.ts';

let mnist: Mnist | null = null;
const data = async () => {
  mnist ??= await loadMnist(new URL('mnist/', location.href).toString());
  return { train: take(mnist.train, 2048), test: take(mnist.test, 256) };
};

const cases: Cases = {
  /**
   * Two profiled steps of mlp-mnist-small after a plain one, counting the GPU objects the second
   * profile creates; a twin session takes the same three steps unprofiled, for the weights.
   */
  async 'mlp-mnist-small profile'() {
    const d = await data();
    const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'webgpu', data: d, onEvent: () => {} });
    const twin = await createSession(presetSpec('mlp-mnist-small'), { backend: 'webgpu', data: d, onEvent: () => {} });
    const be = s.backend as GpuBackend;
    await s.stepOnce();
    const first = await s.profileStep();
    // Count what the second profile creates: buffers and query sets.
    const dev = be.device;
    let buffers = 0, querySets = 0;
    const createBuffer = dev.createBuffer.bind(dev), createQuerySet = dev.createQuerySet.bind(dev);
    dev.createBuffer = (desc) => (buffers++, createBuffer(desc));
    dev.createQuerySet = (desc) => (querySets++, createQuerySet(desc));
    const bytesBefore = be.bytesInUse();
    const second = await s.profileStep();
    const bytesAfter = be.bytesInUse();
    dev.createBuffer = createBuffer;
    dev.createQuerySet = createQuerySet;
    for (let i = 0; i < 3; i++) await twin.stepOnce();
    const w = await be.read(s.c.paramsFlat), wt = await twin.backend.read(twin.c.paramsFlat);
    const r = {
      adapter: s.info.adapter, features: be.info.features, step: s.step, first, second, text: formatProfile(second),
      trainKernels: s.c.train.kernels.map((k) => k.label), dispatches: s.c.train.dispatches,
      buffers, querySets, bytesBefore, bytesAfter,
      sameWeightsAsPlainSteps: w.length === wt.length && w.every((v, i) => v === wt[i]),
      // A device without 'timestamp-query' (pretended here): the step still runs and counts, with no times.
      without: await (async () => {
        Object.defineProperty(be, 'canTimestamp', { get: () => false });
        return s.profileStep();
      })(),
      stepAfterWithout: s.step,
    };
    await s.dispose();
    await twin.dispose();
    return r;
  },
};

register(cases);
