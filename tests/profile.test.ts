// The profiler: per-layer and per-op sums of kernel times (pure), and Session.profileStep on the
// CPU backend (a real step, every kernel timed and attributed). The WebGPU side (timestamp
// queries) is in tests/profile-gpu.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presetSpec } from '../kernels/model/presets.ts';
import type { TrainEvent } from '../kernels/train/events.ts';
import { aggregate, formatProfile, layerName, opName, resolutionText, timerQuantumMs, timerResolution } from '../kernels/train/profile.ts';
import { Rng } from '../kernels/rng.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

test('op names drop sizes and timestep numbers; layer names follow the page (from 1)', () => {
  assert.equal(opName('matmul 64x128x784'), 'matmul');
  assert.equal(opName('lstm step 3 backward'), 'lstm step backward');
  assert.equal(opName('lstm step -1 backward'), 'lstm step backward');
  assert.equal(opName('conv2d dx 6272x32'), 'conv2d dx');
  assert.equal(opName('unary relu backward'), 'unary relu backward');
  assert.equal(opName('optimizerStep'), 'optimizerStep');
  const layers = presetSpec('lstm-reverse').layers;
  assert.equal(layerName('layers.1.lstm0', layers), '2 · lstm');
  assert.equal(layerName('layers.2.dense', layers), '3 · dense');
  assert.equal(layerName('layers.0.embedding', layers), '1 · embedding');
  assert.equal(layerName('layers.12.layers.0.dense', [...layers, ...Array(10).fill({ kind: 'residual', layers: [] })]), '13 · residual');
  assert.equal(layerName('loss', layers), 'loss');
});

test('aggregate: exact sums and shares per layer (program order) and per op (by time)', () => {
  const kernels = [
    { label: 'gatherBatch', layer: 'data', phase: 'data' as const, ms: 1 },
    { label: 'matmul 64x128x784', layer: '2 · dense', phase: 'forward' as const, ms: 4 },
    { label: 'matmul 64x10x128', layer: '3 · dense', phase: 'forward' as const, ms: 2 },
    { label: 'softmaxCrossEntropy', layer: 'loss', phase: 'loss' as const, ms: 1 },
    { label: 'matmul 129x10x64', layer: '3 · dense', phase: 'backward' as const, ms: 3 },
    { label: 'matmul 64x128x10', layer: '3 · dense', phase: 'backward' as const, ms: 2 },
    { label: 'matmul 785x128x64', layer: '2 · dense', phase: 'backward' as const, ms: 6 },
    { label: 'optimizerStep', layer: 'optimizer', phase: 'optimizer' as const, ms: 1 },
  ];
  const a = aggregate(kernels);
  assert.equal(a.totalMs, 20);
  assert.deepEqual(a.byLayer, [
    { layer: 'data', ms: 1, share: 0.05, kernels: 1, forwardMs: 1, backwardMs: 0 },
    { layer: '2 · dense', ms: 10, share: 0.5, kernels: 2, forwardMs: 4, backwardMs: 6 },
    { layer: '3 · dense', ms: 7, share: 0.35, kernels: 3, forwardMs: 2, backwardMs: 5 },
    { layer: 'loss', ms: 1, share: 0.05, kernels: 1, forwardMs: 1, backwardMs: 0 },
    { layer: 'optimizer', ms: 1, share: 0.05, kernels: 1, forwardMs: 0, backwardMs: 1 },
  ]);
  assert.deepEqual(a.byOp, [
    { op: 'matmul', ms: 17, share: 0.85, kernels: 5 },
    { op: 'gatherBatch', ms: 1, share: 0.05, kernels: 1 }, // ties: by name
    { op: 'optimizerStep', ms: 1, share: 0.05, kernels: 1 },
    { op: 'softmaxCrossEntropy', ms: 1, share: 0.05, kernels: 1 },
  ]);
  // No time at all: shares are 0, not NaN.
  const z = aggregate([{ label: 'fill', layer: 'data', ms: 0 }]);
  assert.deepEqual(z.byLayer[0], { layer: 'data', ms: 0, share: 0, kernels: 1, forwardMs: 0, backwardMs: 0 });
  assert.deepEqual(aggregate([]), { totalMs: 0, byLayer: [], byOp: [] });
});

const data = mnistNode(1024, 128);

test('profileStep on the CPU is a normal step, with every kernel timed and attributed', async () => {
  const sp = presetSpec('mlp-mnist-small');
  const events: TrainEvent[] = [];
  const s = await createSession(sp, { backend: 'cpu', data, onEvent: (e) => events.push(e) });
  const twin = await createSession(presetSpec('mlp-mnist-small'), { backend: 'cpu', data, onEvent: () => {} });
  await s.stepOnce();
  await twin.stepOnce();
  const before = Float32Array.from((await s.backend.read(s.c.paramsFlat)) as Float32Array);
  const p = await s.profileStep();
  await twin.stepOnce(); // the same step, unprofiled
  const after = (await s.backend.read(s.c.paramsFlat)) as Float32Array;
  const expected = (await twin.backend.read(twin.c.paramsFlat)) as Float32Array;

  assert.equal(s.step, 2);
  assert.equal(p.step, 2);
  assert.equal(p.source, 'cpu-clock');
  assert.equal(p.backend, 'cpu');
  // The step changed the weights exactly as a plain step does.
  assert.ok(after.some((v, i) => v !== before[i]), 'weights did not change');
  assert.deepEqual(after, expected);
  // Its metrics were reported like any step's.
  const m = events.filter((e) => e.type === 'metrics') as Extract<TrainEvent, { type: 'metrics' }>[];
  assert.deepEqual(m.map((e) => e.step), [1, 2]);
  assert.ok(Number.isFinite(m[1].loss) && m[1].loss > 0);

  // One time per kernel of the train program, in order, all attributed.
  const ks = s.c.train.kernels;
  assert.equal(p.kernels.length, ks.length);
  p.kernels.forEach((k, i) => {
    assert.equal(k.label, ks[i].label);
    assert.ok(k.ms >= 0 && Number.isFinite(k.ms), `${k.label}: ${k.ms} ms`);
    assert.notEqual(k.layer, '?', `${k.label} has no layer`);
  });
  assert.deepEqual(p.byLayer.map((l) => l.layer), ['data', '2 · dense', '3 · dense', 'loss', 'optimizer']);
  const phases = (layer: string) => [...new Set(p.kernels.filter((k) => k.layer === layer).map((k) => k.phase))].sort();
  assert.deepEqual(phases('2 · dense'), ['backward', 'forward']);
  assert.deepEqual(phases('3 · dense'), ['backward', 'forward']);
  assert.deepEqual(p.kernels.filter((k) => k.layer === 'optimizer').map((k) => k.label), ['optimizer adam']);
  // Totals agree: kernels, layers and ops sum to totalMs, which the wall time bounds.
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const total = p.totalMs!;
  assert.ok(total > 0, `total ${total}`);
  assert.ok(Math.abs(sum(p.kernels.map((k) => k.ms)) - total) < 1e-9);
  assert.ok(Math.abs(sum(p.byLayer.map((l) => l.ms)) - total) < 1e-9);
  assert.ok(Math.abs(sum(p.byOp.map((o) => o.ms)) - total) < 1e-9);
  assert.ok(Math.abs(sum(p.byLayer.map((l) => l.share)) - 1) < 1e-9);
  assert.ok(total <= p.wallMs + 1e-6, `kernel time ${total} > wall ${p.wallMs}`);
  // The dense layers' matmuls dominate a 784-128-10 MLP.
  assert.equal(p.byOp[0].op, 'matmul');
  assert.equal(p.byOp[0].kernels, p.kernels.filter((k) => k.label.startsWith('matmul ')).length);
  // Counts of this one step: its dispatches, one submission, no upload (the CPU backend has no
  // step uniform to write; WebGPU's 32 bytes are checked in profile-gpu).
  assert.equal(p.dispatches, s.c.train.dispatches);
  assert.equal(p.submits, 1);
  assert.equal(p.bytesUploaded, 0);
  // The resolution line covers every kernel, and a kernel flagged below it is below 2 quanta (or 0).
  assert.equal(p.resolution.of, p.kernels.length);
  assert.equal(p.resolution.below, p.kernels.filter((k) => k.belowResolution).length);
  for (const k of p.kernels) assert.equal(k.belowResolution, k.ms <= 0 || k.ms < p.resolution.thresholdMs, k.label);
  const text = formatProfile(p);
  assert.match(text, /^timer resolution: .*; \d+ of \d+ kernel times below /m);
  assert.match(text, /profile of step 2 on cpu \(cpu\): per-kernel times from CPU clock/);
  assert.match(text, new RegExp(`${s.c.train.dispatches} dispatches, 1 submission, 0 bytes uploaded`));
  assert.match(text, /^2 · dense +\d+\.\d{3} +\d+\.\d %/m);
  await s.dispose();
  await twin.dispose();
});

test('profileStep attributes recurrent kernels to their layer and refuses while running or finished', async () => {
  const sp = presetSpec('lstm-reverse');
  if (sp.dataset.kind === 'task') Object.assign(sp.dataset, { trainSize: 256, testSize: 64 });
  const s = await createSession(sp, { backend: 'cpu', onEvent: () => {}, maxSteps: 3 });
  // The first step of an epoch uploads the batch order.
  const p = await s.profileStep();
  assert.equal(p.bytesUploaded, 4 * s.c.trainData.n);
  assert.equal(p.kernels.length, s.c.train.kernels.length);
  assert.deepEqual(p.byLayer.map((l) => l.layer), ['data', '1 · embedding', '2 · lstm', '3 · dense', 'loss', 'optimizer']);
  const lstm = p.kernels.filter((k) => k.layer === '2 · lstm');
  // T = 2·5 forward steps and as many backward ones, besides the GEMMs.
  assert.equal(lstm.filter((k) => k.op === 'lstm step').length, 10);
  assert.equal(lstm.filter((k) => k.op === 'lstm step backward').length, 10);
  assert.ok(p.byOp.some((o) => o.op === 'lstm step backward' && o.kernels === 10));
  await s.profileStep();
  assert.equal(s.step, 2);
  const loop = s.start();
  await assert.rejects(s.profileStep(), /pause training before profiling/);
  await loop;
  assert.equal(s.step, 3);
  await assert.rejects(s.profileStep(), /finished its 3 steps/);
  await s.dispose();
});

// Dawn quantises GPU timestamps (13.1 µs seen on an H100): each reading is a tick count times a
// period rounded to whole ns, so a kernel's time is a multiple of the quantum within 1 ns.
const quantised = (q: number, ticks: number[][]): number[] => ticks.map(([a, b]) => (Math.round(b * q) - Math.round(a * q)) / 1e6);

test('timerQuantumMs finds the quantum in quantised kernel times, says "fine" for ns timers and "unknown" with too few times', () => {
  const rng = new Rng(3);
  const q = 13107.2; // ns: not a whole number of ns
  const ticks = Array.from({ length: 40 }, () => {
    const a = Math.floor(rng.uniform(0, 1e6));
    return [a, a + Math.floor(rng.uniform(0, 30))]; // 0 … 29 quanta, 0 included (a kernel under one quantum)
  });
  const r = timerQuantumMs(quantised(q, ticks));
  assert.equal(r.status, 'quantised');
  assert.ok(Math.abs(r.quantumMs! * 1e6 - q) < 0.5, `quantum ${r.quantumMs! * 1e6} ns`);
  // No kernel as short as one quantum: the quantum is still found (as min / k).
  const long = ticks.map(([a, b]) => [a, b + 3]);
  assert.ok(Math.abs(timerQuantumMs(quantised(q, long)).quantumMs! * 1e6 - q) < 0.5);
  // A timer in whole ns: random times share no quantum.
  const fine = Array.from({ length: 40 }, () => Math.floor(rng.uniform(1000, 300_000)) / 1e6);
  assert.deepEqual(timerQuantumMs(fine), { status: 'fine', quantumMs: null });
  assert.equal(timerQuantumMs([0.0131, 0.0262, 0, 0]).status, 'unknown');
});

test('timerResolution flags times below 2 quanta and zeros; the text states the quantum', () => {
  const q = 0.0131; // ms
  const raw = [0, q, q, 2 * q, 3 * q, 5 * q, 8 * q, 20 * q, 40 * q];
  const r = timerResolution(raw);
  assert.equal(r.status, 'quantised');
  assert.ok(Math.abs(r.quantumMs! - q) < 1e-9);
  assert.deepEqual(r.flags, [true, true, true, false, false, false, false, false, false]);
  assert.equal(r.below, 3);
  // Means over several runs are flagged against the quantum of the raw times.
  const means = timerResolution(raw, [0.5 * q, 1.99 * q, 2.01 * q]);
  assert.deepEqual(means.flags, [true, true, false]);
  assert.equal(resolutionText(r), 'timer resolution: 13.1 µs (the quantum in these times); 3 of 9 kernel times below 2 quanta (26.2 µs): mostly quantisation, not kernel time');
  // Where no quantum is seen only zeros are flagged.
  const f = timerResolution([0, 0.001234, 0.004321, 0.0171, 0.0293, 0.1011, 0.2007]);
  assert.equal(f.status, 'fine');
  assert.deepEqual(f.flags, [true, false, false, false, false, false, false]);
});
