// Which backend a run trains on. The Backend control offers Auto, WebGPU and CPU and is remembered
// in localStorage. Auto takes WebGPU on a hardware adapter; on a software adapter (SwiftShader, a
// fallback adapter: WGSL run on the CPU) it takes the CPU backend, which is faster there, unless
// this browser has measured the model on both and found otherwise. Measured samples/s per model
// and backend are remembered too, so the reason can quote them.
import type { Backend } from './protocol.ts';

export type Picked = 'webgpu' | 'cpu';
export interface Pick { backend: Picked; why: string }
export interface ProbeInfo { webgpu: boolean; adapter: string | null; reason: string | null; software?: boolean }

const PREF_KEY = 'nn-playground.backend';
const SPEED_KEY = 'nn-playground.speed';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage blocked: nothing is remembered
  }
}

const isBackend = (v: unknown): v is Backend => v === 'auto' || v === 'webgpu' || v === 'cpu';

/** The Backend control's value: `?backend=` in the page's URL, else the remembered one, else Auto. */
export function loadBackendPref(): Backend {
  const fromUrl = typeof location === 'undefined' ? null : new URLSearchParams(location.search).get('backend');
  if (isBackend(fromUrl)) return fromUrl;
  const v = storage()?.getItem(PREF_KEY);
  return isBackend(v) ? v : 'auto';
}

export function saveBackendPref(b: Backend): void {
  try {
    storage()?.setItem(PREF_KEY, b);
  } catch {
    // full or blocked: the choice lasts for this page only
  }
}

type Speeds = Record<string, Partial<Record<Picked, number>>>;

function speeds(): Speeds {
  try {
    const v = JSON.parse(storage()?.getItem(SPEED_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Speeds) : {};
  } catch {
    return {};
  }
}

/** Remembers the samples/s a model reached on a backend (the latest figure wins). */
export function recordSpeed(model: string, backend: Picked, samplesPerS: number): void {
  if (!(samplesPerS > 0) || !Number.isFinite(samplesPerS)) return;
  const all = speeds();
  all[model] = { ...all[model], [backend]: Math.round(samplesPerS) };
  try {
    storage()?.setItem(SPEED_KEY, JSON.stringify(all));
  } catch {
    // not remembered
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Threads the CPU backend's WASM kernels get here: the processor's threads, at most 8, where the
 * page is cross-origin isolated (COOP/COEP: shared memory for the worker pool); one otherwise.
 * The training worker asks for this many; the same figure is said in the reason.
 */
export function cpuThreads(): number {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return g.crossOriginIsolated ? Math.max(1, Math.min(8, g.navigator?.hardwareConcurrency ?? 1)) : 1;
}
export const threadsText = (n: number) => (n === 1 ? '1 thread' : `${n} threads`);

/** The backend for a run of `model` and the reason in words, from the control, the probe and remembered speeds. */
export function pickBackend(pref: Backend, probe: ProbeInfo | null, model: string): Pick {
  const p = pickWithoutThreads(pref, probe, model);
  return p.backend === 'cpu' ? { ...p, why: `${p.why} · ${threadsText(cpuThreads())}` } : p;
}

function pickWithoutThreads(pref: Backend, probe: ProbeInfo | null, model: string): Pick {
  if (pref === 'cpu') return { backend: 'cpu', why: 'CPU: chosen in Backend' };
  if (pref === 'webgpu') return { backend: 'webgpu', why: 'WebGPU: chosen in Backend' };
  if (probe && !probe.webgpu) return { backend: 'cpu', why: `CPU: ${probe.reason ?? 'WebGPU is unavailable'}` };
  // Auto from here on.
  const known = speeds()[model] ?? {};
  if (known.cpu && known.webgpu) {
    const [fast, slow] = known.cpu > known.webgpu ? ['cpu', 'webgpu'] as const : ['webgpu', 'cpu'] as const;
    const name = (b: Picked) => (b === 'cpu' ? 'CPU' : probe?.software ? 'this software WebGPU adapter' : 'WebGPU');
    return { backend: fast, why: `${fast === 'cpu' ? 'CPU' : 'WebGPU'}: faster than ${name(slow)} (${fmt(known[fast]!)} vs ${fmt(known[slow]!)} samples/s, measured in this browser)` };
  }
  if (probe?.software) {
    return { backend: 'cpu', why: `CPU: faster than this software WebGPU adapter (${probe.adapter ?? 'unknown'} runs the shaders on the processor)` };
  }
  return { backend: 'webgpu', why: probe ? `WebGPU: a hardware adapter (${probe.adapter})` : 'WebGPU' };
}
