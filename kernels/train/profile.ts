// The profiler's bookkeeping: which layer and phase each kernel of the train program belongs to
// (from the graph's record of the op that produced it), and per-kernel times summed per layer and
// per op, and the timer's resolution seen in those times (timerResolution: Dawn quantises GPU
// timestamps, e.g. to 13.1 µs on an H100, so a kernel below two quanta reads 0 or one quantum and is
// flagged as below resolution). Pure functions over plain data; the timing itself is
// Backend.profile's, the step Session.profileStep's.
import type { ProfileSource, ProgramProfile } from '../backend.ts';
import type { LayerSpec } from '../model/types.ts';
import type { Compiled } from './compile.ts';

/** Where in a training step a kernel runs. */
export type Phase = 'data' | 'forward' | 'loss' | 'backward' | 'optimizer';

export interface ProfiledKernel {
  label: string; // the kernel's own label: "matmul 64x128x784"
  op: string; // the label without sizes and timestep numbers: "matmul"
  layer: string; // "2 · dense", or "data" / "loss" / "optimizer"
  phase: Phase;
  ms: number;
  /** Below two quanta of the timer (or read as 0): the figure is mostly quantisation. */
  belowResolution: boolean;
}

/**
 * The timer's resolution as seen in a profile's kernel times: 'quantised' when every non-zero time
 * is a multiple of one quantum (≥ 20 ns), 'fine' when none is found, 'unknown' with fewer than 6
 * non-zero times.
 */
export interface TimerResolution {
  status: 'quantised' | 'fine' | 'unknown';
  /** The quantum (ms) when quantised, else null. */
  quantumMs: number | null;
  /** Times under this (2 quanta; 0 when not quantised) are flagged; a time of 0 always is. */
  thresholdMs: number;
  /** How many kernel times are below the threshold. */
  below: number;
  of: number;
}

export interface LayerTime {
  layer: string;
  ms: number;
  share: number; // of the step's total, 0..1
  kernels: number;
  forwardMs: number; // data and loss kernels count as forward
  backwardMs: number; // backward and optimizer kernels
}

export interface OpTime {
  op: string;
  ms: number;
  share: number;
  kernels: number;
}

export interface StepProfile {
  /** The step this profile ran (the session's step count after it). */
  step: number;
  source: ProfileSource;
  backend: 'webgpu' | 'cpu';
  adapter: string;
  /** Sum of the kernel times (GPU time with timestamps); null when per-kernel times are unavailable. */
  totalMs: number | null;
  /** Submission to finished readback, on the CPU's clock. */
  wallMs: number;
  kernels: ProfiledKernel[];
  /** Layers in program order (data first, optimizer last). */
  byLayer: LayerTime[];
  /** Ops by time, most expensive first. */
  byOp: OpTime[];
  /** The timer's quantum seen in this step's kernel times, and how many kernels are below it. */
  resolution: TimerResolution;
  /** This step's counts (the optimizer step's uniform, plus the batch order at an epoch start). */
  dispatches: number;
  submits: number;
  bytesUploaded: number;
}

/**
 * The op of a kernel label: its words less sizes and numbers, so that every timestep of a
 * recurrent layer and every matmul shape share one name ("lstm step 3 backward" → "lstm step
 * backward", "matmul 64x128x784" → "matmul", "conv2d dx 6272x32" → "conv2d dx").
 */
export function opName(label: string): string {
  const words = label.split(/\s+/).filter((w) => w && !/^-?\d+(x\d+)*$/.test(w));
  return words.length ? words.join(' ') : label;
}

/**
 * The layer an op's output name belongs to, as the page numbers layers (from 1): "layers.1.dense"
 * → "2 · dense" with the kind of top-level layer 1; a residual's or transformer's inner ops
 * belong to the top-level layer. Names that are not layer outputs ('loss') pass through.
 */
export function layerName(origin: string, layers: readonly LayerSpec[]): string {
  const m = /^layers\.(\d+)(\.|$)/.exec(origin);
  if (!m) return origin;
  const i = Number(m[1]);
  return `${i + 1} · ${layers[i]?.kind ?? '?'}`;
}

/**
 * Layer and phase of every kernel of the compiled train program, in program order: kernels before
 * the forward pass gather (and augment) the batch, kernels after the backward pass are the
 * optimizer's (global-norm clipping included).
 */
export function attributeTrainKernels(c: Compiled): { layer: string; phase: Phase }[] {
  const g = c.trainGraph;
  const fwd = new Set(g.forward), bwd = new Set(g.backwardKernels);
  let seenModel = false;
  return c.train.kernels.map((k) => {
    const origin = g.origin.get(k);
    if (fwd.has(k) || bwd.has(k)) {
      seenModel = true;
      const phase: Phase = origin === 'loss' ? 'loss' : fwd.has(k) ? 'forward' : 'backward';
      return { layer: origin ? layerName(origin, c.spec.layers) : '?', phase };
    }
    return seenModel ? { layer: 'optimizer', phase: 'optimizer' } : { layer: 'data', phase: 'data' };
  });
}

/** Sums per layer (in order of first appearance) and per op (by time, most first), with shares of the total. */
export function aggregate(kernels: readonly { label: string; layer: string; phase?: Phase; ms: number }[]): {
  totalMs: number; byLayer: LayerTime[]; byOp: OpTime[];
} {
  const totalMs = kernels.reduce((s, k) => s + k.ms, 0);
  const share = (ms: number) => (totalMs > 0 ? ms / totalMs : 0);
  const layers = new Map<string, LayerTime>();
  const ops = new Map<string, OpTime>();
  for (const k of kernels) {
    let l = layers.get(k.layer);
    if (!l) layers.set(k.layer, (l = { layer: k.layer, ms: 0, share: 0, kernels: 0, forwardMs: 0, backwardMs: 0 }));
    l.ms += k.ms;
    l.kernels++;
    if (k.phase === 'backward' || k.phase === 'optimizer') l.backwardMs += k.ms;
    else l.forwardMs += k.ms;
    const name = opName(k.label);
    let o = ops.get(name);
    if (!o) ops.set(name, (o = { op: name, ms: 0, share: 0, kernels: 0 }));
    o.ms += k.ms;
    o.kernels++;
  }
  for (const l of layers.values()) l.share = share(l.ms);
  for (const o of ops.values()) o.share = share(o.ms);
  const byOp = [...ops.values()].sort((a, b) => b.ms - a.ms || a.op.localeCompare(b.op));
  return { totalMs, byLayer: [...layers.values()], byOp };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The timer's quantum from observed durations (each the difference of two readings, so a multiple
 * of the quantum): the largest min/k (k = 1 … 64, at least 20 ns) that every non-zero duration is
 * a multiple of within 2 ns (readings converted from ticks to whole ns), else the durations' GCD
 * in whole ns when that is at least 20 ns. Too few non-zero durations (< 6): unknown.
 */
export function timerQuantumMs(durationsMs: readonly number[]): { status: TimerResolution['status']; quantumMs: number | null } {
  const ns = durationsMs.map((ms) => Math.round(ms * 1e6)).filter((v) => v > 0);
  if (ns.length < 6) return { status: 'unknown', quantumMs: null };
  const min = Math.min(...ns);
  for (let k = 1; k <= 64 && min / k >= 20; k++) {
    const q = min / k;
    if (ns.every((v) => Math.abs(v - Math.round(v / q) * q) <= Math.max(2, q * 1e-3))) return { status: 'quantised', quantumMs: q / 1e6 };
  }
  const g = ns.reduce(gcd);
  return g >= 20 ? { status: 'quantised', quantumMs: g / 1e6 } : { status: 'fine', quantumMs: null };
}

/** The resolution of a set of kernel times (all runs' raw times for the quantum), and which of `ms` are below 2 quanta. */
export function timerResolution(rawMs: readonly number[], ms: readonly number[] = rawMs): TimerResolution & { flags: boolean[] } {
  const { status, quantumMs } = timerQuantumMs(rawMs);
  const thresholdMs = quantumMs === null ? 0 : 2 * quantumMs;
  const flags = ms.map((t) => t <= 0 || t < thresholdMs);
  return { status, quantumMs, thresholdMs, below: flags.filter(Boolean).length, of: ms.length, flags };
}

/** One line on the timer's resolution, for the text reports. */
export function resolutionText(r: TimerResolution): string {
  const us = (ms: number) => `${(ms * 1000).toPrecision(3)} µs`;
  const flagged = `${r.below} of ${r.of} kernel times below ${r.thresholdMs > 0 ? `2 quanta (${us(r.thresholdMs)})` : 'resolution (read as 0)'}: mostly quantisation, not kernel time`;
  if (r.status === 'quantised') return `timer resolution: ${us(r.quantumMs!)} (the quantum in these times); ${flagged}`;
  if (r.status === 'fine') return `timer resolution: finer than 20 ns (no coarser quantum in these times); ${flagged}`;
  return `timer resolution: unknown (fewer than 6 non-zero times); ${flagged}`;
}

/** A profiled run of c's train program, attributed and summed. */
export function stepProfile(c: Compiled, r: ProgramProfile, rest: Pick<StepProfile, 'step' | 'wallMs' | 'backend' | 'adapter' | 'dispatches' | 'submits' | 'bytesUploaded'>): StepProfile {
  if (r.source === 'none') {
    const resolution: TimerResolution = { status: 'unknown', quantumMs: null, thresholdMs: 0, below: 0, of: 0 };
    return { ...rest, source: r.source, totalMs: null, kernels: [], byLayer: [], byOp: [], resolution };
  }
  const where = attributeTrainKernels(c);
  if (r.kernels.length !== where.length) throw new Error(`profile: ${r.kernels.length} kernel times for ${where.length} kernels`);
  const { flags, ...resolution } = timerResolution(r.kernels.map((k) => k.ms));
  const kernels = r.kernels.map((k, i): ProfiledKernel => ({ label: k.label, op: opName(k.label), ...where[i], ms: k.ms, belowResolution: flags[i] }));
  const { totalMs, byLayer, byOp } = aggregate(kernels);
  return { ...rest, source: r.source, totalMs, kernels, byLayer, byOp, resolution };
}

/** A plain-text report: the source, totals and counts, then tables by layer and by op (top `topOps`). */
export function formatProfile(p: StepProfile, topOps = 10): string {
  const src = p.source === 'timestamp-query' ? 'GPU timestamps' : p.source === 'cpu-clock' ? 'CPU clock' : 'unavailable (no timestamp-query on this device)';
  const ms = (x: number) => x.toFixed(3).padStart(9);
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`;
  const lines = [
    `profile of step ${p.step} on ${p.backend} (${p.adapter}): per-kernel times from ${src}`,
    `kernel time ${p.totalMs === null ? 'n/a' : `${p.totalMs.toFixed(3)} ms`}, wall ${p.wallMs.toFixed(1)} ms; ${p.dispatches} dispatches, ${p.submits} submission${p.submits === 1 ? '' : 's'}, ${p.bytesUploaded} bytes uploaded this step`,
  ];
  if (p.totalMs === null) return lines.join('\n');
  lines.push(resolutionText(p.resolution));
  const w = Math.max(5, ...p.byLayer.map((l) => l.layer.length));
  lines.push('', `${'layer'.padEnd(w)}        ms   share  kernels  forward ms  backward ms`);
  for (const l of p.byLayer)
    lines.push(`${l.layer.padEnd(w)} ${ms(l.ms)} ${pct(l.share)} ${String(l.kernels).padStart(8)} ${ms(l.forwardMs).padStart(11)} ${ms(l.backwardMs).padStart(12)}`);
  const ops = p.byOp.slice(0, topOps);
  const wo = Math.max(2, ...ops.map((o) => o.op.length));
  lines.push('', `${'op'.padEnd(wo)}        ms   share  kernels${p.byOp.length > topOps ? `   (top ${topOps} of ${p.byOp.length})` : ''}`);
  for (const o of ops) lines.push(`${o.op.padEnd(wo)} ${ms(o.ms)} ${pct(o.share)} ${String(o.kernels).padStart(8)}`);
  return lines.join('\n');
}
