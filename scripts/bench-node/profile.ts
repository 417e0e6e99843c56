// `bench:node --profile`: where each reference model's training step spends its GPU time on this
// adapter, from timestamp queries (Backend.profile): the mean of 5 profiled steps after 3 plain
// ones, summed per op and listed per kernel (the slowest first). One JSON line per model.
import { opName } from '../../kernels/train/profile.ts';
import type { BenchData } from '../bench/data.ts';
import { errText } from '../bench/measure.ts';
import { ourModel, type ModelName } from '../bench/ours.ts';

const RUNS = 5;

export async function profileModel(m: ModelName, data: BenchData): Promise<Record<string, unknown>> {
  const w = await ourModel(m, 'webgpu', data);
  try {
    for (let i = 0; i < 3; i++) w.iter(i);
    await w.sync();
    const sums = new Map<string, { label: string; ms: number }>();
    let source = 'none', wall = 0, n = 0;
    for (let r = 0; r < RUNS; r++) {
      const p = await w.profile!();
      source = p.source;
      wall += p.wallMs / RUNS;
      n = p.kernels.length;
      p.kernels.forEach((k, i) => {
        const key = `${i}`;
        const s = sums.get(key) ?? { label: k.label, ms: 0 };
        s.ms += k.ms / RUNS;
        sums.set(key, s);
      });
    }
    const kernels = [...sums.values()];
    const total = kernels.reduce((t, k) => t + k.ms, 0);
    const ops = new Map<string, { op: string; ms: number; kernels: number }>();
    for (const k of kernels) {
      const o = ops.get(opName(k.label)) ?? { op: opName(k.label), ms: 0, kernels: 0 };
      o.ms += k.ms;
      o.kernels++;
      ops.set(o.op, o);
    }
    return {
      profile: m, source, kernels: n, gpu_ms: total, wall_ms: wall,
      by_op: [...ops.values()].sort((a, b) => b.ms - a.ms),
      slowest: [...kernels].sort((a, b) => b.ms - a.ms).slice(0, 12),
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
  for (const o of r.by_op as { op: string; ms: number; kernels: number }[]) console.log(`    ${o.op.padEnd(28)} ${f(o.ms)} ×${o.kernels}`);
  for (const k of r.slowest as { label: string; ms: number }[]) console.log(`      ${k.label.slice(0, 40).padEnd(40)} ${f(k.ms)}`);
}
