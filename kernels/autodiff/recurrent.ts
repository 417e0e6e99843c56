// The recurrent layer's graph op (LSTM, GRU, tanh RNN): forward steps, backprop through time and
// the weight-gradient GEMMs, recorded on a Graph like its other ops.
import type { CellKind, Kernel, RecurrentBuffers, RecurrentGrads, Tensor } from '../backend.ts';
import { CELL } from '../backend.ts';
import type { Graph } from './graph.ts';

/**
 * One recurrent layer over x (B, T, I): the input projection of all timesteps is one GEMM
 * (x·W_ih + b_ih), then the recurrence: one kernel for all T steps where the backend has one
 * (GpuBackend up to H = 256), else one fused dispatch per timestep. Returns hseq (B, T, H) or, when
 * !seqOut, the last state (B, H). Backward: likewise (one kernel, or one per step) in reverse, then the weight
 * gradients as GEMMs over all B·T rows: dW_ih = xᵀ·dgx, dW_hh = hprevᵀ·dgh, biases as row sums.
 * W_ih (I, G·H), b_ih (G·H), W_hh (H, G·H), b_hh (G·H); gate blocks in PyTorch order.
 * init: the initial state h0 (and, for an LSTM, c0), (B, H) each, per sample; absent ones are
 * zeros. They take gradients like any input (the backward's step −1 writes them).
 */
export function recurrent(gr: Graph, cell: CellKind, x: Tensor, Wih: Tensor, bih: Tensor, Whh: Tensor, bhh: Tensor, seqOut: boolean,
  name: string, init: { h0?: Tensor | null; c0?: Tensor | null } = {}): Tensor {
  const [B, T, I] = x.shape;
  const GH = Wih.shape[1], H = Whh.shape[0];
  const rows = B * T;
  const x2 = { ...x, shape: [rows, I] };
  const xp = gr.alloc([B, T, GH], `${name}.xp`);
  if (init.c0 && cell !== CELL.lstm) throw new Error(`${name}: only an LSTM has a cell state c0`);
  for (const v of [init.h0, init.c0]) if (v && v.size !== B * H) throw new Error(`${name}: initial state ${v.name} (${v.shape}) is not (B, H) = (${B}, ${H})`);
  // The backend takes an LSTM's h0 and c0 together: a missing one is a zero tensor.
  const zeros = (what: string) => {
    const z = gr.alloc([B, H], `${name}.${what}`);
    gr.be.write(z, new Float32Array(B * H));
    return z;
  };
  const h0 = init.h0 ?? (init.c0 ? zeros('h0') : undefined);
  const c0 = cell === CELL.lstm && h0 ? init.c0 ?? zeros('c0') : undefined;
  const s: RecurrentBuffers = {
    xp, whh: Whh, bhh,
    hseq: gr.alloc([B, T, H], `${name}.h`),
    hprev: gr.alloc([B, T, H], `${name}.hprev`),
    cseq: gr.alloc(cell === CELL.lstm ? [B, T, H] : [1], `${name}.c`),
    gates: gr.alloc(cell === CELL.rnn ? [1] : [B, T, 4 * H], `${name}.gates`),
    hlast: gr.alloc([B, H], `${name}.hlast`),
    ...(h0 ? { h0: { ...h0, shape: [B, H] } } : {}),
    ...(c0 ? { c0: { ...c0, shape: [B, H] } } : {}),
  };
  const fwd: Kernel[] = [gr.be.matmul({ ...xp, shape: [rows, GH] }, x2, Wih, { bias: bih })];
  if (h0) fwd.push(gr.be.recurrentStep(cell, -1, s)); // loads the initial state
  // The whole loop in one kernel where the backend has one for these sizes, else one per step.
  const seq = gr.be.recurrentSequence?.(cell, s) ?? null;
  if (seq) fwd.push(seq);
  else for (let t = 0; t < T; t++) fwd.push(gr.be.recurrentStep(cell, t, s));
  gr.taps.push({ name, cell, buffers: s });
  const y = seqOut ? s.hseq : s.hlast;
  const states = [h0, c0].filter((v): v is Tensor => !!v);
  return gr.op(y, fwd, [x, Wih, bih, Whh, bhh, ...states], () => {
    if (!gr.written.has(y.id)) return;
    const g: RecurrentGrads = {
      dout: gr.grad(y),
      dgx: gr.alloc([B, T, GH], `${name}.dgx`),
      dgh: gr.alloc([B, T, GH], `${name}.dgh`),
      carry: gr.alloc([B, H], `${name}.carry`),
      whhT: gr.alloc([GH, H], `${name}.W_hhT`),
    };
    // W_hhᵀ = W_hhᵀ · I as a GEMM (no transpose op needed); the identity is written once, here.
    const eye = gr.alloc([H, H], `${name}.eye`);
    const e = new Float32Array(H * H);
    for (let i = 0; i < H; i++) e[i * H + i] = 1;
    gr.be.write(eye, e);
    gr.backwardKernels.push(gr.be.matmul(g.whhT, Whh, eye, { transA: true }));
    const seqBack = gr.be.recurrentSequenceBackward?.(cell, seqOut, s, g) ?? null;
    if (seqBack) gr.backwardKernels.push(seqBack);
    else for (let t = T - 1; t >= 0; t--) gr.backwardKernels.push(gr.be.recurrentStepBackward(cell, t, seqOut, s, g));
    if (states.some((v) => gr.requiresGrad(v))) {
      // Step −1 writes dh0 (and dc0) in one dispatch: straight into the gradient buffers when
      // this is their first producer, else into temporaries added after it (gradInto's rule);
      // an LSTM state that needs no gradient gets a scratch buffer.
      const after: Kernel[] = [];
      const dst = (v: Tensor): Tensor => {
        if (!gr.requiresGrad(v)) return gr.alloc([B, H], `${name}.d${v === h0 ? 'h0' : 'c0'}.unused`);
        const gv = { ...gr.grad(v), shape: [B, H] };
        if (!gr.written.has(v.id)) {
          gr.written.add(v.id);
          return gv;
        }
        const tmp = gr.alloc([B, H], `d${v.name}.part`);
        after.push(gr.be.addInto(gv, tmp));
        return tmp;
      };
      g.dh0 = dst(h0!);
      if (c0) g.dc0 = dst(c0);
      gr.backwardKernels.push(gr.be.recurrentStepBackward(cell, -1, seqOut, s, g), ...after);
    }
    const dgx = { ...g.dgx, shape: [rows, GH] }, dgh = { ...g.dgh, shape: [rows, GH] };
    const hprev = { ...s.hprev, shape: [rows, H] };
    if (gr.requiresGrad(Wih)) gr.gradInto(Wih, (dst, acc) => [gr.be.matmul(dst, x2, dgx, { transA: true, accumulate: acc })], true);
    if (gr.requiresGrad(bih)) gr.gradInto(bih, (dst, acc) => [gr.be.sumRows(dst, dgx, acc)], true);
    if (gr.requiresGrad(Whh)) gr.gradInto(Whh, (dst, acc) => [gr.be.matmul(dst, hprev, dgh, { transA: true, accumulate: acc })], true);
    if (gr.requiresGrad(bhh)) gr.gradInto(bhh, (dst, acc) => [gr.be.sumRows(dst, dgh, acc)], true);
    if (gr.requiresGrad(x)) gr.gradInto(x, (dst, acc) => [gr.be.matmul({ ...dst, shape: [rows, I] }, dgx, Wih, { transB: true, accumulate: acc })], true);
  });
}
