// CpuBackend.conv2d and its two gradients on the WebAssembly SIMD kernels: im2col into scratch
// (kernels/wasm/as/conv.ts), then the packed GEMM (matmul.ts `gemm`, on the worker pool when it
// runs) with bias + activation fused in the forward; dx = col2im(dy · Wᵀ), dW = colᵀ · dy;
// pooling. In place on tensors in the WASM heap. im2col, col2im and pooling run on one thread.
import { type Conv2dGeom, type FusedAct, type PoolOp, type Tensor } from '../backend.ts';
import { ACT_CODE, gemm } from './matmul.ts';
import { addressOf, heapView, Scratch, wasm, type WasmKernels } from './runtime.ts';

const at = (t: Tensor | undefined | null) => (t ? addressOf(t.store, t.offset) : 0);

/** Runs body with the geometry written into scratch; false when the kernels or room are missing. */
function withGeom(g: Conv2dGeom, tensors: (Tensor | undefined | null)[], body: (k: WasmKernels, s: Scratch, gp: number, p: number[]) => boolean): boolean {
  const k = wasm();
  const p = tensors.map(at);
  if (!k || Math.min(...p) < 0) return false;
  const s = new Scratch();
  try {
    const gp = s.alloc(16);
    if (gp < 0) return false;
    const v = [g.N, g.H, g.W, g.C, g.KH, g.KW, g.F, g.OH, g.OW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw];
    new Int32Array(heapView().buffer, gp, 15).set(v);
    return body(k, s, gp, p);
  } finally {
    s.done();
  }
}

export function wasmConv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, bias: Tensor | null, act: FusedAct, accumulate: boolean): () => boolean {
  const M = g.N * g.OH * g.OW, K = g.KH * g.KW * g.C, F = g.F;
  return () => withGeom(g, [out, x, w, bias], (k, s, gp, [po, px, pw, pb]) => {
    const col = s.alloc(M * K);
    if (col < 0) return false;
    k.im2col(gp, px, col);
    return gemm(k, s, { M, N: F, K, Ma: M, a: col, sAm: K, sAk: 1, b: pw, sBk: F, sBn: 1, c: po, bias: pb, act: ACT_CODE[act], alpha: 0.01, y: 0, gact: 0, galpha: 0, acc: accumulate ? 1 : 0 });
  });
}

export function wasmConv2dBackwardInput(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate: boolean): () => boolean {
  const M = g.N * g.OH * g.OW, K = g.KH * g.KW * g.C, F = g.F;
  return () => withGeom(g, [dx, dy, w], (k, s, gp, [pdx, pdy, pw]) => {
    const dcol = s.alloc(M * K);
    if (dcol < 0) return false;
    // op(B)[f, kk] = W[kk, f]
    if (!gemm(k, s, { M, N: K, K: F, Ma: M, a: pdy, sAm: F, sAk: 1, b: pw, sBk: 1, sBn: F, c: dcol, bias: 0, act: 0, alpha: 0, y: 0, gact: 0, galpha: 0, acc: 0 })) return false;
    if (!accumulate) heapView().fill(0, pdx >> 2, (pdx >> 2) + dx.size);
    k.col2im(gp, dcol, pdx);
    return true;
  });
}

export function wasmConv2dBackwardWeight(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate: boolean): () => boolean {
  const M = g.N * g.OH * g.OW, K = g.KH * g.KW * g.C, F = g.F;
  return () => withGeom(g, [dw, x, dy], (k, s, gp, [pdw, px, pdy]) => {
    const col = s.alloc(M * K);
    if (col < 0) return false;
    k.im2col(gp, px, col);
    // op(A)[kk, m] = col[m, kk]
    return gemm(k, s, { M: K, N: F, K: M, Ma: K, a: col, sAm: 1, sAk: K, b: pdy, sBk: F, sBn: 1, c: pdw, bias: 0, act: 0, alpha: 0, y: 0, gact: 0, galpha: 0, acc: accumulate ? 1 : 0 });
  });
}

/** Pooling; the u32 argmax (outside the heap) goes through scratch. */
export function wasmPool2d(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): () => boolean {
  return () => withGeom(g, [out, x], (k, s, gp, [po, px]) => {
    const am = argmax ? s.alloc(out.size) : 0;
    if (am < 0) return false;
    k.pool2d(gp, op === 'max' ? 0 : 1, px, po, am);
    if (argmax) (argmax.store as Uint32Array).set(new Uint32Array(heapView().buffer, am, out.size), argmax.offset);
    return true;
  });
}

export function wasmPool2dBackward(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): () => boolean {
  return () => withGeom(g, [dx, dy], (k, s, gp, [pdx, pdy]) => {
    const am = argmax ? s.alloc(dy.size) : 0;
    if (am < 0) return false;
    if (argmax) new Uint32Array(heapView().buffer, am, dy.size).set((argmax.store as Uint32Array).subarray(argmax.offset, argmax.offset + dy.size));
    k.pool2dBackward(gp, op === 'max' ? 0 : 1, pdy, am, pdx);
    return true;
  });
}
