// Node's side of the PyTorch peer: finds a python3 that has torch, writes the benchmark's data
// (the same MNIST subset, sequences and tokens our engine trains on) as raw little-endian arrays
// for torch_bench.py, runs it once for every item, and returns its JSON.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchData } from '../bench/data.ts';
import type { MeasureOpts } from '../bench/measure.ts';

export interface TorchItem {
  name: string;
  variant: 'eager' | 'cuda-graph';
  value?: number;
  unit: string;
  ms?: number;
  all?: number[];
  iters?: number;
  batch?: number;
  /** Training items: mean loss of the first k steps, and of the same k batches after the timed ones. */
  loss_start?: number;
  loss_end?: number;
  /** The TF32 switches as read after the item (allow_tf32 for matmul and cuDNN; fp32_precision on PyTorch ≥ 2.9). */
  tf32?: Record<string, boolean | string>;
  /** True when those switches say fp32 for matmul and cuDNN convolutions (torch_bench.py's tf32_problems). */
  tf32_off?: boolean;
  error?: string;
}
export interface TorchMeta {
  torch: string;
  cuda: boolean;
  cuda_version: string | null;
  device: string;
  cudnn: number | null;
  threads: number;
  tf32: string;
  fp32_verified: boolean | string;
  fp32_conv_verified: boolean | string;
  tf32_flags: Record<string, boolean | string>;
  attention: string;
  variants: string[];
  note: string | null;
  synthetic_data: boolean;
}
export interface TorchResult { meta: TorchMeta; items: TorchItem[]; python: string }

export interface TorchConfig {
  matmul: number[];
  models: string[];
  /** Extra training items at other batch sizes ([model, batch]; bench:node's --batch): named `train <model> batch=<B>`. */
  runs?: [string, number][];
  ops: MeasureOpts;
  train: MeasureOpts;
  quiet: boolean;
}

/** The first interpreter that imports torch: --python / BENCH_PYTHON, then `python3` on PATH, then /usr/bin/python3 (Debian's python3-torch). */
export function findPython(preferred?: string): { python: string | null; tried: string[] } {
  const tried: string[] = [];
  for (const c of [preferred, process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!c || tried.includes(c)) continue;
    tried.push(c);
    const r = spawnSync(c, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120_000 });
    if (r.status === 0) return { python: c, tried };
  }
  return { python: null, tried };
}

const bytes = (a: Float32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the arrays torch_bench.py reads; returns the manifest for its config. */
function writeData(dir: string, d: BenchData): Record<string, unknown> {
  writeFileSync(join(dir, 'mnist_x.f32'), bytes(d.mnist.x));
  writeFileSync(join(dir, 'mnist_y.i32'), bytes(d.mnist.y));
  writeFileSync(join(dir, 'seq_x.f32'), bytes(d.seq.x));
  writeFileSync(join(dir, 'seq_y.f32'), bytes(d.seq.y));
  writeFileSync(join(dir, 'tok_ids.i32'), bytes(d.tokens.ids));
  writeFileSync(join(dir, 'tok_labels.i32'), bytes(d.tokens.labels));
  writeFileSync(join(dir, 'tok_weights.f32'), bytes(d.tokens.weights));
  const t = d.tokens;
  return {
    dir,
    mnist: { n: d.mnist.n },
    seq: { n: d.seq.n, T: d.seq.T, I: d.seq.I, H: d.seq.H },
    tokens: { n: t.n, T: t.T, V: t.V, D: t.D, heads: t.heads, mlp: t.mlp, layers: t.layers },
  };
}

/** Runs torch_bench.py over every item in one process; its progress goes to stderr unless quiet. */
export async function runTorch(python: string, script: string, cfg: TorchConfig, data: BenchData, timeoutMs = 30 * 60_000): Promise<TorchResult> {
  if (!existsSync(script)) throw new Error(`${script} not found`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-node-'));
  try {
    const manifest = writeData(dir, data);
    const cfgPath = join(dir, 'config.json'), outPath = join(dir, 'out.json');
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, data: manifest }));
    const tail: string[] = [];
    const status = await new Promise<number | string>((resolve) => {
      const p = spawn(python, [script, cfgPath, outPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
      const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.stderr.setEncoding('utf8');
      p.stderr.on('data', (s: string) => {
        if (!cfg.quiet) process.stderr.write(s);
        tail.push(s);
        if (tail.length > 40) tail.shift();
      });
      p.on('error', (e) => resolve(e.message));
      p.on('close', (code, sig) => {
        clearTimeout(timer);
        resolve(code ?? `killed by ${sig}`);
      });
    });
    if (status !== 0) throw new Error(`${python} ${script} failed (${status}): ${tail.join('').trim().split('\n').slice(-3).join(' | ')}`);
    return { ...(JSON.parse(readFileSync(outPath, 'utf8')) as Omit<TorchResult, 'python'>), python };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
