// Headless trainer: `npm run train -- (--preset NAME | --spec FILE.json) [--epochs N] [--steps N]
// [--batch N] [--lr X] [--seed N] [--backend webgpu|cpu] [--threads N] [--json] [--sample PROMPT [--temperature T]] [--profile] [--weights FILE]`.
// Runs the engine in headless Chromium (WebGPU on whatever adapter it has), or for --backend cpu in
// Node itself (the WASM kernels on a pool of worker_threads: --threads N, default
// os.availableParallelism()), and prints one line per evaluation, then a final one. --sample: a character model's text after training, 200 characters.
// --profile: the last step runs profiled (GPU timestamps where the adapter has them) and its times
// are printed by layer and by op, with its dispatch, submission and upload counts.
// --weights FILE.safetensors: start from a checkpoint. A spec file and a weights file pass the same
// checks as a share link and a file loaded in the page (scripts/lib/spec-file.ts, train/checkpoint.ts),
// before the browser starts: a bad one exits 2 naming the field or tensor.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PRESETS } from '../kernels/model/presets.ts';
import type { ModelSpec } from '../kernels/model/types.ts';
import { loadSpec } from './lib/spec-file.ts';
import { readFileSync, statSync } from 'node:fs';
import { weightsProblem } from '../kernels/train/checkpoint.ts';
import { launch, pageWith, ROOT, serve } from './lib/browser.ts';
import { availableParallelism } from 'node:os';
import { runTraining } from './lib/train-run.ts';
import { setThreads, stopThreads, threadCount, threadsReason } from '../kernels/wasm/index.ts';

function fail(msg: string): never {
  console.error(`train: ${msg}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      preset: { type: 'string' }, spec: { type: 'string' }, epochs: { type: 'string' }, steps: { type: 'string' },
      batch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' },
      json: { type: 'boolean' }, 'eval-every': { type: 'string' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' },
      sample: { type: 'string' }, temperature: { type: 'string' }, profile: { type: 'boolean' }, weights: { type: 'string' },
      threads: { type: 'string' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail((e as Error).message);
}
const num = (name: string, v: string | undefined, int: boolean): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n))) fail(`--${name} must be ${int ? 'an integer' : 'a number'}, got "${v}"`);
  return n;
};

if (!!args.preset === !!args.spec) fail(`give exactly one of --preset NAME (${Object.keys(PRESETS).join(', ')}) or --spec FILE.json`);
const backend = args.backend ?? 'webgpu';
const epochs = num('epochs', args.epochs, true), batch = num('batch', args.batch, true), lr = num('lr', args.lr, false);
const seed = num('seed', args.seed, true), steps = num('steps', args.steps, true), evalEvery = num('eval-every', args['eval-every'], true);
let spec: ModelSpec;
try {
  spec = loadSpec({ preset: args.preset, file: args.spec }, { epochs, batchSize: batch, lr, evalEverySteps: evalEvery, seed });
} catch (e) {
  fail((e as Error).message);
}
if (backend !== 'webgpu' && backend !== 'cpu') fail(`--backend must be webgpu or cpu, got "${backend}"`);
if (steps !== undefined && steps < 1) fail('--steps must be at least 1');
const threads = num('threads', args.threads, true) ?? availableParallelism();
if (args.threads !== undefined && backend !== 'cpu') fail('--threads is for --backend cpu (the CPU backend\'s WASM kernels)');
if (threads < 1 || threads > 16) fail(`--threads must be 1 … 16, got ${threads}`);
let weights: Uint8Array | undefined;
if (args.weights !== undefined) {
  try {
    if (statSync(args.weights).size > 1024 ** 3) fail(`weights ${args.weights} is over 1 GiB`);
    weights = new Uint8Array(readFileSync(args.weights));
  } catch (e) { fail(`cannot read weights ${args.weights}: ${(e as Error).message}`); }
  const why = weightsProblem(spec, weights);
  if (why) fail(`weights ${args.weights}: ${why}`);
}

const temperature = num('temperature', args.temperature, false) ?? 0.8;
if (temperature <= 0) fail('--temperature must be above 0');
if (args.sample !== undefined && !(spec.dataset.kind === 'task' && spec.dataset.name === 'char')) fail('--sample needs a character-level model (dataset task "char")');
const sample = args.sample !== undefined ? { prompt: args.sample, n: 200, temperature } : undefined;
const cfg = { spec, backend, sample, profile: !!args.profile, weights: weights !== undefined, maxSteps: steps, trainLimit: num('train-limit', args['train-limit'], true), testLimit: num('test-limit', args['test-limit'], true) };
const t0 = performance.now();
const browser = backend === 'cpu' ? null : await launch({ webgpu: true });
let last: Record<string, unknown> = {};
let ready: Record<string, unknown> = {};
let counters: Record<string, number> = {};
let done: Record<string, unknown> = {};
let reached99: { step: number; wall_s: number } | null = null; // first evaluation with ≥ 99% whole-sequence accuracy
let finished!: (msg: string) => void;
const over = new Promise<string>((r) => (finished = r));
const out = (o: Record<string, unknown>) => {
  if (args.json) console.log(JSON.stringify(o));
  else console.log(Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(5) : v}`).join(' '));
};
const weightsB64 = async () => Buffer.from(weights ?? new Uint8Array()).toString('base64');
const emit = (json: string) => {
  const e = JSON.parse(json);
  if (e.type === 'ready') ready = e;
  else if (e.type === 'metrics') last = e;
  else if (e.type === 'counters') counters = e;
  else if (e.type === 'profile') console.log(args.json ? JSON.stringify({ profile: e.profile }) : e.text);
  else if (e.type === 'sample') out({ sample_prompt: e.prompt, temperature: e.temperature, sample: JSON.stringify(e.text) });
  else if (e.type === 'done' || e.type === 'error') done = e;
  else if (e.type === 'fatal') finished(e.message || (done.type === 'error' ? String(done.message) : ''));
  if (e.type === 'eval' && !reached99 && (e.test_seq_accuracy ?? 0) >= 0.99) reached99 = { step: e.step, wall_s: (performance.now() - t0) / 1000 };
  if (e.type === 'eval') {
    out({
      step: e.step, epoch: e.epoch, loss: last.loss ?? null, train_accuracy: last.train_accuracy ?? null,
      test_loss: e.test_loss, test_accuracy: e.test_accuracy, samples_per_s: last.samples_per_s ?? null,
      // Sequence tasks: token accuracy is train/test_accuracy; whole-sequence accuracy here.
      ...(e.test_seq_accuracy !== undefined ? { train_seq_accuracy: last.train_seq_accuracy ?? null, test_seq_accuracy: e.test_seq_accuracy } : {}),
      backend: ready.backend, adapter: ready.adapter, dispatches_per_step: ready.dispatchesPerStep, submits_per_step: last.submits_per_step ?? 1, ...threadsField(),
    });
  }
};
/** --backend cpu: the threads the CPU backend's kernels ran on. */
const threadsField = () => (backend === 'cpu' ? { threads: threadCount(), ...(threadsReason() && threads > 1 ? { threads_why: threadsReason() } : {}) } : {});
let server;
if (browser) {
  ({ server } = await pageWith(browser, join(ROOT, 'scripts', 'train-entry.ts'), [join(ROOT, 'public')], {
    __weights: weightsB64 as never, __emit: emit as never,
  }, encodeURIComponent(JSON.stringify(cfg))));
} else {
  // The CPU backend in Node: MNIST from the same files, served on loopback; the pool starts in CpuBackend.ready().
  setThreads(threads);
  const files = await serve([join(ROOT, 'public')]);
  server = files.server;
  await runTraining({ ...cfg, backend: 'cpu' }, `${files.url}/mnist/`, emit, weightsB64);
}
const err = await over;
const ran = threadsField();
await browser?.close();
server.close();
await stopThreads(); // the workers sleep unref'd, but end them before the last line
if (err) fail(err);
const wall = (performance.now() - t0) / 1000;
out({ final: true, preset: args.preset ?? args.spec, steps: counters.steps, reason: done.reason, message: done.message, wall_s: wall, submits_per_step: counters.submits / counters.steps, dispatches_per_step: ready.dispatchesPerStep, backend: ready.backend, adapter: ready.adapter, ...ran, ...(reached99 ? { seq_accuracy_99_at: reached99 } : {}) });
if (done.reason === 'diverged') process.exit(1);
