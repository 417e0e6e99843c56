// GPU dispatch of the recurrent ops: kernel selection, uniforms and bindings; WGSL in this folder.
import type { Kernel, Tensor } from '../../backend.ts';
import { CELL } from '../../backend.ts';
import { grid1d } from '../common.wgsl.ts';
import { checkSizes } from '../shapes.ts';
import {
  gateCount, recurrentInit, recurrentInitBackwardWgsl, recurrentInitWgsl,
  recurrentSplitGroups, recurrentStepBackwardSplitWgsl, recurrentStepBackwardWgsl, recurrentStepSplitWgsl, recurrentStepWgsl,
  RNN_SPLIT_UNITS,
} from './wgsl.ts';
import { recurrentSequenceBackwardWgsl, recurrentSequenceThreads, recurrentSequenceWgsl, RNN_SEQ_MAX_H } from './seq.wgsl.ts';
import type { CellKind, RecurrentBuffers, RecurrentGrads } from '../../backend.ts';
import type { GpuBackend } from '../../gpu/backend.ts';

/** The buffers hold what the kernels index for (B, T, H) = hseq's shape; with g, the backward's too (dout per seqOut). */
function checkRecurrent(cell: CellKind, s: RecurrentBuffers, g?: RecurrentGrads, seqOut = false): void {
  const [B, T, H] = s.hseq.shape, GH = gateCount(cell) * H, BTH = B * T * H;
  const op = `${cell} (B, T, H) = (${B}, ${T}, ${H})`;
  checkSizes(op, [[s.xp, B * T * GH], [s.whh, H * GH], [s.bhh, GH], [s.hseq, BTH], [s.hprev, BTH], [s.hlast, B * H],
    [s.cseq, cell === CELL.lstm ? BTH : 0], [s.gates, cell === CELL.rnn ? 0 : 4 * BTH]]);
  if (g) checkSizes(`${op} backward`, [[g.dout, seqOut ? BTH : B * H], [g.dgx, B * T * GH], [g.dgh, B * T * GH], [g.carry, B * H],
    [g.whhT, GH * H], [g.dh0, B * H], [g.dc0, B * H]]);
}

// Initial state (s.h0/c0, g.dh0/dc0): t = −1 is the extra dispatch that loads it (forward) or
// writes its gradient (backward); the WGSL header in ops/recurrent/wgsl.ts says why.
export function recurrentStep(be: GpuBackend, cell: CellKind, t: number, s: RecurrentBuffers): Kernel {
  const [B, T, H] = s.hseq.shape;
  const init = recurrentInit(cell, s);
  checkRecurrent(cell, s);
  if (t === -1) {
    if (!s.h0) throw new Error(`${cell} step −1 loads the initial state: s.h0 is missing`);
    const bind: Record<string, Tensor> = { H0: s.h0, HPREV: s.hprev };
    if (cell === CELL.lstm) Object.assign(bind, { C0: s.c0!, CSEQ: s.cseq });
    return be.ew(`${cell} initial state`, recurrentInitWgsl(cell), B * H, { u: [B, T, H, 0, 0, 1] }, bind);
  }
  const bind = { XP: s.xp, WHH: s.whh, BHH: s.bhh, HSEQ: s.hseq, HPREV: s.hprev, CSEQ: s.cseq, GATES: s.gates, HLAST: s.hlast };
  const dims = { u: [B, T, H, t, 0, init ? 1 : 0] };
  // Hardware GPUs: the k-sum split over the lanes of a workgroup (the serial form is latency-bound
  // there), B · ⌈H / units⌉ workgroups of 256; SwiftShader keeps one thread per (b, j), faster on a CPU.
  if (be.hw) {
    const [gx, gy] = grid1d(recurrentSplitGroups(B, H, RNN_SPLIT_UNITS.forward) * 256);
    return be.dimsKernel(`${cell} step ${t}`, recurrentStepSplitWgsl(cell), dims, bind, [gx, gy, 1]);
  }
  return be.ew(`${cell} step ${t}`, recurrentStepWgsl(cell), B * H, dims, bind);
}

export function recurrentStepBackward(be: GpuBackend, cell: CellKind, t: number, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel {
  const [B, T, H] = s.hseq.shape;
  const init = recurrentInit(cell, s);
  checkRecurrent(cell, s, g, seqOut);
  if (t === -1) {
    if (!g.dh0 || (cell === CELL.lstm && !g.dc0)) throw new Error(`${cell} backward step −1 writes the initial state's gradient: g.dh0${cell === CELL.lstm ? '/dc0' : ''} missing`);
    const bind: Record<string, Tensor> = { WHHT: g.whhT, DGH: g.dgh, CARRY: g.carry, DH0: g.dh0 };
    if (cell === CELL.lstm) bind.DC0 = g.dc0!;
    return be.ew(`${cell} initial state backward`, recurrentInitBackwardWgsl(cell), B * H, { u: [B, T, H, 0, 0, 1] }, bind);
  }
  // AUX (recurrentBackwardAux): GRU h_{t-1} from hprev, RNN h_t from hseq, LSTM c0 (hseq unread without one).
  const aux = cell === CELL.gru ? s.hprev : cell === CELL.lstm && init ? s.c0! : s.hseq;
  const bind = { WHHT: g.whhT, AUX: aux, CSEQ: s.cseq, GATES: s.gates, DOUT: g.dout, DGX: g.dgx, DGH: g.dgh, CARRY: g.carry };
  const dims = { u: [B, T, H, t, seqOut ? 1 : 0, init ? 1 : 0] };
  const label = `${cell} step ${t} backward`;
  if (be.hw) {
    const [gx, gy] = grid1d(recurrentSplitGroups(B, H, RNN_SPLIT_UNITS.backward) * 256);
    return be.dimsKernel(label, recurrentStepBackwardSplitWgsl(cell), dims, bind, [gx, gy, 1]);
  }
  return be.ew(label, recurrentStepBackwardWgsl(cell), B * H, dims, bind);
}

// The whole sequence in one dispatch (seq.wgsl.ts): one workgroup per batch row, B workgroups;
// hardware GPUs get the k-sums in four partial sums, SwiftShader the step kernels' serial order.
// null where H is over the kernels' bound: the caller records the steps above instead.
export function recurrentSequence(be: GpuBackend, cell: CellKind, s: RecurrentBuffers): Kernel | null {
  const [B, T, H] = s.hseq.shape;
  const init = recurrentInit(cell, s);
  if (H > RNN_SEQ_MAX_H) return null;
  checkRecurrent(cell, s);
  const bind = { XP: s.xp, WHH: s.whh, BHH: s.bhh, HSEQ: s.hseq, HPREV: s.hprev, CSEQ: s.cseq, GATES: s.gates, HLAST: s.hlast };
  const [gx, gy] = grid1d(B * 256);
  return be.dimsKernel(`${cell} sequence`, recurrentSequenceWgsl(cell, recurrentSequenceThreads(H), be.hw), { u: [B, T, H, 0, 0, init ? 1 : 0] }, bind, [gx, gy, 1]);
}

export function recurrentSequenceBackward(be: GpuBackend, cell: CellKind, seqOut: boolean, s: RecurrentBuffers, g: RecurrentGrads): Kernel | null {
  const [B, T, H] = s.hseq.shape;
  const init = recurrentInit(cell, s);
  if (H > RNN_SEQ_MAX_H) return null;
  checkRecurrent(cell, s, g, seqOut);
  const aux = cell === CELL.gru ? s.hprev : cell === CELL.lstm && init ? s.c0! : s.hseq;
  const bind = { WHHT: g.whhT, AUX: aux, CSEQ: s.cseq, GATES: s.gates, DOUT: g.dout, DGX: g.dgx, DGH: g.dgh, CARRY: g.carry };
  const [gx, gy] = grid1d(B * 256);
  const dims = { u: [B, T, H, 0, seqOut ? 1 : 0, init ? 1 : 0] };
  return be.dimsKernel(`${cell} sequence backward`, recurrentSequenceBackwardWgsl(cell, recurrentSequenceThreads(H), be.hw), dims, bind, [gx, gy, 1]);
}
