// Browser side of tests/playground-gpu.test.ts: the boundary grid on the real WebGPU backend
// against the CPU backend's grid with the very same weights, and a playground run's accuracy.
import { register, type Cases } from './register.ts';
import type { ModelSpec } from '../../kernels/model/types.ts';
import type { TrainEvent } from '../../kernels/train/events.ts';
import { createGridEvaluator } from '../../kernels/train/grid.ts';
import { createSession } from '../../kernels/train/session.ts';

const spec = (epochs: number): ModelSpec => ({
  version: 1, dataset: { kind: 'playground', name: 'xor', noise: 0.1, trainRatio: 0.5, points: 400, features: ['x1', 'x2', 'x1x2'] },
  layers: [{ kind: 'dense', units: 8, activation: 'tanh' }, { kind: 'dense', units: 8, activation: 'tanh' }, { kind: 'dense', units: 2 }],
  loss: 'softmax_cross_entropy', train: { optimizer: { kind: 'adam' }, lr: 0.03, schedule: { kind: 'constant' }, batchSize: 20, epochs }, seed: 2,
});

const cases: Cases = {
  async 'grid: webgpu vs cpu on the same weights'() {
    const events: TrainEvent[] = [];
    const gpu = await createSession(spec(20), { backend: 'webgpu', onEvent: (e) => events.push(e) });
    await gpu.start();
    const last = events.filter((e) => e.type === 'eval').pop() as Extract<TrainEvent, { type: 'eval' }>;
    const cpu = await createSession(spec(20), { backend: 'cpu', onEvent: () => {} });
    for (let i = 0; i < gpu.c.params.length; i++) cpu.backend.write(cpu.c.params[i], (await gpu.backend.read(gpu.c.params[i])) as Float32Array);
    const gg = createGridEvaluator(gpu.c, 64), gc = createGridEvaluator(cpu.c, 64);
    let t0 = performance.now();
    await gg.evaluate(); // the first call waits for the pipelines
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const a = await gg.evaluate();
    const ms = performance.now() - t0;
    const b = await gc.evaluate();
    let worst = 0;
    for (let i = 0; i < a.values.length; i++) worst = Math.max(worst, Math.abs(a.values[i] - b.values[i]));
    const spread = Math.max(...a.values) - Math.min(...a.values);
    const r = { adapter: gpu.info.adapter, backend: gpu.info.backend, n: a.values.length, worst, spread, ms, firstMs, test_accuracy: last.test_accuracy };
    gg.dispose();
    gc.dispose();
    await gpu.dispose();
    await cpu.dispose();
    return r;
  },
};
register(cases);
