// CPU backend: the op interface in plain TypeScript loops. It is the oracle for the WGSL kernels
// and the engine's fallback where no usable WebGPU exists. Written from the math, not from the WGSL.
import {
  flatViews, matmulDims, newTensorId, sizeOf,
  type Backend, type BackendInfo, type BinaryOp, type Counters, type DType, type Kernel, type MatmulOpts,
  type KernelTiming, type OptimizerConfig, type Program, type ProgramProfile, type ReduceOp, type StepParams, type Tensor, type UnaryOp,
  type AugmentConfig, type Conv2dGeom, type FusedAct, type PoolOp,
} from '../backend.ts';
import { hashUniform } from '../rng.ts';
import { conv2dBackwardInputRef, conv2dBackwardWeightRef, conv2dRef } from '../ops/conv/cpu.ts';
import { pool2dBackwardRef, pool2dRef } from '../ops/pool/cpu.ts';
import { batchnormApplyRef, batchnormBackwardRef, batchnormStatsRef } from '../ops/batchnorm/cpu.ts';
import { augmentRef } from '../ops/augment/cpu.ts';
import { binaryF, binaryGrad, unaryF, unaryGrad } from '../ops/elementwise/cpu.ts';
import { recurrentStepBackwardRef, recurrentStepRef } from '../ops/recurrent/cpu.ts';
import { embeddingBackwardRef, embeddingRef } from '../ops/embedding/cpu.ts';
import { gatherRowsRef } from '../ops/gather/cpu.ts';
import { sequenceCrossEntropyRef } from '../ops/loss/cpu.ts';
import type { CellKind, RecurrentBuffers, RecurrentGrads } from '../backend.ts';
import { attentionBackwardRef, attentionProbsRef, attentionRef } from '../ops/attention/cpu.ts';
import { attentionDims, axisSplit, checkAttention, checkBroadcast, checkConv, checkLayerNorm, checkPool } from '../ops/shapes.ts';
import { layerNormBackwardRef, layerNormRef } from '../ops/layernorm/cpu.ts';

type Arr = Float32Array | Float64Array | Uint32Array;
interface CpuKernel extends Kernel {
  exec(p: StepParams): void;
}

const f = (t: Tensor) => t.store as Float32Array;
const u = (t: Tensor) => t.store as Uint32Array;

export class CpuBackend implements Backend {
  readonly info: BackendInfo = {
    kind: 'cpu',
    adapter: 'cpu',
    isFallbackAdapter: false,
    limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 31 },
    features: [],
  };
  readonly counters: Counters = { dispatches: 0, submits: 0, bytesUploaded: 0, reads: 0, snapshots: 0 };
  private inUse = 0;
  private owned = new Set<unknown>();
  /** 'f64' stores f32 tensors as Float64Array: the finite-difference checks use it to be exact. */
  constructor(readonly precision: 'f32' | 'f64' = 'f32') {}

  bytesInUse(): number {
    return this.inUse;
  }

  private make(shape: readonly number[], name: string, dtype: DType, store: Arr, offset: number): Tensor {
    return { id: newTensorId(), name, shape: [...shape], size: sizeOf(shape), dtype, offset, store };
  }

  tensor(shape: readonly number[], name: string, dtype: DType = 'f32'): Tensor {
    const n = Math.max(1, sizeOf(shape));
    const store = dtype === 'u32' ? new Uint32Array(n) : this.precision === 'f64' ? new Float64Array(n) : new Float32Array(n);
    this.inUse += store.byteLength;
    this.owned.add(store);
    return this.make(shape, name, dtype, store, 0);
  }

  flat(shapes: readonly (readonly number[])[], name: string): { flat: Tensor; views: Tensor[] } {
    return flatViews(shapes, name, (n) => this.tensor([n], name));
  }

  free(t: Tensor): void {
    if (t.offset === 0 && this.owned.delete(t.store)) this.inUse -= (t.store as Arr).byteLength;
  }

  write(t: Tensor, data: Float32Array | Uint32Array): void {
    if (data.length !== t.size) throw new Error(`write ${t.name}: ${data.length} values for size ${t.size}`);
    (t.store as Arr).set(data as never, t.offset);
    this.counters.bytesUploaded += data.byteLength;
  }

  async read(t: Tensor): Promise<Float32Array | Uint32Array> {
    this.counters.reads++;
    const s = (t.store as Arr).slice(t.offset, t.offset + t.size);
    return s instanceof Float64Array ? Float32Array.from(s) : s;
  }

  program(label: string, kernels: readonly Kernel[]): Program {
    return { label, kernels, dispatches: kernels.length };
  }

  run(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null {
    for (const k of p.kernels) (k as CpuKernel).exec(params);
    return this.finishRun(p, snapshot);
  }

  private finishRun(p: Program, snapshot?: { tensor: Tensor; reset: boolean }): Promise<Float32Array> | null {
    this.counters.dispatches += p.dispatches;
    this.counters.submits++;
    if (!snapshot) return null;
    this.counters.snapshots++;
    const t = snapshot.tensor;
    const out = Float32Array.from(f(t).subarray(t.offset, t.offset + t.size));
    if (snapshot.reset) f(t).fill(0, t.offset, t.offset + t.size);
    return Promise.resolve(out);
  }

  /** `run` with performance.now() around each kernel (coarse in browsers: 5–100 µs steps). */
  async profile(p: Program, params: StepParams, snapshot?: { tensor: Tensor; reset: boolean }): Promise<ProgramProfile> {
    const t0 = performance.now();
    const kernels: KernelTiming[] = [];
    let prev = t0;
    for (const k of p.kernels) {
      (k as CpuKernel).exec(params);
      const now = performance.now();
      kernels.push({ label: k.label, ms: now - prev });
      prev = now;
    }
    const snap = this.finishRun(p, snapshot);
    return { source: 'cpu-clock', kernels, wallMs: performance.now() - t0, snapshot: snap ? await snap : null };
  }

  async idle(): Promise<void> {}

  /** Nothing compiles on the CPU. */
  async ready(): Promise<void> {}
  destroy(): void {}

  private k(label: string, exec: (p: StepParams) => void): CpuKernel {
    return { label, exec };
  }

  matmul(out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts = {}): Kernel {
    const { M, N, K, batch } = matmulDims(a, b, o);
    if (out.size !== M * N * batch) throw new Error(`matmul: out ${out.name} has ${out.size} elements, need ${M * N * batch}`);
    // a holds Ma = M − 1 rows of op(a) when onesRow (row M − 1 is implicit ones), else M.
    const Ma = o.onesRow ? M - 1 : M;
    // Element (m,k) of op(a) lives at sAm*m + sAk*k; (k,n) of op(b) at sBk*k + sBn*n.
    const [sAm, sAk] = o.transA ? [1, Ma] : [K, 1];
    const [sBk, sBn] = o.transB ? [1, K] : [N, 1];
    const act = o.act ?? 'none';
    const ga = o.gradAct;
    const gact = ga && ga.act !== 'none' ? ga.act : null; // matmulDims refuses 'none'
    return this.k(`matmul ${M}x${N}x${K}`, () => {
      const A = f(a), B = f(b), C = f(out);
      const bias = o.bias ? f(o.bias) : null;
      const Y = ga ? f(ga.y) : null;
      const acc = new Float64Array(N);
      for (let z = 0; z < batch; z++) {
        const a0 = a.offset + z * Ma * K, b0 = b.offset + z * K * N, c0 = out.offset + z * M * N;
        for (let m = 0; m < M; m++) {
          acc.fill(0);
          for (let kk = 0; kk < K; kk++) {
            const av = m < Ma ? A[a0 + m * sAm + kk * sAk] : 1;
            if (av === 0) continue;
            const bRow = b0 + kk * sBk;
            for (let n = 0; n < N; n++) acc[n] += av * B[bRow + n * sBn];
          }
          for (let n = 0; n < N; n++) {
            let v = acc[n] + (bias ? bias[o.bias!.offset + n] : 0);
            if (act !== 'none') v = unaryF(act, v, 0.01);
            const ci = c0 + m * N + n;
            // act'(z) through y = act(z): unaryGrad(act, x = y, y, dy = v) (relu/leaky test y > 0 ⇔ z > 0).
            if (ga && gact) {
              const y = Y![ga.y.offset + z * M * N + m * N + n];
              v = unaryGrad(gact, y, y, v, ga.alpha ?? 0.01);
            }
            C[ci] = o.accumulate ? C[ci] + v : v;
          }
        }
      }
    });
  }

  unary(op: UnaryOp, out: Tensor, x: Tensor, alpha = 0.01): Kernel {
    return this.k(`unary ${op}`, () => {
      const X = f(x), Y = f(out);
      for (let i = 0; i < x.size; i++) Y[out.offset + i] = unaryF(op, X[x.offset + i], alpha);
    });
  }

  unaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha = 0.01): Kernel {
    return this.k(`unary ${op} backward`, () => {
      const X = f(x), Y = f(y), DY = f(dy), DX = f(dx);
      for (let i = 0; i < x.size; i++)
        DX[dx.offset + i] = unaryGrad(op, X[x.offset + i], Y[y.offset + i], DY[dy.offset + i], alpha);
    });
  }

  binary(op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): Kernel {
    checkBroadcast(a, b);
    return this.k(`binary ${op}`, () => {
      const A = f(a), B = f(b), C = f(out);
      for (let i = 0; i < a.size; i++) C[out.offset + i] = binaryF(op, A[a.offset + i], B[b.offset + (i % b.size)]);
    });
  }

  binaryBackward(op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): Kernel[] {
    checkBroadcast(a, b);
    return [
      this.k(`binary ${op} backward`, () => {
        const A = f(a), B = f(b), DY = f(dy);
        const dbAcc = new Float64Array(b.size);
        for (let i = 0; i < a.size; i++) {
          const [ga, gb] = binaryGrad(op, A[a.offset + i], B[b.offset + (i % b.size)], DY[dy.offset + i]);
          if (da) f(da)[da.offset + i] = ga;
          dbAcc[i % b.size] += gb;
        }
        if (db) for (let j = 0; j < b.size; j++) f(db)[db.offset + j] = dbAcc[j];
      }),
    ];
  }

  reduce(op: ReduceOp, out: Tensor, x: Tensor, axis: number): Kernel {
    const [outer, len, inner] = axisSplit(x.shape, axis);
    return this.k(`reduce ${op}`, () => {
      const X = f(x), Y = f(out);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let acc = op === 'max' ? -Infinity : 0;
          for (let l = 0; l < len; l++) {
            const v = X[x.offset + (o * len + l) * inner + i];
            acc = op === 'max' ? Math.max(acc, v) : acc + v;
          }
          Y[out.offset + o * inner + i] = op === 'mean' ? acc / len : acc;
        }
    });
  }

  reduceBackward(op: ReduceOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, axis: number): Kernel {
    const [outer, len, inner] = axisSplit(x.shape, axis);
    return this.k(`reduce ${op} backward`, () => {
      const X = f(x), Y = f(y), DY = f(dy), DX = f(dx);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const g = DY[dy.offset + o * inner + i];
          let taken = false; // max: the gradient goes to the first maximal element only
          for (let l = 0; l < len; l++) {
            const xi = x.offset + (o * len + l) * inner + i;
            let v = 0;
            if (op === 'sum') v = g;
            else if (op === 'mean') v = g / len;
            else if (!taken && X[xi] === Y[y.offset + o * inner + i]) {
              v = g;
              taken = true;
            }
            DX[dx.offset + (o * len + l) * inner + i] = v;
          }
        }
    });
  }

  sumRows(out: Tensor, x: Tensor, accumulate = false): Kernel {
    const N = out.size, rows = x.size / N;
    return this.k('sumRows', () => {
      const X = f(x), Y = f(out);
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += X[x.offset + r * N + n];
        Y[out.offset + n] = accumulate ? Y[out.offset + n] + s : s;
      }
    });
  }

  softmaxCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
    const B = labels.size, C = logits.size / B;
    return this.k('softmaxCrossEntropy', (p) => {
      const L = f(logits), Y = u(labels), M = f(metrics);
      const rows = Math.min(p.rows, B);
      let lossSum = 0, correct = 0, bad = 0;
      for (let r = 0; r < B; r++) {
        const base = logits.offset + r * C;
        if (r >= rows) {
          if (dlogits) f(dlogits).fill(0, dlogits.offset + r * C, dlogits.offset + (r + 1) * C);
          continue;
        }
        let mx = -Infinity, arg = 0;
        for (let c = 0; c < C; c++) if (L[base + c] > mx) { mx = L[base + c]; arg = c; }
        let s = 0;
        for (let c = 0; c < C; c++) s += Math.exp(L[base + c] - mx);
        const label = Y[labels.offset + r];
        const loss = Math.log(s) + mx - L[base + label];
        if (!Number.isFinite(loss)) bad++;
        lossSum += loss;
        if (arg === label) correct++;
        if (dlogits) {
          const D = f(dlogits);
          for (let c = 0; c < C; c++)
            D[dlogits.offset + r * C + c] = (Math.exp(L[base + c] - mx) / s - (c === label ? 1 : 0)) / rows;
        }
      }
      M[metrics.offset] += lossSum;
      M[metrics.offset + 1] += correct;
      M[metrics.offset + 2] += rows;
      M[metrics.offset + 3] += bad;
    });
  }

  mse(dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
    const B = pred.shape[0], D = pred.size / B;
    return this.k('mse', (p) => {
      const P = f(pred), T = f(target), M = f(metrics);
      const rows = Math.min(p.rows, B);
      let lossSum = 0, bad = 0;
      for (let r = 0; r < B; r++) {
        let rowLoss = 0;
        for (let d = 0; d < D; d++) {
          const i = r * D + d;
          const e = r < rows ? P[pred.offset + i] - T[target.offset + i] : 0;
          rowLoss += e * e;
          if (dpred) f(dpred)[dpred.offset + i] = (2 * e) / (rows * D);
        }
        if (r < rows) {
          if (!Number.isFinite(rowLoss)) bad++;
          lossSum += rowLoss / D;
        }
      }
      M[metrics.offset] += lossSum;
      M[metrics.offset + 2] += rows;
      M[metrics.offset + 3] += bad;
    });
  }

  dropout(out: Tensor, x: Tensor, rate: number, salt: number): Kernel {
    return this.k('dropout', (p) => {
      const X = f(x), Y = f(out), scale = 1 / (1 - rate);
      for (let i = 0; i < x.size; i++)
        Y[out.offset + i] = hashUniform(p.seed, salt, i) >= rate ? X[x.offset + i] * scale : 0;
    });
  }

  dropoutBackward(dx: Tensor, dy: Tensor, rate: number, salt: number): Kernel {
    return this.k('dropout backward', (p) => {
      const DY = f(dy), DX = f(dx), scale = 1 / (1 - rate);
      for (let i = 0; i < dy.size; i++)
        DX[dx.offset + i] = hashUniform(p.seed, salt, i) >= rate ? DY[dy.offset + i] * scale : 0;
    });
  }

  sumSquares(out: Tensor, x: Tensor): Kernel {
    return this.k('sumSquares', () => {
      const X = f(x);
      let s = 0;
      for (let i = 0; i < x.size; i++) s += X[x.offset + i] * X[x.offset + i];
      f(out)[out.offset] = s;
    });
  }

  optimizerStep(params: Tensor, grads: Tensor, m: Tensor, v: Tensor, cfg: OptimizerConfig, sq: Tensor | null): Kernel {
    return this.k(`optimizer ${cfg.kind}`, (p) => {
      const P = f(params), G = f(grads), Mm = f(m), V = f(v);
      let scale = 1;
      if (sq && cfg.clipNorm > 0) {
        const norm = Math.sqrt(f(sq)[sq.offset]);
        scale = Math.min(1, cfg.clipNorm / (norm + 1e-6));
      }
      const lr = p.lr, t = p.step;
      const bc1 = 1 - Math.pow(cfg.beta1, t), bc2 = 1 - Math.pow(cfg.beta2, t);
      for (let i = 0; i < params.size; i++) {
        const pi = params.offset + i;
        let w = P[pi];
        let g = G[grads.offset + i] * scale;
        if (cfg.kind === 'sgd') {
          g += cfg.weightDecay * w;
          if (cfg.momentum > 0) {
            // torch: the buffer starts as the first gradient, which is momentum·0 + g.
            const buf = cfg.momentum * Mm[m.offset + i] + g;
            Mm[m.offset + i] = buf;
            g = cfg.nesterov ? g + cfg.momentum * buf : buf;
          }
          w -= lr * g;
        } else {
          if (cfg.kind === 'adamw') w *= 1 - lr * cfg.weightDecay;
          else g += cfg.weightDecay * w;
          const mi = cfg.beta1 * Mm[m.offset + i] + (1 - cfg.beta1) * g;
          const vi = cfg.beta2 * V[v.offset + i] + (1 - cfg.beta2) * g * g;
          Mm[m.offset + i] = mi;
          V[v.offset + i] = vi;
          w -= ((lr / bc1) * mi) / (Math.sqrt(vi) / Math.sqrt(bc2) + cfg.eps);
        }
        P[pi] = w;
      }
    });
  }

  gatherBatch(x: Tensor, y: Tensor, images: Tensor, labels: Tensor, indices: Tensor, rowBytes: number): Kernel {
    const B = y.size;
    return this.k('gatherBatch', (p) => {
      const IM = u(images), LB = u(labels), IX = u(indices), X = f(x), Y = u(y);
      for (let r = 0; r < B; r++) {
        const src = IX[indices.offset + Math.min(p.batchStart + r, indices.size - 1)];
        Y[y.offset + r] = LB[labels.offset + src];
        for (let j = 0; j < rowBytes; j++) {
          const byte = src * rowBytes + j;
          const word = IM[images.offset + (byte >>> 2)];
          X[x.offset + r * rowBytes + j] = ((word >>> ((byte & 3) * 8)) & 255) / 255;
        }
      }
    });
  }

  fill(t: Tensor, value: number): Kernel {
    return this.k('fill', () => f(t).fill(value, t.offset, t.offset + t.size));
  }

  addInto(dst: Tensor, src: Tensor): Kernel {
    return this.k('addInto', () => {
      const D = f(dst), S = f(src);
      for (let i = 0; i < dst.size; i++) D[dst.offset + i] += S[src.offset + i];
    });
  }

  // ---- sequences: loops in ops/recurrent, embedding, gather, loss ----
  embedding(out: Tensor, ids: Tensor, table: Tensor): Kernel {
    if (out.size !== ids.size * (table.size / table.shape[0])) throw new Error(`embedding: ${out.name} (${out.shape}) does not hold ${ids.size} rows of ${table.name} (${table.shape})`);
    return this.k('embedding', () => embeddingRef(out, ids, table));
  }

  embeddingBackward(dtable: Tensor, dout: Tensor, ids: Tensor, accumulate = false): Kernel {
    return this.k('embedding backward', () => embeddingBackwardRef(dtable, dout, ids, accumulate));
  }

  recurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): Kernel {
    return this.k(`${cell} step ${t}`, () => recurrentStepRef(cell, t, s));
  }

  recurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel {
    return this.k(`${cell} step ${t} backward`, () => recurrentStepBackwardRef(cell, t, seqOut, s, g));
  }

  gatherRows(out: Tensor, src: Tensor, indices: Tensor): Kernel {
    return this.k('gatherRows', (p) => gatherRowsRef(p, out, src, indices));
  }

  sequenceCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
    return this.k('sequenceCrossEntropy', (p) => sequenceCrossEntropyRef(p, dlogits, logits, labels, metrics));
  }

  // ---- transformers: loops in ops/attention, ops/layernorm ----
  layerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Kernel {
    checkLayerNorm(y, mean, rstd, x, gamma, beta);
    return this.k('layerNorm', () => layerNormRef(y, mean, rstd, x, gamma, beta, eps));
  }

  layerNormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Kernel[] {
    checkLayerNorm(dy, mean, rstd, x, gamma, dbeta);
    return [this.k('layerNorm backward', () => layerNormBackwardRef(dx, dgamma, dbeta, dy, x, mean, rstd, gamma))];
  }

  attention(out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel {
    checkAttention(qkv, heads, out, lse);
    return this.k('attention', (p) => attentionRef(p, out, lse, qkv, heads, causal, dropout));
  }

  attentionBackward(dqkv: Tensor, dout: Tensor, out: Tensor, lse: Tensor, qkv: Tensor, heads: number, causal: boolean, dropout?: { rate: number; salt: number }): Kernel[] {
    checkAttention(qkv, heads, out, lse);
    if (dqkv.size !== qkv.size || dout.size !== out.size) throw new Error(`attentionBackward: ${dqkv.name} / ${dout.name} do not match ${qkv.name} / ${out.name}`);
    // The reference recomputes the probabilities from qkv alone; out and lse are the GPU's shortcuts.
    return [this.k('attention backward', (p) => attentionBackwardRef(p, dqkv, dout, qkv, heads, causal, dropout))];
  }

  attentionProbs(probs: Tensor, qkv: Tensor, lse: Tensor, heads: number, causal: boolean): Kernel {
    const { B, T } = attentionDims(qkv, heads);
    if (probs.size !== B * heads * T * T || lse.size !== B * heads * T) throw new Error(`attentionProbs: ${probs.name} (${probs.shape}) is not (B, heads, T, T) = (${B}, ${heads}, ${T}, ${T})`);
    return this.k('attention probs', () => attentionProbsRef(probs, qkv, heads, causal));
  }

  // ---- convolutional networks: loops in ops/conv, pool, batchnorm, augment ----
  conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct; accumulate?: boolean } = {}): Kernel {
    checkConv(out, x, w, g);
    return this.k('conv2d', () => conv2dRef(out, x, w, g, o.bias ?? null, o.act ?? 'none', !!o.accumulate));
  }

  conv2dBackwardInput(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
    checkConv(dy, dx, w, g);
    return this.k('conv2d dx', () => conv2dBackwardInputRef(dx, dy, w, g, accumulate));
  }

  conv2dBackwardWeight(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
    checkConv(dy, x, dw, g);
    return this.k('conv2d dw', () => conv2dBackwardWeightRef(dw, x, dy, g, accumulate));
  }

  pool2d(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
    checkPool(out, x, g);
    return this.k(`pool2d ${op}`, () => pool2dRef(op, out, x, argmax, g));
  }

  pool2dBackward(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
    checkPool(dy, dx, g);
    if (op === 'max' && !argmax) throw new Error('pool2dBackward max: needs the argmax tensor from the forward pass');
    return this.k(`pool2d ${op} backward`, () => pool2dBackwardRef(op, dx, dy, argmax, g));
  }

  batchnormStats(mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
    return this.k('batchnorm stats', () => batchnormStatsRef(mean, invstd, x, runMean, runVar, eps, momentum));
  }

  batchnormApply(y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
    return this.k('batchnorm apply', () => batchnormApplyRef(y, x, mean, stat, gamma, beta, eps, fromVar));
  }

  batchnormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
    return [this.k('batchnorm backward', () => batchnormBackwardRef(dx, dgamma, dbeta, dy, x, mean, invstd, gamma))];
  }

  augment(out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): Kernel {
    if (sizeOf(shape) !== x.size || out.size !== x.size) throw new Error(`augment: shape ${shape} does not match ${x.name} (${x.size})`);
    return this.k('augment', (p) => augmentRef(p, out, x, shape, cfg, salt));
  }
}
