// `bench:node --profile`: where each reference model's training step spends its GPU time on this
// adapter, from timestamp queries (Backend.profile): the mean of 5 profiled steps after 3 plain
// ones, summed per op (aggregate, as the page's profiler) and listed per kernel (the slowest
// first). The timer's quantum is measured from the raw per-run times (timerResolution: Dawn
// quantises timestamps, 13.1 µs on an H100), stated, and every kernel whose mean is below two
// quanta is flagged (below_resolution): its figure is mostly quantisation. One JSON line per model.
import { aggregate, resolutionText, timerResolution } from '../../kernels/train/profile.ts';
import type { BenchData } from '../bench/data.ts';
import { errText } from '../bench/measure.ts';
import { ourModel, type ModelName } from '../bench/ours.ts';

const RUNS = 5;

export async function profileModel(m: ModelName, data: BenchData): Promise<Record<string, unknown>> {
  const w = await ourModel(m, 'webgpu', data);
  try {
    for (let i = 0; i < 3; i++) w.iter(i);
    await w.sync();
    // Mean time of each kernel (by position) over the runs.
    let kernels: { label: string; layer: string; ms: number }[] = [];
    let source = 'none', wall = 0;
    const raw: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const p = await w.profile!();
      source = p.source;
      wall += p.wallMs / RUNS;
      if (!kernels.length) kernels = p.kernels.map((k) => ({ label: k.label, layer: '', ms: 0 }));
      p.kernels.forEach((k, i) => (kernels[i].ms += k.ms / RUNS));
      raw.push(...p.kernels.map((k) => k.ms));
    }
    const { totalMs, byOp } = aggregate(kernels);
    const { flags, ...res } = timerResolution(raw, kernels.map((k) => k.ms));
    const below = new Set(kernels.filter((_, i) => flags[i]));
    return {
      profile: m, source, kernels: kernels.length, gpu_ms: totalMs, wall_ms: wall,
      timer_resolution: {
        status: res.status, quantum_us: res.quantumMs === null ? null : res.quantumMs * 1000, threshold_us: res.thresholdMs * 1000,
        kernels_below: res.below, of: res.of, text: resolutionText(res),
      },
      // The kernels below resolution: their share of gpu_ms is not a measurement.
      below_resolution_ms: kernels.filter((k) => below.has(k)).reduce((a, k) => a + k.ms, 0),
      by_op: byOp,
      slowest: [...kernels].sort((a, b) => b.ms - a.ms).slice(0, 12).map((k) => ({ label: k.label, ms: k.ms, below_resolution: below.has(k) })),
    };
  } catch (e) {
    return { profile: m, error: errText(e) };
  } finally {
    await w.dispose();
  }
}

export function printProfile(r: Record<string, unknown>): void {
  if (r.error) return void console.log(`  profile ${r.profile}: ${r.error}`);
  const f = (x: number) => `${(x * 1000).toFixed(1).padStart(8)} µs`;
  console.log(`  profile ${r.profile}: ${r.kernels} kernels, GPU ${f(r.gpu_ms as number)} (${r.source}), wall ${f(r.wall_ms as number)}`);
  console.log(`    ${(r.timer_resolution as { text: string }).text}; together ${f(r.below_resolution_ms as number)}`);
  for (const o of r.by_op as { op: string; ms: number; kernels: number }[]) console.log(`    ${o.op.padEnd(28)} ${f(o.ms)} ×${o.kernels}`);
  for (const k of r.slowest as { label: string; ms: number; below_resolution: boolean }[])
    console.log(`      ${k.label.slice(0, 40).padEnd(40)} ${f(k.ms)}${k.below_resolution ? '  (below resolution)' : ''}`);
}
