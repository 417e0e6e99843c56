// CPU references of the fused losses (loss, gradient and metrics in one pass), in plain loops.
import { IGNORE_LABEL, type Kernel, type StepParams, type Tensor } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type F = Float32Array | Float64Array;
const a = (t: Tensor) => t.store as F;
const au = (t: Tensor) => t.store as Uint32Array;

/**
 * Softmax cross-entropy over logits (B, T, V) with labels (B, T), IGNORE_LABEL positions skipped;
 * the loss is the mean over counted tokens. Metrics [Σ loss, Σ correct, counted, non-finite], with
 * `seqMetrics` also [Σ correct sequences, sequences]. Classification is T = 1.
 */
export function sequenceCrossEntropyRef(p: StepParams, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor, seqMetrics = true): void {
  const [B, T] = labels.shape.length >= 2 ? labels.shape : [labels.shape[0], 1];
  const V = logits.size / (B * T);
  const Lg = a(logits), Y = au(labels), M = a(metrics);
  const rows = Math.min(p.rows, B);
  let counted = 0;
  for (let i = 0; i < rows * T; i++) if (Y[labels.offset + i] !== IGNORE_LABEL) counted++;
  const denom = Math.max(counted, 1);
  let lossSum = 0, correct = 0, bad = 0, seqOk = 0;
  for (let b = 0; b < B; b++) {
    let allOk = true;
    for (let t = 0; t < T; t++) {
      const base = logits.offset + (b * T + t) * V;
      const label = Y[labels.offset + b * T + t];
      if (b >= rows || label === IGNORE_LABEL) {
        if (dlogits) a(dlogits).fill(0, dlogits.offset + (b * T + t) * V, dlogits.offset + (b * T + t + 1) * V);
        continue;
      }
      let mx = -Infinity, arg = 0;
      for (let c = 0; c < V; c++) if (Lg[base + c] > mx) { mx = Lg[base + c]; arg = c; }
      let sum = 0;
      for (let c = 0; c < V; c++) sum += Math.exp(Lg[base + c] - mx);
      const loss = Math.log(sum) + mx - Lg[base + label];
      if (!Number.isFinite(loss)) bad++;
      lossSum += loss;
      if (arg === label) correct++;
      else allOk = false;
      if (dlogits) {
        const D = a(dlogits);
        for (let c = 0; c < V; c++)
          D[dlogits.offset + (b * T + t) * V + c] = (Math.exp(Lg[base + c] - mx) / sum - (c === label ? 1 : 0)) / denom;
      }
    }
    if (b < rows && allOk) seqOk++;
  }
  const m = metrics.offset;
  M[m] += lossSum;
  M[m + 1] += correct;
  M[m + 2] += counted;
  M[m + 3] += bad;
  if (!seqMetrics) return;
  M[m + 4] += seqOk;
  M[m + 5] += rows;
}

// ---- the CPU backend's kernels: each runs the loops above ----
const f = (t: Tensor) => t.store as Float32Array;

/** Classification: the sequence reference with T = 1, without the whole-sequence metrics. */
export function softmaxCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  const B = labels.size;
  const perRow = { ...labels, shape: [B, 1] };
  return cpuKernel('softmaxCrossEntropy', (p) => sequenceCrossEntropyRef(p, dlogits, logits, perRow, metrics, false));
}

export function mse(dpred: Tensor | null, pred: Tensor, target: Tensor, metrics: Tensor): Kernel {
  const B = pred.shape[0], D = pred.size / B;
  return cpuKernel('mse', (p) => {
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

export function sequenceCrossEntropy(dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): Kernel {
  return cpuKernel('sequenceCrossEntropy', (p) => sequenceCrossEntropyRef(p, dlogits, logits, labels, metrics));
}
