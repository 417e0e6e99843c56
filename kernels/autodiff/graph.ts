// Reverse-mode autodiff over a static graph.
//
// Choice: a static graph compiled once from the ModelSpec, not a per-step eager tape. Building the
// model calls these ops once; each records its forward kernel and pushes a closure onto a tape.
// `backward()` walks the tape in reverse, once, recording the gradient kernels. The result is a
// fixed list of dispatches with every buffer and bind group made up front, which is what lets a
// training step be one queue submission with no allocation. The cost: shapes (batch size
// included) are fixed per compiled program, so changing them means compiling again.
import type { Backend, BinaryOp, CellKind, FusedAct, Kernel, MatmulOpts, RecurrentBuffers, ReduceOp, Tensor, UnaryOp } from '../backend.ts';
import { axisSplit } from '../ops/shapes.ts';
import { ConvPoolFusion } from './convpool.ts';
import { fusedOps } from './fused.ts';
import { recurrent } from './recurrent.ts';
import type { Conv2dGeom, PoolOp } from '../backend.ts';

export class Graph {
  readonly forward: Kernel[] = [];
  readonly backwardKernels: Kernel[] = [];
  /** Every tensor this graph allocated (freed by `dispose`). */
  readonly owned: Tensor[] = [];
  /** First tensor of each op's output, for naming a layer whose values turn non-finite. */
  readonly outputs: { name: string; t: Tensor }[] = [];
  /** Recurrent layers' saved activations (gates, cell states, hidden states): free to visualise. */
  readonly taps: { name: string; cell: CellKind; buffers: RecurrentBuffers }[] = [];
  /** Attention layers' inputs and saved log-sum-exps: the weights can be recomputed on demand (attentionProbs). */
  readonly attentionTaps: { name: string; qkv: Tensor; lse: Tensor; heads: number; causal: boolean }[] = [];
  /** Conv2D layers' outputs after their activation (N, OH, OW, F), in layer order: feature maps to draw. */
  readonly convTaps: { name: string; y: Tensor }[] = [];
  /** Set before building when convTaps will be read: tapped convs then never fuse with their pool (convpool.ts). */
  captureConvs = false;
  private convPool = new ConvPoolFusion(this);
  /**
   * What produced each kernel, for the profiler: the output name of the op that recorded it
   * ("layers.1.dense"), forward or backward (its tape closure), or 'loss' for the loss kernels.
   */
  readonly origin = new Map<Kernel, string>();
  private tape: (() => void)[] = [];
  private grads = new Map<number, Tensor>();
  /** Ids whose gradient buffer a producer has written (later producers accumulate). For the op files. */
  readonly written = new Set<number>();
  private needs = new Set<number>();
  /**
   * Dense backward fusions (act' in the dx matmul's epilogue, [dW; db] as one matmul). Off records
   * the plain kernels: the reference the fused gradients are tested against (tests/fusion.test.ts).
   */
  fuseBackward = true;
  /** Ops reading each tensor id (op inputs): a fused activation's output read once can take a fused gradient. */
  private uses = new Map<number, number>();
  /** Outputs of dense/conv2d layers with a fused activation: act and y, for the consumer's dx epilogue. */
  private fusedActOut = new Map<number, { act: FusedAct; y: Tensor }>();
  /** Ids whose gradient buffer already holds the pre-activation gradient dz (its producer skips unaryBackward). */
  private preActGrad = new Set<number>();

  constructor(readonly be: Backend, readonly training: boolean) {}

  alloc(shape: readonly number[], name: string): Tensor {
    const t = this.be.tensor(shape, name);
    this.owned.push(t);
    return t;
  }

  /** Declares a parameter whose gradient lives at `grad` (a view into the flat gradient buffer). */
  param(t: Tensor, grad: Tensor): Tensor {
    this.needs.add(t.id);
    this.grads.set(t.id, grad);
    return t;
  }

  requiresGrad(t: Tensor): boolean {
    return this.training && this.needs.has(t.id);
  }

  /** The gradient tensor of t (allocated on first use), shaped like t (reshaped views share it). */
  grad(t: Tensor): Tensor {
    let g = this.grads.get(t.id);
    if (!g) {
      g = this.alloc(t.shape, `d${t.name}`);
      this.grads.set(t.id, g);
    }
    return sameShape(g.shape, t.shape) ? g : { ...g, shape: t.shape };
  }

  /**
   * Records kernels that produce a gradient for t. The first producer writes the gradient buffer
   * directly; later producers (a tensor used twice, as in a residual) write a temporary and add it.
   */
  /** @internal for the op files (autodiff/recurrent.ts) */
  gradInto(t: Tensor, produce: (dst: Tensor, accumulate: boolean) => Kernel[], canAccumulate = false): void {
    const g = this.grad(t);
    if (!this.written.has(t.id)) {
      this.written.add(t.id);
      this.backwardKernels.push(...produce(g, false));
    } else if (canAccumulate) {
      this.backwardKernels.push(...produce(g, true));
    } else {
      const tmp = this.alloc(t.shape, `d${t.name}.part`);
      this.backwardKernels.push(...produce(tmp, false), this.be.addInto(g, tmp));
    }
  }

  /** @internal for the op files (autodiff/recurrent.ts) */
  op(out: Tensor, fwd: Kernel[], inputs: Tensor[], back: () => void): Tensor {
    for (const x of inputs) this.convPool.read(x); // a fused conv output gets written after all
    this.forward.push(...fwd);
    for (const k of fwd) this.origin.set(k, out.name);
    this.outputs.push({ name: out.name, t: out });
    for (const x of inputs) this.uses.set(x.id, (this.uses.get(x.id) ?? 0) + 1);
    if (this.training && inputs.some((x) => this.requiresGrad(x))) {
      this.needs.add(out.id);
      // The gradient kernels this closure records belong to the same op.
      this.tape.push(() => {
        const from = this.backwardKernels.length;
        back();
        for (let i = from; i < this.backwardKernels.length; i++) this.origin.set(this.backwardKernels[i], out.name);
      });
    }
    return out;
  }

  /**
   * Dense: act(x · W + b) with the bias and activation fused into the matmul epilogue. x (…, in), W (in, out).
   * Backward, with two fusions (each falls back to the plain kernels when its condition fails):
   * - dx: when x is the fused-activation output of an earlier dense/conv2d read by this op alone,
   *   the dx matmul multiplies by that activation's derivative in its epilogue, so it writes the
   *   earlier layer's pre-activation gradient and that layer skips its unaryBackward.
   * - db: when b's gradient view directly follows W's in the flat gradient buffer (in·out a multiple
   *   of 64), [dW; db] (in+1, out) = [x; 1]ᵀ·dz is one matmul with an implicit ones row.
   */
  dense(x: Tensor, W: Tensor, b: Tensor | null, act: FusedAct, name: string): Tensor {
    const rows = x.size / x.shape[x.shape.length - 1];
    const outShape = [...x.shape.slice(0, -1), W.shape[1]];
    const y = this.alloc(outShape, name);
    const k = this.be.matmul(y, x, W, { bias: b ?? undefined, act });
    if (act !== 'none') this.fusedActOut.set(y.id, { act, y });
    return this.op(y, [k], [x, W, ...(b ? [b] : [])], () => {
      if (!this.written.has(y.id)) return;
      let dz = this.grad(y);
      // A consumer's dx matmul may already have applied act' (it runs first: the tape is reversed).
      if (act !== 'none' && !this.preActGrad.has(y.id)) {
        // relu/leaky: y > 0 ⇔ x > 0; tanh/sigmoid: the derivative is a function of y.
        const t = this.alloc(y.shape, `${name}.dz`);
        this.backwardKernels.push(this.be.unaryBackward(act, t, dz, y, y));
        dz = t;
      }
      const [fin, fout] = W.shape;
      const dz2 = { ...dz, shape: [rows, fout] }; // (rows, out)
      const x2 = { ...x, shape: [rows, fin] }; // (rows, in)
      const gW = this.requiresGrad(W) ? this.grad(W) : null;
      const gb = b && this.requiresGrad(b) ? this.grad(b) : null;
      if (this.fuseBackward && gW && gb && b && gW.store === gb.store && gW.offset + gW.size === gb.offset && this.written.has(W.id) === this.written.has(b.id)) {
        // [dW; db] (in+1, out) = [x2 | 1]ᵀ·dz2: one view over both adjacent gradients; accumulate
        // when an earlier (in tape order, later) use of these parameters already wrote them.
        const acc = this.written.has(W.id);
        this.written.add(W.id);
        this.written.add(b.id);
        const gWb: Tensor = { ...gW, name: `d${W.name}+d${b.name}`, shape: [fin + 1, fout], size: gW.size + gb.size };
        this.backwardKernels.push(this.be.matmul(gWb, x2, dz2, { transA: true, onesRow: true, accumulate: acc }));
      } else {
        if (gW) this.gradInto(W, (dst, acc) => [this.be.matmul(dst, x2, dz2, { transA: true, accumulate: acc })], true);
        if (gb && b) this.gradInto(b, (dst, acc) => [this.be.sumRows(dst, dz2, acc)], true);
      }
      if (!this.requiresGrad(x)) return;
      const prev = this.fusedActOut.get(x.id);
      if (this.fuseBackward && prev && this.uses.get(x.id) === 1 && !this.written.has(x.id)) {
        // dz_prev = (dz·Wᵀ) ⊙ act'(y_prev), written straight into x's gradient buffer: x has no
        // other reader, so nothing else adds to it, and its producer takes it as its dz.
        this.written.add(x.id);
        this.preActGrad.add(x.id);
        const gx = { ...this.grad(x), shape: [rows, fin] };
        const yPrev = { ...prev.y, shape: [rows, fin] };
        this.backwardKernels.push(this.be.matmul(gx, dz2, W, { transB: true, gradAct: { act: prev.act, y: yPrev } }));
      } else {
        this.gradInto(x, (dst, acc) => [this.be.matmul({ ...dst, shape: [rows, fin] }, dz2, W, { transB: true, accumulate: acc })], true);
      }
    });
  }

  matmul(a: Tensor, b: Tensor, o: MatmulOpts, outShape: number[], name: string): Tensor {
    const y = this.alloc(outShape, name);
    return this.op(y, [this.be.matmul(y, a, b, o)], [a, b], () => {
      if (!this.written.has(y.id)) return;
      const dy = this.grad(y);
      // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC, with the stored layouts folded into the flags.
      if (this.requiresGrad(a))
        this.gradInto(a, (dst, acc) => [o.transA
          ? this.be.matmul(dst, b, dy, { transA: !!o.transB, transB: true, accumulate: acc, batch: o.batch })
          : this.be.matmul(dst, dy, b, { transB: !o.transB, accumulate: acc, batch: o.batch })], true);
      if (this.requiresGrad(b))
        this.gradInto(b, (dst, acc) => [o.transB
          ? this.be.matmul(dst, dy, a, { transA: true, transB: !!o.transA, accumulate: acc, batch: o.batch })
          : this.be.matmul(dst, a, dy, { transA: !o.transA, accumulate: acc, batch: o.batch })], true);
    });
  }

  unary(op: UnaryOp, x: Tensor, name: string, alpha = 0.01): Tensor {
    const y = this.alloc(x.shape, name);
    return this.op(y, [this.be.unary(op, y, x, alpha)], [x], () => {
      if (!this.written.has(y.id)) return;
      this.gradInto(x, (dst) => [this.be.unaryBackward(op, dst, this.grad(y), x, y, alpha)]);
    });
  }

  binary(op: BinaryOp, a: Tensor, b: Tensor, name: string): Tensor {
    const y = this.alloc(a.shape, name);
    return this.op(y, [this.be.binary(op, y, a, b)], [a, b], () => {
      if (!this.written.has(y.id)) return;
      const dy = this.grad(y);
      if (this.requiresGrad(a)) this.gradInto(a, (dst) => this.be.binaryBackward(op, dst, null, dy, a, b));
      if (this.requiresGrad(b)) this.gradInto(b, (dst) => this.be.binaryBackward(op, null, dst, dy, a, b));
    });
  }

  reduce(op: ReduceOp, x: Tensor, axis: number, name: string): Tensor {
    const [outer, , inner] = axisSplit(x.shape, axis);
    const ax = axis < 0 ? x.shape.length + axis : axis;
    const shape = x.shape.filter((_, i) => i !== ax);
    const y = this.alloc(shape.length ? shape : [1], name);
    void outer; void inner;
    return this.op(y, [this.be.reduce(op, y, x, axis)], [x], () => {
      if (!this.written.has(y.id)) return;
      this.gradInto(x, (dst) => [this.be.reduceBackward(op, dst, this.grad(y), x, y, axis)]);
    });
  }

  dropout(x: Tensor, rate: number, salt: number, name: string): Tensor {
    if (!this.training || rate === 0) return x;
    const y = this.alloc(x.shape, name);
    return this.op(y, [this.be.dropout(y, x, rate, salt)], [x], () => {
      if (!this.written.has(y.id)) return;
      this.gradInto(x, (dst) => [this.be.dropoutBackward(dst, this.grad(y), rate, salt)]);
    });
  }

  /** Embedding lookup: ids (…) f32 token ids, table (V, D) → (…, D). ids get no gradient. */
  embedding(ids: Tensor, table: Tensor, name: string): Tensor {
    const D = table.shape[1];
    const y = this.alloc([...ids.shape, D], name);
    return this.op(y, [this.be.embedding(y, ids, table)], [table], () => {
      if (!this.written.has(y.id)) return;
      this.gradInto(table, (dst, acc) => [this.be.embeddingBackward(dst, this.grad(y), ids, acc)], true);
    });
  }

  /** One recurrent layer over x (B, T, I): see autodiff/recurrent.ts. */
  recurrent(cell: CellKind, x: Tensor, Wih: Tensor, bih: Tensor, Whh: Tensor, bhh: Tensor, seqOut: boolean, name: string,
    init: { h0?: Tensor | null; c0?: Tensor | null } = {}): Tensor {
    return recurrent(this, cell, x, Wih, bih, Whh, bhh, seqOut, name, init);
  }

  /** Makes y a loss output whose gradient the caller writes (tests, custom losses): returns dL/dy's buffer. */
  seed(y: Tensor): Tensor {
    this.convPool.read(y);
    this.written.add(y.id);
    return this.grad(y);
  }

  /** Per-token softmax cross-entropy over logits (B, T, V) with labels (B, T) (IGNORE_LABEL skipped). */
  sequenceCrossEntropy(logits: Tensor, labels: Tensor, metrics: Tensor): void {
    this.convPool.read(logits);
    const dl = this.training && this.requiresGrad(logits) ? this.grad(logits) : null;
    if (dl) this.written.add(logits.id);
    this.loss(this.be.sequenceCrossEntropy(dl, logits, labels, metrics));
  }

  // ---- convolutional networks (NHWC) ----
  /**
   * Conv2D: act(conv(x, W) + b) with bias and activation fused into the implicit GEMM's epilogue.
   * x (N, H, W, C), W (KH, KW, C, F). A 1×1 conv with stride 1 and no padding is a dense layer
   * over the (N·H·W, C) rows, so it routes to the matmul.
   */
  conv2d(x: Tensor, W: Tensor, b: Tensor | null, g: Conv2dGeom, act: FusedAct, name: string): Tensor {
    if (g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0)
      return this.dense(x, this.reshape(W, [g.C, g.F]), b, act, name);
    const y = this.alloc([g.N, g.OH, g.OW, g.F], name);
    const k = this.be.conv2d(y, x, W, g, { bias: b ?? undefined, act });
    this.convPool.conv({ x, W, b, g, act, y, kernel: k, name });
    if (act !== 'none') this.fusedActOut.set(y.id, { act, y });
    return this.op(y, [k], [x, W, ...(b ? [b] : [])], () => {
      if (!this.written.has(y.id)) return;
      let dz = this.grad(y);
      // A dense consumer (through a flatten, which keeps the id) may already have applied act'.
      if (act !== 'none' && !this.preActGrad.has(y.id)) {
        const t = this.alloc(y.shape, `${name}.dz`);
        this.backwardKernels.push(this.be.unaryBackward(act, t, dz, y, y));
        dz = t;
      }
      const dz2 = { ...dz, shape: [g.N * g.OH * g.OW, g.F] }; // (M, F): the bias gradient sums rows
      const wb = fusedOps(this.be).conv2dBackwardWeightBias;
      if (this.fuseBackward && wb && b && this.requiresGrad(W) && this.requiresGrad(b) && this.written.has(W.id) === this.written.has(b.id)) {
        // dbias as one more row of the dw GEMM (GPU): both written, or both accumulated (shared W and b).
        const acc = this.written.has(W.id);
        this.written.add(W.id);
        this.written.add(b.id);
        this.backwardKernels.push(wb.call(this.be, this.grad(W), this.grad(b), x, dz, g, acc));
      } else {
        if (this.requiresGrad(W)) this.gradInto(W, (dst, acc) => [this.be.conv2dBackwardWeight(dst, x, dz, g, acc)], true);
        if (b && this.requiresGrad(b)) this.gradInto(b, (dst, acc) => [this.be.sumRows(dst, dz2, acc)], true);
      }
      if (this.requiresGrad(x)) this.gradInto(x, (dst, acc) => [this.be.conv2dBackwardInput(dst, dz, W, g, acc)], true);
    });
  }

  /** Max or average pooling over x (N, H, W, C); max keeps the argmax (u32) for its backward gather. */
  pool2d(op: PoolOp, x: Tensor, g: Conv2dGeom, name: string): Tensor {
    const y = this.alloc([g.N, g.OH, g.OW, g.C], name);
    let argmax: Tensor | null = null;
    if (op === 'max') {
      argmax = this.be.tensor(y.shape, `${name}.argmax`, 'u32');
      this.owned.push(argmax);
    }
    // conv2d → max pool as one kernel when the conv output has no other reader (autodiff/convpool.ts).
    const plan = argmax ? this.convPool.plan(x, y, argmax, g, this.uses.get(x.id) ?? 0, name) : null;
    const out = this.op(y, [plan ? plan.kernel : this.be.pool2d(op, y, x, argmax, g)], [x], () => {
      if (!this.written.has(y.id)) return;
      const prev = this.fusedActOut.get(x.id);
      if (pair?.fused) {
        // x, read by this pool alone, gets the conv's dz (the conv skips its unaryBackward).
        this.written.add(x.id);
        if (pair.conv.act !== 'none') this.preActGrad.add(x.id);
        this.backwardKernels.push(this.convPool.backward(pair, this.grad(x), this.grad(y)));
        return;
      }
      const pa = fusedOps(this.be).pool2dBackwardAct;
      if (this.fuseBackward && pa && prev && this.uses.get(x.id) === 1 && !this.written.has(x.id)) {
        // conv2d → act → pool with x read by this pool alone: the pool backward applies act'(x) as
        // it writes, so x's gradient buffer holds the conv's dz and the conv skips its unaryBackward.
        this.written.add(x.id);
        this.preActGrad.add(x.id);
        this.backwardKernels.push(pa.call(this.be, op, this.grad(x), this.grad(y), argmax, g, { act: prev.act, y: prev.y }));
        return;
      }
      this.gradInto(x, (dst) => [this.be.pool2dBackward(op, dst, this.grad(y), argmax, g)]);
    });
    const pair = plan?.commit();
    return out;
  }

  /**
   * BatchNorm over the last axis (channels of NHWC, features of (B, F)). Training: batch statistics
   * (mean and 1/std saved for the backward) and running stats updated in place; evaluation: the
   * running stats.
   */
  batchnorm(x: Tensor, gamma: Tensor, beta: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number, name: string): Tensor {
    const C = gamma.size;
    const y = this.alloc(x.shape, name);
    if (!this.training) return this.op(y, [this.be.batchnormApply(y, x, runMean, runVar, gamma, beta, eps, true)], [x], () => {});
    const mean = this.alloc([C], `${name}.mean`);
    const invstd = this.alloc([C], `${name}.invstd`);
    const fwd = [
      this.be.batchnormStats(mean, invstd, x, runMean, runVar, eps, momentum),
      this.be.batchnormApply(y, x, mean, invstd, gamma, beta, eps, false),
    ];
    return this.op(y, fwd, [x, gamma, beta], () => {
      if (!this.written.has(y.id)) return;
      // One kernel pair writes dgamma, dbeta and dx; gamma and beta are used once (parameters).
      const dg = this.requiresGrad(gamma) ? this.grad(gamma) : this.alloc([C], `${name}.dgamma`);
      const db = this.requiresGrad(beta) ? this.grad(beta) : this.alloc([C], `${name}.dbeta`);
      this.written.add(gamma.id);
      this.written.add(beta.id);
      const dy = this.grad(y);
      if (this.requiresGrad(x)) this.gradInto(x, (dst) => this.be.batchnormBackward(dst, dg, db, dy, x, mean, invstd, gamma));
      else this.backwardKernels.push(...this.be.batchnormBackward(this.alloc(x.shape, `${name}.dx`), dg, db, dy, x, mean, invstd, gamma));
    });
  }

  // ---- transformers ----
  /** LayerNorm over the last axis; mean and 1/std per row are saved for the backward. */
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number, name: string): Tensor {
    const C = gamma.size, rows = x.size / C;
    const y = this.alloc(x.shape, name);
    const mean = this.alloc([rows], `${name}.mean`);
    const rstd = this.alloc([rows], `${name}.rstd`);
    return this.op(y, [this.be.layerNorm(y, mean, rstd, x, gamma, beta, eps)], [x, gamma, beta], () => {
      if (!this.written.has(y.id)) return;
      // One kernel set writes dx, dgamma and dbeta; gamma and beta are parameters used once.
      const dg = this.requiresGrad(gamma) ? this.grad(gamma) : this.alloc([C], `${name}.dgamma`);
      const db = this.requiresGrad(beta) ? this.grad(beta) : this.alloc([C], `${name}.dbeta`);
      this.written.add(gamma.id);
      this.written.add(beta.id);
      const dy = this.grad(y);
      if (this.requiresGrad(x)) this.gradInto(x, (dst) => this.be.layerNormBackward(dst, dg, db, dy, x, mean, rstd, gamma));
      else this.backwardKernels.push(...this.be.layerNormBackward(this.alloc(x.shape, `${name}.dx`), dg, db, dy, x, mean, rstd, gamma));
    });
  }

  /**
   * Fused multi-head self-attention over qkv (B, T, 3D) → (B, T, D). The log-sum-exp of every score
   * row is saved (B, heads, T), so the backward recomputes probabilities instead of storing T×T.
   * Attention dropout applies in training only.
   */
  attention(qkv: Tensor, heads: number, causal: boolean, dropout: { rate: number; salt: number } | undefined, name: string): Tensor {
    const [B, T, D3] = qkv.shape;
    const D = D3 / 3;
    if (!Number.isInteger(D / heads)) throw new Error(`${name}: width ${D} is not divisible by ${heads} heads`);
    const y = this.alloc([B, T, D], name);
    const lse = this.alloc([B, heads, T], `${name}.lse`);
    const drop = this.training && dropout && dropout.rate > 0 ? dropout : undefined;
    this.attentionTaps.push({ name, qkv, lse, heads, causal });
    return this.op(y, [this.be.attention(y, lse, qkv, heads, causal, drop)], [qkv], () => {
      if (!this.written.has(y.id)) return;
      this.gradInto(qkv, (dst) => this.be.attentionBackward(dst, this.grad(y), y, lse, qkv, heads, causal, drop));
    });
  }

  /** A view with another shape over the same storage; it keeps x's id, so it shares x's gradient. */
  reshape(x: Tensor, shape: number[]): Tensor {
    if (shape.reduce((a, b) => a * b, 1) !== x.size) throw new Error(`reshape ${x.name}: ${x.shape} to ${shape}`);
    return { ...x, shape };
  }

  /** Softmax cross-entropy: seeds the gradient of logits (mean over the batch) and adds to metrics. */
  softmaxCrossEntropy(logits: Tensor, labels: Tensor, metrics: Tensor): void {
    this.convPool.read(logits);
    const dl = this.training && this.requiresGrad(logits) ? this.grad(logits) : null;
    if (dl) this.written.add(logits.id);
    this.loss(this.be.softmaxCrossEntropy(dl, logits, labels, metrics));
  }

  mse(pred: Tensor, target: Tensor, metrics: Tensor): void {
    this.convPool.read(pred);
    const dp = this.training && this.requiresGrad(pred) ? this.grad(pred) : null;
    if (dp) this.written.add(pred.id);
    this.loss(this.be.mse(dp, pred, target, metrics));
  }

  private loss(k: Kernel): void {
    this.forward.push(k);
    this.origin.set(k, 'loss');
  }

  /** Records the gradient kernels by walking the tape backwards (once, at compile time). */
  backward(): Kernel[] {
    for (let i = this.tape.length - 1; i >= 0; i--) this.tape[i]();
    this.tape = [];
    return this.backwardKernels;
  }

  dispose(): void {
    for (const t of this.owned) this.be.free(t);
    this.owned.length = 0;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
