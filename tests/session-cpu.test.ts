// Sessions on the CPU backend (the fallback where no WebGPU exists): training works, refusals
// happen before allocation, a diverging run stops with a message, runs are deterministic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetSpec } from '../kernels/model/presets.ts';
import { SpecError } from '../kernels/model/validate.ts';
import type { TrainEvent } from '../kernels/train/events.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const data = mnistNode(4096, 1000);

test('the CPU backend trains mlp-mnist-small past 85% on 4096 samples', async () => {
  const events: TrainEvent[] = [];
  const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: (e) => events.push(e) });
  await s.start();
  const ev = events.filter((e) => e.type === 'eval').pop() as Extract<TrainEvent, { type: 'eval' }>;
  assert.equal(s.step, 64);
  assert.ok(ev.test_accuracy! > 0.85, `test accuracy ${ev.test_accuracy}`);
  const m = events.filter((e) => e.type === 'metrics') as Extract<TrainEvent, { type: 'metrics' }>[];
  assert.ok(m[m.length - 1].loss < m[0].loss * 0.6, `loss ${m[0].loss} → ${m[m.length - 1].loss}`);
  assert.equal(events.find((e) => e.type === 'ready')?.type, 'ready');
  await s.dispose();
  assert.equal(s.backend.bytesInUse(), 0);
});

test('an invalid spec is refused with layer and field named', async () => {
  const sp = presetSpec('mlp-mnist-small');
  (sp.layers[1] as { units: number }).units = -3;
  await assert.rejects(createSession(sp, { backend: 'cpu', data, onEvent: () => {} }), (e: unknown) => {
    assert.ok(e instanceof SpecError);
    assert.equal(e.issues[0].path, 'layers[1] (dense).units');
    assert.equal(e.issues[0].layer, 1);
    return true;
  });
});

test('a model over the budget is refused before allocation, stating estimate and limit', async () => {
  const sp = presetSpec('mlp-mnist');
  await assert.rejects(
    createSession(sp, { backend: 'cpu', data, onEvent: () => {}, memoryBudgetBytes: 32 * 1024 ** 2 }),
    /needs about [\d.]+ MiB to train, over the memory budget of 32\.0 MiB \(1,863,690 parameters, batch 128\)/,
  );
});

test('a non-finite loss stops training with a clear message and no NaN point', async () => {
  const sp = presetSpec('mlp-mnist-small');
  sp.train.optimizer = { kind: 'sgd' };
  sp.train.lr = 10;
  sp.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 64 }, { kind: 'dense', units: 64 }, { kind: 'dense', units: 10 }];
  const events: TrainEvent[] = [];
  const s = await createSession(sp, { backend: 'cpu', data, onEvent: (e) => events.push(e), metricsEvery: 2 });
  await s.start();
  await new Promise((r) => setTimeout(r, 100));
  const done = events.find((e) => e.type === 'done') as Extract<TrainEvent, { type: 'done' }>;
  assert.equal(done?.reason, 'diverged');
  assert.match(done.message, /non-finite .* by step \d+; training stopped\. The first non-finite values appeared in layers\.\d\.dense/);
  assert.equal(events.filter((e) => e.type === 'metrics' && !Number.isFinite(e.loss)).length, 0);
  assert.ok(s.step < 64);
});

test('same seed → same curve and weights; pause and resume continue the same curve', async () => {
  const run = async (pauseAt?: number) => {
    const losses: number[] = [];
    const s = await createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: (e) => e.type === 'metrics' && losses.push(e.loss), maxSteps: 40, metricsEvery: 10 });
    if (pauseAt) {
      for (let i = 0; i < pauseAt; i++) await s.stepOnce();
    }
    await s.start();
    const w = await s.backend.read(s.c.paramsFlat);
    await s.dispose();
    return { losses, w };
  };
  const a = await run(), b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.w, b.w);
  const c = await run(10); // ten single steps (each its own metrics point), then the rest
  assert.deepEqual(c.w, a.w, 'pausing and stepping does not change the trajectory');
});

test('early stopping ends a run whose test loss stops improving', async () => {
  const sp = presetSpec('mlp-mnist-small');
  sp.train.optimizer = { kind: 'sgd' };
  sp.train.lr = 1e-8; // nothing moves, so the test loss never improves by more than 1e-6
  sp.train.evalEverySteps = 4;
  sp.train.earlyStopPatience = 2;
  const events: TrainEvent[] = [];
  const s = await createSession(sp, { backend: 'cpu', data, onEvent: (e) => events.push(e) });
  await s.start();
  const done = events.find((e) => e.type === 'done') as Extract<TrainEvent, { type: 'done' }>;
  assert.equal(done.reason, 'early-stop');
  assert.equal(events.filter((e) => e.type === 'eval').length, 3); // the first sets the best, two more without improvement
  assert.equal(s.step, 12);
});

test('a causal transformer trains on the CPU backend; its attention maps are causal distributions read on demand', async () => {
  const sp = presetSpec('transformer-addition');
  sp.layers[2] = { kind: 'transformer', heads: 2, layers: 1, mlp: 32, causal: true };
  sp.layers[0] = { kind: 'embedding', dim: 16 };
  sp.dataset = { ...sp.dataset, kind: 'task', name: 'addition', length: 2, trainSize: 2048, testSize: 128 } as typeof sp.dataset;
  const losses: number[] = [];
  const s = await createSession(sp, { backend: 'cpu', onEvent: (e) => e.type === 'metrics' && losses.push(e.loss), maxSteps: 30, metricsEvery: 10 });
  await s.start();
  assert.ok(losses.length === 3 && losses[2] < losses[0], `loss ${losses}`);
  const [m] = await s.attentionMaps();
  assert.equal(m.name, 'layers.2.b0.attn');
  assert.equal(m.T, 8); // 2 + 1 + 2 + 1 + 2 tokens: a, "+", b, "=", sum slots
  assert.equal(m.tokens.length, 8);
  assert.equal(m.tokens[2], 10); // "+"
  for (let h = 0; h < m.heads; h++)
    for (let i = 0; i < m.T; i++) {
      let sum = 0;
      for (let j = 0; j < m.T; j++) {
        const p: number = m.probs[(h * m.T + i) * m.T + j];
        if (j > i) assert.equal(p, 0, `head ${h}: query ${i} sees key ${j}`);
        sum += p;
      }
      assert.ok(Math.abs(sum - 1) < 1e-5, `head ${h} row ${i} sums to ${sum}`);
    }
  await s.dispose();
  assert.equal(s.backend.bytesInUse(), 0);
});
