// CpuBackend.recurrentStep / recurrentStepBackward on the WebAssembly SIMD kernels
// (kernels/wasm/as/rnn.ts), in place on the layer's buffers in the WASM heap. Step −1 (the
// initial state's load and gradient) stays with the TypeScript reference. On the worker pool the
// batch rows are split: every buffer is batch-major, so a thread runs the same kernel on rows
// b0 … b1 − 1 (its pointers moved to row b0, its own scratch); bit-identical to one thread.
import type { CellKind, RecurrentBuffers, RecurrentGrads, Tensor } from '../backend.ts';
import { minParallelWork, parallel, share, threadCount, type Call } from './pool.ts';
import { addressOf, Scratch, wasm, type WasmKernels } from './runtime.ts';

const CELL = { lstm: 0, gru: 1, rnn: 2 } as const;
const GATES = { lstm: 4, gru: 3, rnn: 1 } as const;

/** Byte addresses of the tensors (0 for absent ones), or null when one is outside the heap. */
function addresses(ts: (Tensor | undefined)[]): number[] | null {
  const out: number[] = [];
  for (const t of ts) {
    const a = t ? addressOf(t.store, t.offset) : 0;
    if (a < 0) return null;
    out.push(a);
  }
  return out;
}

/** The initial state as the reference accepts it; otherwise the reference runs and says what is wrong. */
function initOk(cell: CellKind, s: RecurrentBuffers, B: number, H: number): boolean {
  if (CELL[cell] === CELL.lstm ? !!s.h0 !== !!s.c0 : !!s.c0) return false; // only an LSTM has c0, given exactly with h0
  return [s.h0, s.c0].every((x) => !x || x.size === B * H);
}

const up4 = (n: number) => Math.ceil(n / 4) * 4, up8 = (n: number) => Math.ceil(n / 8) * 8;

function run(body: (k: WasmKernels, s: Scratch) => boolean): boolean {
  const k = wasm();
  if (!k) return false;
  const s = new Scratch();
  try {
    return body(k, s);
  } finally {
    s.done();
  }
}

/** Threads for a step of B rows with a (B, K)·(K, N) recurrent product: one below the work threshold. */
const parts = (B: number, K: number, N: number) => (B * K * N < minParallelWork() ? 1 : Math.max(1, Math.min(threadCount(), B)));
/** Address p moved to batch row b0 of rows `stride` floats apart; 0 (absent) stays 0. */
const row = (p: number, b0: number, stride: number) => (p ? p + b0 * stride * 4 : 0);

export function wasmRecurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): () => boolean {
  const [B, T, H] = s.hseq.shape, G = GATES[cell], GH = G * H;
  const ok = initOk(cell, s, B, H);
  return () => t >= 0 && ok && run((k, sc) => {
    const p = addresses([s.xp, s.whh, s.bhh, s.hseq, s.hprev, s.cseq, s.gates, s.hlast, s.h0, s.c0]);
    if (!p) return false;
    const tasks: Call[][] = [];
    for (let i = 0, n = parts(B, H, GH); i < n; i++) {
      const [b0, b1] = share(B, n, i), Bi = b1 - b0;
      const hp = sc.alloc(Bi * GH), pa = sc.alloc(up4(Bi) * H), pb = sc.alloc(H * up8(GH));
      if (Math.min(hp, pa, pb) < 0) return false;
      const th = T * H;
      tasks.push([['recurrentStep', CELL[cell], G, t, Bi, T, H, row(p[0], b0, T * GH), p[1], p[2], row(p[3], b0, th), row(p[4], b0, th),
        row(p[5], b0, th), row(p[6], b0, T * 4 * H), row(p[7], b0, H), row(p[8], b0, H), row(p[9], b0, H), hp, pa, pb]]);
    }
    parallel(k, tasks);
    return true;
  });
}

export function wasmRecurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): () => boolean {
  const [B, T, H] = s.hseq.shape, G = GATES[cell], GH = G * H;
  const ok = initOk(cell, s, B, H) && g.whhT.size === s.whh.size;
  return () => t >= 0 && ok && run((k, sc) => {
    const p = addresses([s.whh, s.hseq, s.hprev, s.cseq, s.gates, s.c0, g.dout, g.dgx, g.dgh, g.carry]);
    if (!p) return false;
    const tasks: Call[][] = [];
    for (let i = 0, n = parts(B, GH, H); i < n; i++) {
      const [b0, b1] = share(B, n, i), Bi = b1 - b0;
      const dh = sc.alloc(Bi * H), pa = sc.alloc(up4(Bi) * GH), pb = sc.alloc(GH * up8(H));
      if (Math.min(dh, pa, pb) < 0) return false;
      const th = T * H;
      tasks.push([['recurrentStepBackward', CELL[cell], G, t, seqOut ? 1 : 0, Bi, T, H, p[0], row(p[1], b0, th), row(p[2], b0, th), row(p[3], b0, th),
        row(p[4], b0, T * 4 * H), row(p[5], b0, H), row(p[6], b0, seqOut ? th : H), row(p[7], b0, T * GH), row(p[8], b0, T * GH), row(p[9], b0, H), dh, pa, pb]]);
    }
    parallel(k, tasks);
    return true;
  });
}
