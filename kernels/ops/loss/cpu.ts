// CPU references of the fused losses (loss, gradient and metrics in one pass), in plain loops.
import { IGNORE_LABEL, type StepParams, type Tensor } from '../../backend.ts';

type F = Float32Array | Float64Array;
const a = (t: Tensor) => t.store as F;
const au = (t: Tensor) => t.store as Uint32Array;

export function sequenceCrossEntropyRef(p: StepParams, dlogits: Tensor | null, logits: Tensor, labels: Tensor, metrics: Tensor): void {
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
  M[m + 4] += seqOk;
  M[m + 5] += rows;
}
