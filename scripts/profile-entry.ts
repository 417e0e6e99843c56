// Browser side of the kernel profiler: compiles a preset's training step and times its kernels.
// Where the backend can time kernels inside one step (WebGPU timestamp queries, or the CPU clock
// on the CPU backend), `runs` profiled steps (Backend.profile) are averaged per kernel. Otherwise,
// or with `wall`, each kernel is timed alone by wall clock: its own one-dispatch program replayed
// `runs` times, then one idle wait (what a software adapter spends; on a real GPU an upper bound
// that includes submission overhead). The whole step is timed by wall clock either way. Kernels
// carry their layer and phase (kernels/train/profile.ts). Reports through the exposed __report.
import { createSession } from '../kernels/train/session.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import type { BackendChoice } from '../kernels/engine.ts';
import { attributeTrainKernels } from '../kernels/train/profile.ts';

declare const __report: (json: string) => Promise<void>;
const g = globalThis as { __ready?: boolean };

(async () => {
  g.__ready = true;
  const { preset, backend, runs, wall } = JSON.parse(decodeURIComponent(location.hash.slice(1))) as { preset: string; backend: BackendChoice; runs: number; wall: boolean };
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
    const where = attributeTrainKernels(s.c);
    const ks = s.c.train.kernels;
    let source = 'wall-clock';
    let ms: number[] = [];
    if (!wall) {
      // A profile that has no per-kernel source says so ('none'), and the wall-clock mode follows.
      const first = await be.profile(s.c.train, params); // warm-up, and the source
      if (first.source !== 'none') {
        source = first.source;
        ms = ks.map(() => 0);
        for (let r = 0; r < runs; r++) (await be.profile(s.c.train, params)).kernels.forEach((k, i) => (ms[i] += k.ms / runs));
      }
    }
    if (source === 'wall-clock') for (const k of ks) ms.push(await time(be.program(k.label, [k])));
    const kernels = ks.map((k, i) => ({ label: k.label, ...where[i], ms: ms[i] }));
    await __report(JSON.stringify({ preset, adapter: s.info.adapter, backend: s.info.backend, dispatches: s.c.train.dispatches, step, source, kernels }));
    await s.dispose();
  } catch (e) {
    await __report(JSON.stringify({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }));
  }
})();
