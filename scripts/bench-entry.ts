// Browser side of `npm run bench`: this engine and TensorFlow.js on the same work, in one page and
// on one adapter. Each item measures ours, then the peer, and reports one JSON object through the
// exposed __report; __done ends the run. A failure on either side is recorded in the item
// (error fields) and the run goes on; a training side whose loss is not finite or did not fall is
// refused (measure.ts comparison), and bench.ts then exits non-zero.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadBenchData } from './bench/data.ts';
import { comparison, errText, runSide as run, type MeasureOpts, type Side, type Timing, type Work } from './bench/measure.ts';
import { CONV_CASES, convFlops, MODELS, ourConv, ourMatmul, ourModel } from './bench/ours.ts';
import { tfConv, tfMatmul } from './bench/tfjs-ops.ts';
import { tfModel, tfWork } from './bench/tfjs-models.ts';
import { setThreads } from '../kernels/wasm/index.ts';

declare const __report: (json: string) => Promise<void>;
declare const __done: () => Promise<void>;
interface Config { quick: boolean; only?: string }

const cfg = JSON.parse(decodeURIComponent(location.hash.slice(1))) as Config;

let itemStart = performance.now();
async function report(name: string, unit: string, ours: Side, peer: Side, extra: Record<string, unknown>): Promise<void> {
  const wall_s = Math.round((performance.now() - itemStart) / 100) / 10;
  itemStart = performance.now();
  const r = { ...comparison(name, unit, ours, peer), ...extra, wall_s };
  await __report(JSON.stringify(r));
}

const wants = (name: string): boolean => !cfg.only || new RegExp(cfg.only).test(name);

const samplesPerS = (t: Timing, w: Work): number => (1000 * w.batch) / t.ms;

async function setTfBackend(name: string): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return `tf.setBackend('${name}') failed`;
    await tf.ready();
    return null;
  } catch (e) {
    return errText(e);
  }
}

(async () => {
  try {
    const quick = cfg.quick;
    const gpuOps: MeasureOpts = quick ? { reps: 3, targetMs: 1000, maxIters: 20 } : { reps: 5, targetMs: 2500, maxIters: 50, slowMs: 20_000 };
    const gpuTrain: MeasureOpts = quick ? { reps: 3, targetMs: 1500, maxIters: 8 } : { reps: 5, targetMs: 3000, maxIters: 20, slowMs: 20_000 };
    // CPU steps take 0.2–5 s here: --quick makes 2 + 3 + 2 steps per side (a few minutes for the part).
    const cpuTrain: MeasureOpts = quick ? { reps: 3, targetMs: 500, maxIters: 1, lossSteps: 2 } : { reps: 3, targetMs: 1000, maxIters: 4 };
    const adapter = await navigator.gpu?.requestAdapter();
    await __report(JSON.stringify({
      meta: true, quick, adapter: adapter ? `${adapter.info.vendor || '?'} ${adapter.info.architecture || ''}`.trim() : 'none',
      userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, tfjs: tf.version_core,
    }));
    const data = await loadBenchData(new URL('mnist/', location.href).toString());
    itemStart = performance.now();

    const tfErr = await setTfBackend('webgpu');
    const peerFail = (): Side => ({ value: null, ms: null, error: tfErr! });
    const gflops = (flop: number) => (t: Timing) => flop / t.ms / 1e6;

    for (const n of quick ? [256, 512, 1024] : [256, 512, 1024, 2048]) {
      const name = `matmul n=${n}`;
      if (!wants(name)) continue;
      const ours = await run(() => ourMatmul(n), gpuOps, gflops(2 * n ** 3));
      const peer = tfErr ? peerFail() : await run(() => tfMatmul(n), gpuOps, gflops(2 * n ** 3));
      await report(name, 'GFLOP/s', ours, peer, { backend: 'webgpu', peer_backend: 'tfjs-webgpu' });
    }
    for (const c of CONV_CASES)
      for (const pass of ['forward', 'backward'] as const) {
        const name = `conv2d ${c.name} ${pass}`;
        if (!wants(name)) continue;
        const flop = convFlops(c) * (pass === 'forward' ? 1 : 2);
        const ours = await run(() => ourConv(c, pass), gpuOps, gflops(flop));
        const peer = tfErr ? peerFail() : await run(() => tfConv(c, pass), gpuOps, gflops(flop));
        await report(name, 'GFLOP/s', ours, peer, {
          backend: 'webgpu', peer_backend: 'tfjs-webgpu', shape: `N=${c.N} ${c.H}×${c.W}×${c.C} → ${c.F} ${c.K}×${c.K} same`,
        });
      }
    for (const m of MODELS) {
      const name = `train ${m}`;
      if (!wants(name)) continue;
      const ours = await run(() => ourModel(m, 'webgpu', data), gpuTrain, samplesPerS);
      const peer = tfErr ? peerFail() : await run(() => tfWork(tfModel(m, data)), gpuTrain, samplesPerS);
      await report(name, 'samples/s', ours, peer, { backend: 'webgpu', peer_backend: 'tfjs-webgpu' });
    }

    // The CPU part, in --quick too (fewer, shorter repetitions): ours on the CPU backend against
    // tfjs 'cpu' (plain JS, one thread) and 'wasm' (XNNPACK), at equal threads, each line naming
    // both sides' threads as they report them. XNNPACK's pool is asked for every core the page
    // reports (before the backend initialises); what it then says it uses is read back first, and
    // ours runs on that many. Where ours can use more (the page's cores, at most 8), one more line
    // per model gives that figure against the same peer run, its name saying the threads differ.
    setWasmPaths(new URL('tfjs-wasm/', location.href).toString());
    const cores = navigator.hardwareConcurrency;
    const wasmThreads = crossOriginIsolated ? cores : 1;
    setThreadsCount(wasmThreads);
    const wasmErr = await setTfBackend('wasm');
    const peerWasmThreads = wasmErr ? 1 : getThreadsCount();
    const mt = wasmErr ? undefined : await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const oursMax = crossOriginIsolated ? Math.min(8, cores) : 1;
    const oursOn = async (m: (typeof MODELS)[number], threads: number): Promise<{ side: Side; threads: number | null }> => {
      setThreads(threads, { pageMainThread: true }); // the pool starts when the model's CpuBackend is ready
      let got: number | null = null;
      const side = await run(async () => {
        const w = await ourModel(m, 'cpu', data);
        got = w.threads ?? 1;
        return w;
      }, cpuTrain, samplesPerS);
      return { side, threads: got };
    };
    for (const m of MODELS) {
      const name = `train ${m} cpu`;
      if (!wants(name)) continue;
      const one = await oursOn(m, 1);
      const equal = peerWasmThreads === 1 ? one : await oursOn(m, peerWasmThreads);
      let wasmPeer: Side | null = null;
      for (const peerBackend of ['cpu', 'wasm'] as const) {
        const err = await setTfBackend(peerBackend);
        const threads = err ? null : peerBackend === 'wasm' ? getThreadsCount() : 1; // tfjs-cpu: plain JS on the page's thread
        const peer = err ? { value: null, ms: null, error: err } : await run(() => tfWork(tfModel(m, data), threads), cpuTrain, samplesPerS);
        if (peerBackend === 'wasm') wasmPeer = peer;
        const ours = peerBackend === 'cpu' ? one : equal;
        await report(`${name} vs tfjs-${peerBackend}`, 'samples/s', ours.side, peer, {
          backend: 'cpu', peer_backend: `tfjs-${peerBackend}`, threads_ours: ours.threads, threads_peer: threads,
          ...(peerBackend === 'wasm' ? { peer_threads_requested: wasmThreads, peer_multithread_support: mt } : {}),
        });
      }
      if (oursMax > peerWasmThreads && wasmPeer) {
        const many = await oursOn(m, oursMax);
        await report(`${name} on ${oursMax} threads vs tfjs-wasm on ${peerWasmThreads} (unequal threads)`, 'samples/s', many.side, wasmPeer, {
          backend: 'cpu', peer_backend: 'tfjs-wasm', threads_ours: many.threads, threads_peer: peerWasmThreads, unequal_threads: true,
          peer_threads_requested: wasmThreads, peer_multithread_support: mt,
        });
      }
    }
    setThreads(1);
  } catch (e) {
    await __report(JSON.stringify({ fatal: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) }));
  }
  await __done();
})();
