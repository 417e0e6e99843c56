// Browser side of the kernel profiler: compiles a preset's training step and times each of its
// kernels alone (its own one-dispatch program, replayed `runs` times, then one idle wait), and the
// whole step the same way. Wall-clock per kernel: what a software adapter spends, and on a real
// GPU an upper bound that includes submission overhead. Reports through the exposed __report.
import { createSession } from '../kernels/train/session.ts';
import { presetSpec } from '../kernels/spec/presets.ts';
import type { BackendChoice } from '../kernels/engine.ts';

declare const __report: (json: string) => Promise<void>;
const g = globalThis as { __ready?: boolean };

(async () => {
  g.__ready = true;
  const { preset, backend, runs } = JSON.parse(decodeURIComponent(location.hash.slice(1))) as { preset: string; backend: BackendChoice; runs: number };
  try {
    const s = await createSession(presetSpec(preset), {
      backend, dataUrl: new URL('mnist/', location.href).toString(), textUrl: location.href, onEvent: () => {},
    });
    const be = s.backend;
    const params = { step: 1, batchStart: 0, lr: 1e-4, seed: 1, rows: s.c.batch };
    const time = async (p: ReturnType<typeof be.program>): Promise<number> => {
      for (let i = 0; i < 2; i++) be.run(p, params); // warm-up: pipeline compilation, first-touch
      await be.idle();
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) be.run(p, params);
      await be.idle();
      return (performance.now() - t0) / runs;
    };
    const step = await time(s.c.train);
    const kernels = [];
    for (const k of s.c.train.kernels) kernels.push({ label: k.label, ms: await time(be.program(k.label, [k])) });
    await __report(JSON.stringify({ preset, adapter: s.info.adapter, backend: s.info.backend, dispatches: s.c.train.dispatches, step, kernels }));
    await s.dispose();
  } catch (e) {
    await __report(JSON.stringify({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }));
  }
})();
