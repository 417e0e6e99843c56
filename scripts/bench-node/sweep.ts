// `bench:node --sweep`: times every matmul kernel and tile shape on a set of problems, to choose
// the large kernel's tiles (kernels/gpu/backend.ts LARGE_TILES) from a real GPU's figures, and
// checks each result first (a wrong kernel is reported, never timed). Before each kernel's product
// the output buffer is filled with NaN, so a kernel that leaves entries unwritten cannot pass on its
// predecessor's result; every entry must then be finite and match a float64 reference: the whole
// product where it has at most 2^31 multiply-adds (computed once per problem), else 512 sampled
// entries. One JSON line per problem and kernel: GFLOP/s, median ms, max relative error, entries checked.
import type { Backend, MatmulOpts, Tensor } from '../../kernels/backend.ts';
import { createBackend } from '../../kernels/engine.ts';
import { largeTileInvalid, tileName, type LargeTile } from '../../kernels/ops/matmul/large.wgsl.ts';
import { Rng } from '../../kernels/rng.ts';
import { errText, measure, type MeasureOpts } from '../bench/measure.ts';

export interface SweepProblem { name: string; M: number; N: number; K: number; transA?: boolean; transB?: boolean; batch?: number }

/** The reference models' large products and square ones; `small` for a CPU adapter. */
export function sweepProblems(small: boolean): SweepProblem[] {
  if (small) return [
    { name: 'square 256', M: 256, N: 256, K: 256 },
    { name: 'ragged 200x132x92 NT', M: 200, N: 132, K: 92, transB: true },
    { name: 'ragged 132x200x68 TN', M: 132, N: 200, K: 68, transA: true },
  ];
  return [
    { name: 'square 4096', M: 4096, N: 4096, K: 4096 },
    { name: 'square 1024', M: 1024, N: 1024, K: 1024 },
    // mlp-mnist, batch 128: forward x·W1, dx = dz·W2ᵀ, dW2 = h1ᵀ·dz.
    { name: 'mlp fwd 128x1024x784', M: 128, N: 1024, K: 784 },
    { name: 'mlp dx 128x1024x1024 NT', M: 128, N: 1024, K: 1024, transB: true },
    { name: 'mlp dW 1024x1024x128 TN', M: 1024, N: 1024, K: 128, transA: true },
    // the classifiers (few outputs, long K), a transformer weight gradient over 1,024 tokens.
    { name: 'mlp logits 128x10x1024', M: 128, N: 10, K: 1024 },
    { name: 'cnn logits 64x10x784', M: 64, N: 10, K: 784 },
    { name: 'transformer dW 64x192x1024 TN', M: 64, N: 192, K: 1024, transA: true },
    // the LSTM's gates (batch 32, 4·128 gates, input + hidden 136) and the transformer's MLP (1024 tokens).
    { name: 'lstm gates 32x512x136', M: 32, N: 512, K: 136 },
    { name: 'transformer mlp 1024x256x64', M: 1024, N: 256, K: 64 },
  ];
}

const T = (bm: number, bn: number, bk: number, tm: number, tn: number, double = true): LargeTile => ({ bm, bn, bk, tm, tn, double });

/** Kernels to try: the tiled kernel, the register kernel, and large tiles. */
export function sweepKernels(small: boolean): { name: string; opts: MatmulOpts }[] {
  const tiles = small
    ? [T(32, 32, 8, 4, 4), T(64, 32, 16, 8, 4, false), T(32, 64, 8, 4, 8), T(64, 64, 16, 4, 4)]
    : [
      T(128, 128, 8, 8, 8), T(128, 128, 16, 8, 8), T(128, 128, 16, 8, 8, false), T(128, 128, 32, 8, 8, false),
      T(64, 128, 16, 4, 8), T(64, 128, 8, 4, 8), T(64, 128, 16, 4, 8, false), T(128, 64, 16, 8, 4),
      T(64, 64, 16, 4, 4), T(64, 64, 32, 4, 4), T(128, 256, 8, 8, 16), T(64, 256, 8, 4, 16),
      T(128, 128, 8, 8, 8, false), T(32, 64, 16, 4, 4), T(32, 128, 16, 4, 8), T(32, 32, 16, 4, 4),
    ];
  return [
    { name: 'auto (the backend\'s choice)', opts: {} },
    { name: 'tiled', opts: { kernel: 'tiled' } },
    { name: 'dot', opts: { kernel: 'dot' } },
    { name: 'register', opts: { kernel: 'register' } },
    { name: 'large (auto)', opts: { kernel: 'large' } },
    ...tiles.map((t) => ({ name: `large ${tileName(t)}`, opts: { kernel: 'large' as const, tile: t } })),
  ];
}

function fill(be: Backend, shape: number[], name: string, rng: Rng): { t: Tensor; v: Float32Array } {
  const t = be.tensor(shape, name);
  const v = Float32Array.from({ length: t.size }, () => rng.uniform(-1, 1));
  be.write(t, v);
  return { t, v };
}

/** Products up to this many multiply-adds are checked entry by entry against a full reference. */
export const FULL_CHECK_MACS = 2 ** 31;

/** The float64 reference of the whole product (M, N), or of 512 sampled entries when it is too large: [index, value] pairs. */
export function reference(p: SweepProblem, A: Float32Array, B: Float32Array): { at: Int32Array; ref: Float64Array; full: boolean } {
  const full = p.M * p.N * p.K <= FULL_CHECK_MACS;
  const count = full ? p.M * p.N : 512;
  const at = new Int32Array(count), ref = new Float64Array(count);
  const rng = new Rng(99);
  for (let s = 0; s < count; s++) {
    const m = full ? Math.floor(s / p.N) : Math.floor(rng.uniform(0, p.M)), n = full ? s % p.N : Math.floor(rng.uniform(0, p.N));
    let r = 0;
    for (let k = 0; k < p.K; k++) r += A[p.transA ? k * p.M + m : m * p.K + k] * B[p.transB ? n * p.K + k : k * p.N + n];
    at[s] = m * p.N + n;
    ref[s] = r;
  }
  return { at, ref, full };
}

/**
 * Max |C − ref| / (1 + |ref|) over the reference's entries; Infinity when any entry of C is not
 * finite (the NaN the output was filled with, where a kernel wrote nothing).
 */
export function productError(C: Float32Array, r: { at: Int32Array; ref: Float64Array }): number {
  for (let i = 0; i < C.length; i++) if (!Number.isFinite(C[i])) return Infinity;
  let worst = 0;
  for (let s = 0; s < r.at.length; s++) worst = Math.max(worst, Math.abs(C[r.at[s]] - r.ref[s]) / (1 + Math.abs(r.ref[s])));
  return worst;
}

export async function sweep(small: boolean, out: (r: Record<string, unknown>) => void, print: boolean): Promise<number> {
  const { backend: be } = await createBackend('webgpu');
  const dev = (be as unknown as { device: GPUDevice }).device;
  const limits = { invocations: dev.limits.maxComputeInvocationsPerWorkgroup, workgroupBytes: dev.limits.maxComputeWorkgroupStorageSize };
  const o: MeasureOpts = small ? { reps: 3, targetMs: 100, maxIters: 50, calibrate: true } : { reps: 3, targetMs: 150, maxIters: 500, calibrate: true };
  let wrong = 0;
  try {
    for (const p of sweepProblems(small)) {
      const rng = new Rng(p.M + p.N + p.K);
      const a = fill(be, p.transA ? [p.K, p.M] : [p.M, p.K], 'a', rng), b = fill(be, p.transB ? [p.N, p.K] : [p.K, p.N], 'b', rng);
      const c = be.tensor([p.M, p.N], 'c');
      const poison = new Float32Array(p.M * p.N).fill(NaN);
      const ref = reference(p, a.v, b.v);
      const flop = 2 * p.M * p.N * p.K;
      for (const k of sweepKernels(small)) {
        if (k.opts.tile && largeTileInvalid(k.opts.tile, limits)) continue;
        const r: Record<string, unknown> = { sweep: p.name, kernel: k.name };
        try {
          const prog = be.program(`sweep ${p.name} ${k.name}`, [be.matmul(c, a.t, b.t, { ...k.opts, transA: p.transA, transB: p.transB })]);
          await be.ready();
          const params = { step: 1, batchStart: 0, lr: 0, seed: 1, rows: 1 };
          be.write(c, poison); // cleared: this kernel's product only
          be.run(prog, params);
          const err = productError((await be.read(c)) as Float32Array, ref);
          r.max_rel_err = err;
          r.checked = ref.full ? 'every entry' : `${ref.at.length} sampled entries, all finite`;
          if (!(err <= 1e-4)) {
            wrong++;
            r.error = err === Infinity ? 'wrong result: entries left unwritten (NaN) or not finite' : `wrong result: max relative error ${err}`;
          } else {
            const t = await measure({ batch: 0, iter: () => be.run(prog, params), sync: () => be.idle(), dispose: () => {} }, o);
            r.ms = t.ms;
            r.gflops = flop / t.ms / 1e6;
          }
        } catch (e) {
          r.error = errText(e);
        }
        out(r);
        if (print) console.log(`  ${p.name.padEnd(28)} ${k.name.padEnd(26)} ${r.gflops !== undefined ? `${(r.gflops as number).toPrecision(4).padStart(7)} GFLOP/s  ${(r.ms as number).toFixed(3)} ms` : r.error}`);
      }
      for (const t of [a.t, b.t, c]) be.free(t);
    }
  } finally {
    be.destroy();
  }
  return wrong;
}
