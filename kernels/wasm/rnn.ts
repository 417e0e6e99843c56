// CpuBackend.recurrentStep / recurrentStepBackward on the WebAssembly SIMD kernels
// (kernels/wasm/as/rnn.ts), in place on the layer's buffers in the WASM heap. Step −1 (the
// initial state's load and gradient) stays with the TypeScript reference.
import type { CellKind, RecurrentBuffers, RecurrentGrads, Tensor } from '../backend.ts';
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

export function wasmRecurrentStep(cell: CellKind, t: number, s: RecurrentBuffers): () => boolean {
  const [B, T, H] = s.hseq.shape, G = GATES[cell], GH = G * H;
  const ok = initOk(cell, s, B, H);
  return () => t >= 0 && ok && run((k, sc) => {
    const p = addresses([s.xp, s.whh, s.bhh, s.hseq, s.hprev, s.cseq, s.gates, s.hlast, s.h0, s.c0]);
    const hp = sc.alloc(B * GH), pa = sc.alloc(up4(B) * H), pb = sc.alloc(H * up8(GH));
    if (!p || Math.min(hp, pa, pb) < 0) return false;
    k.recurrentStep(CELL[cell], G, t, B, T, H, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], hp, pa, pb);
    return true;
  });
}

export function wasmRecurrentStepBackward(cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): () => boolean {
  const [B, T, H] = s.hseq.shape, G = GATES[cell], GH = G * H;
  const ok = initOk(cell, s, B, H) && g.whhT.size === s.whh.size;
  return () => t >= 0 && ok && run((k, sc) => {
    const p = addresses([s.whh, s.hseq, s.hprev, s.cseq, s.gates, s.c0, g.dout, g.dgx, g.dgh, g.carry]);
    const dh = sc.alloc(B * H), pa = sc.alloc(up4(B) * GH), pb = sc.alloc(GH * up8(H));
    if (!p || Math.min(dh, pa, pb) < 0) return false;
    k.recurrentStepBackward(CELL[cell], G, t, seqOut ? 1 : 0, B, T, H, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], dh, pa, pb);
    return true;
  });
}
