// bench:node's --batch and --paths (issue 22: "also report batch 8 and batch 512 for each model",
// and an A/B of the GPU backend's hardware-only kernel forms on the same GPU).
//
// --batch 8,512   ONE comma-separated list (the flag given twice is an error, not a silent
//                 override): each training model is also timed at these batch sizes, on our side
//                 and PyTorch's, beside its reference batch (mlp 128, cnn 64, lstm 32, transformer
//                 32). A size equal to a model's reference batch adds nothing for that model.
//                 Such rows are named `train <model> batch=<B>` (the reference rows keep their
//                 name `train <model>`), and every training row's JSON carries `batch`.
//                 The loss windows (scripts/bench/measure.ts, loss.ts) are the same at every
//                 batch: on 2026-12-03 every model's loss fell at batch 8 and 512 on both sides
//                 (our CPU backend, torch 1.13 on the CPU) with the fewest steps a run makes
//                 (1 repetition of 1 step, the LSTM padded to its 16 learning steps) and at
//                 batch 8 with about 60 steps (ours also with 900 for the transformer and 1,800
//                 for the LSTM); on Dawn's SwiftShader, mlp at 8 and 512, lstm and transformer at
//                 8 (--quick) fell too. So no window is sized per batch.
// --paths P       fallback | hardware | auto (default): the GPU backend's `paths` on our side
//                 (kernels/gpu/backend.ts: persistent recurrence loops' split sums, split-K, large
//                 tiles, parallel sequence cross-entropy are the hardware forms); the meta line
//                 records it.
import { MNIST_N, SEQ, COPY_TASK } from '../bench/data.ts';
import type { Paths } from '../bench/ours.ts';

/**
 * The largest batch: MNIST_N / 4, so that the 2,048 MNIST images the benchmark (and the bundle)
 * carries make at least 4 batches, and the loss windows (3 steps on batches 0, 1, 2) revisit
 * batches they trained on rather than the same one. The sequence data (SEQ.n and COPY_TASK's
 * 1,024 rows) then make 2 batches at 512: the windows read batches 0, 1, 0 there.
 */
export const MAX_BATCH = MNIST_N / 4;

/** Rows of training data per model in the benchmark (scripts/bench/data.ts). */
export const BENCH_ROWS: Record<string, number> = {
  'mlp-mnist': MNIST_N, 'cnn-mnist': MNIST_N, lstm: SEQ.n, transformer: COPY_TASK.trainSize ?? 0,
};

/** --batch's value (parseArgs with multiple: true, so a repeated flag is seen): sorted, unique. Throws a message naming the flag and the bad entry. */
export function parseBatches(values: readonly string[] | undefined): number[] {
  if (!values || values.length === 0) return [];
  if (values.length > 1) throw new Error(`--batch was given ${values.length} times (${values.join(' ; ')}): give one comma-separated list, e.g. --batch 8,512`);
  const parts = values[0].split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) throw new Error(`--batch ${values[0]}: "${p}" is not a whole number (give sizes like --batch 8,512)`);
    const b = Number(p);
    if (b < 1 || b > MAX_BATCH) throw new Error(`--batch ${values[0]}: ${b} is outside 1 … ${MAX_BATCH} (the benchmark's ${MNIST_N.toLocaleString('en-US')} MNIST images must make at least 4 batches)`);
    if (!out.includes(b)) out.push(b);
  }
  return out.sort((x, y) => x - y);
}

/** --paths's value; undefined when absent ('auto', as a page gets). */
export function parsePaths(v: string | undefined): Paths | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto' || v === 'hardware' || v === 'fallback') return v;
  throw new Error(`--paths ${v}: expected fallback, hardware or auto`);
}

/** A training row's name: the reference batch keeps the plain name. */
export const trainRowName = (model: string, batch: number, reference: number): string =>
  batch === reference ? `train ${model}` : `train ${model} batch=${batch}`;

/** The (model, batch) rows to time: each model's reference batch, then the extra sizes that differ from it; `wants` filters by row name (--only). */
export function trainRows<M extends string>(models: readonly M[], reference: (m: M) => number, batches: readonly number[], wants: (name: string) => boolean):
  { model: M; batch: number; name: string; reference: boolean }[] {
  const rows: { model: M; batch: number; name: string; reference: boolean }[] = [];
  for (const m of models) {
    const ref = reference(m);
    for (const b of [ref, ...batches.filter((x) => x !== ref)]) {
      const name = trainRowName(m, b, ref);
      if (wants(name)) rows.push({ model: m, batch: b, name, reference: b === ref });
    }
  }
  return rows;
}
