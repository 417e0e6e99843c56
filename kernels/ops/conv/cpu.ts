// Plain-loop references for the convolutional ops: direct convolution (no im2col, no GEMM),
// scatter-style backward passes, (pooling, batch norm and augmentation are in their own folders). Written from the
// definitions, independently of the WGSL, so that the GPU kernels have something to disagree with.
// Arrays are the backends' stores; every tensor is (store, offset). NHWC throughout.
import type { Conv2dGeom, FusedAct, Kernel, Tensor } from '../../backend.ts';
import { unaryF } from '../elementwise/cpu.ts';
import { checkConv } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;

/** Input row/col of output position o and kernel tap k, or −1 when it falls in the padding. */
export function src(o: number, k: number, stride: number, pad: number, dil: number, size: number): number {
  const i = o * stride - pad + k * dil;
  return i >= 0 && i < size ? i : -1;
}

export function conv2dRef(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, bias: Tensor | null, act: FusedAct, accumulate: boolean): void {
  const X = f(x), Wt = f(w), Y = f(out), Bv = bias ? f(bias) : null;
  const acc = new Float64Array(g.F);
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        acc.fill(0);
        for (let kh = 0; kh < g.KH; kh++) {
          const ih = src(oh, kh, g.sh, g.ph, g.dh, g.H);
          if (ih < 0) continue;
          for (let kw = 0; kw < g.KW; kw++) {
            const iw = src(ow, kw, g.sw, g.pw, g.dw, g.W);
            if (iw < 0) continue;
            for (let c = 0; c < g.C; c++) {
              const xv = X[x.offset + ((n * g.H + ih) * g.W + iw) * g.C + c];
              const w0 = w.offset + ((kh * g.KW + kw) * g.C + c) * g.F;
              for (let fo = 0; fo < g.F; fo++) acc[fo] += xv * Wt[w0 + fo];
            }
          }
        }
        const y0 = out.offset + ((n * g.OH + oh) * g.OW + ow) * g.F;
        for (let fo = 0; fo < g.F; fo++) {
          let v = acc[fo] + (Bv ? Bv[bias!.offset + fo] : 0);
          if (act !== 'none') v = unaryF(act, v, 0.01);
          Y[y0 + fo] = accumulate ? Y[y0 + fo] + v : v;
        }
      }
}

/** dx by scattering each dy·w back to the input pixel it came from. */
export function conv2dBackwardInputRef(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate: boolean): void {
  const DX = f(dx), DY = f(dy), Wt = f(w);
  const acc = new Float64Array(dx.size);
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let kh = 0; kh < g.KH; kh++) {
          const ih = src(oh, kh, g.sh, g.ph, g.dh, g.H);
          if (ih < 0) continue;
          for (let kw = 0; kw < g.KW; kw++) {
            const iw = src(ow, kw, g.sw, g.pw, g.dw, g.W);
            if (iw < 0) continue;
            const d0 = dy.offset + ((n * g.OH + oh) * g.OW + ow) * g.F;
            for (let c = 0; c < g.C; c++) {
              const w0 = w.offset + ((kh * g.KW + kw) * g.C + c) * g.F;
              let s = 0;
              for (let fo = 0; fo < g.F; fo++) s += DY[d0 + fo] * Wt[w0 + fo];
              acc[((n * g.H + ih) * g.W + iw) * g.C + c] += s;
            }
          }
        }
  for (let i = 0; i < dx.size; i++) DX[dx.offset + i] = accumulate ? DX[dx.offset + i] + acc[i] : acc[i];
}

export function conv2dBackwardWeightRef(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate: boolean): void {
  const DW = f(dw), X = f(x), DY = f(dy);
  const acc = new Float64Array(dw.size);
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++) {
        const d0 = dy.offset + ((n * g.OH + oh) * g.OW + ow) * g.F;
        for (let kh = 0; kh < g.KH; kh++) {
          const ih = src(oh, kh, g.sh, g.ph, g.dh, g.H);
          if (ih < 0) continue;
          for (let kw = 0; kw < g.KW; kw++) {
            const iw = src(ow, kw, g.sw, g.pw, g.dw, g.W);
            if (iw < 0) continue;
            for (let c = 0; c < g.C; c++) {
              const xv = X[x.offset + ((n * g.H + ih) * g.W + iw) * g.C + c];
              const a0 = ((kh * g.KW + kw) * g.C + c) * g.F;
              for (let fo = 0; fo < g.F; fo++) acc[a0 + fo] += xv * DY[d0 + fo];
            }
          }
        }
      }
  for (let i = 0; i < dw.size; i++) DW[dw.offset + i] = accumulate ? DW[dw.offset + i] + acc[i] : acc[i];
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function conv2d(out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o: { bias?: Tensor; act?: FusedAct; accumulate?: boolean } = {}): Kernel {
  checkConv(out, x, w, g);
  return cpuKernel('conv2d', () => conv2dRef(out, x, w, g, o.bias ?? null, o.act ?? 'none', !!o.accumulate));
}

export function conv2dBackwardInput(dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
  checkConv(dy, dx, w, g);
  return cpuKernel('conv2d dx', () => conv2dBackwardInputRef(dx, dy, w, g, accumulate));
}

export function conv2dBackwardWeight(dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, accumulate = false): Kernel {
  checkConv(dy, x, dw, g);
  return cpuKernel('conv2d dw', () => conv2dBackwardWeightRef(dw, x, dy, g, accumulate));
}
