// Plain-loop references of max and average pooling (NHWC), written from the definitions.
import type { Conv2dGeom, Kernel, PoolOp, Tensor } from '../../backend.ts';
import { src } from '../conv/cpu.ts';
import { checkPool } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;
const u = (t: Tensor) => t.store as Uint32Array;

/** Max pooling skips padded positions (−∞); average divides by KH·KW (torch's count_include_pad). */
export function pool2dRef(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): void {
  const X = f(x), Y = f(out);
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let c = 0; c < g.C; c++) {
          let best = -Infinity, arg = 0, sum = 0;
          for (let kh = 0; kh < g.KH; kh++) {
            const ih = src(oh, kh, g.sh, g.ph, g.dh, g.H);
            if (ih < 0) continue;
            for (let kw = 0; kw < g.KW; kw++) {
              const iw = src(ow, kw, g.sw, g.pw, g.dw, g.W);
              if (iw < 0) continue;
              const xi = ((n * g.H + ih) * g.W + iw) * g.C + c;
              const v = X[x.offset + xi];
              sum += v;
              if (v > best) { best = v; arg = xi; }
            }
          }
          const oi = ((n * g.OH + oh) * g.OW + ow) * g.C + c;
          Y[out.offset + oi] = op === 'max' ? best : sum / (g.KH * g.KW);
          if (argmax) u(argmax)[argmax.offset + oi] = arg;
        }
}

export function pool2dBackwardRef(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): void {
  const DX = f(dx), DY = f(dy);
  const acc = new Float64Array(dx.size);
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++)
      for (let ow = 0; ow < g.OW; ow++)
        for (let c = 0; c < g.C; c++) {
          const oi = ((n * g.OH + oh) * g.OW + ow) * g.C + c;
          const gv = DY[dy.offset + oi];
          if (op === 'max') {
            acc[u(argmax!)[argmax!.offset + oi]] += gv;
            continue;
          }
          for (let kh = 0; kh < g.KH; kh++) {
            const ih = src(oh, kh, g.sh, g.ph, g.dh, g.H);
            if (ih < 0) continue;
            for (let kw = 0; kw < g.KW; kw++) {
              const iw = src(ow, kw, g.sw, g.pw, g.dw, g.W);
              if (iw >= 0) acc[((n * g.H + ih) * g.W + iw) * g.C + c] += gv / (g.KH * g.KW);
            }
          }
        }
  for (let i = 0; i < dx.size; i++) DX[dx.offset + i] = acc[i];
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function pool2d(op: PoolOp, out: Tensor, x: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
  checkPool(out, x, g);
  return cpuKernel(`pool2d ${op}`, () => pool2dRef(op, out, x, argmax, g));
}

export function pool2dBackward(op: PoolOp, dx: Tensor, dy: Tensor, argmax: Tensor | null, g: Conv2dGeom): Kernel {
  checkPool(dy, dx, g);
  if (op === 'max' && !argmax) throw new Error('pool2dBackward max: needs the argmax tensor from the forward pass');
  return cpuKernel(`pool2d ${op} backward`, () => pool2dBackwardRef(op, dx, dy, argmax, g));
}
