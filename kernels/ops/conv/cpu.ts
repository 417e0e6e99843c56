// Plain-loop references for the convolutional ops: direct convolution (no im2col, no GEMM),
// scatter-style backward passes, pooling, batch normalization and augmentation. Written from the
// definitions, independently of the WGSL, so that the GPU kernels have something to disagree with.
// Arrays are the backends' stores; every tensor is (store, offset). NHWC throughout.
import type { AugmentConfig, Conv2dGeom, FusedAct, PoolOp, StepParams, Tensor } from '../../backend.ts';
import { hashUniform } from '../../rng.ts';
import { unaryF } from '../elementwise/cpu.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;
const u = (t: Tensor) => t.store as Uint32Array;

/** Input row/col of output position o and kernel tap k, or −1 when it falls in the padding. */
function src(o: number, k: number, stride: number, pad: number, dil: number, size: number): number {
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

export function batchnormStatsRef(mean: Tensor, invstd: Tensor, x: Tensor, rm: Tensor, rv: Tensor, eps: number, momentum: number): void {
  const C = mean.size, R = x.size / C, X = f(x);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let r = 0; r < R; r++) s += X[x.offset + r * C + c];
    const m = s / R;
    let q = 0;
    for (let r = 0; r < R; r++) q += (X[x.offset + r * C + c] - m) ** 2;
    const v = q / R;
    f(mean)[mean.offset + c] = m;
    f(invstd)[invstd.offset + c] = 1 / Math.sqrt(v + eps);
    f(rm)[rm.offset + c] = (1 - momentum) * f(rm)[rm.offset + c] + momentum * m;
    f(rv)[rv.offset + c] = (1 - momentum) * f(rv)[rv.offset + c] + momentum * (R > 1 ? (v * R) / (R - 1) : v);
  }
}

export function batchnormApplyRef(y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): void {
  const C = mean.size, X = f(x), Y = f(y);
  for (let i = 0; i < x.size; i++) {
    const c = i % C;
    const sv = f(stat)[stat.offset + c];
    const s = fromVar ? 1 / Math.sqrt(sv + eps) : sv;
    Y[y.offset + i] = (X[x.offset + i] - f(mean)[mean.offset + c]) * s * f(gamma)[gamma.offset + c] + f(beta)[beta.offset + c];
  }
}

export function batchnormBackwardRef(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): void {
  const C = mean.size, R = x.size / C, X = f(x), DY = f(dy);
  for (let c = 0; c < C; c++) {
    const m = f(mean)[mean.offset + c], is = f(invstd)[invstd.offset + c];
    let sb = 0, sg = 0;
    for (let r = 0; r < R; r++) {
      const i = r * C + c;
      sb += DY[dy.offset + i];
      sg += DY[dy.offset + i] * (X[x.offset + i] - m) * is;
    }
    f(dbeta)[dbeta.offset + c] = sb;
    f(dgamma)[dgamma.offset + c] = sg;
    const k = f(gamma)[gamma.offset + c] * is;
    for (let r = 0; r < R; r++) {
      const i = r * C + c;
      const xh = (X[x.offset + i] - m) * is;
      f(dx)[dx.offset + i] = k * (DY[dy.offset + i] - (sb + xh * sg) / R);
    }
  }
}

/**
 * The per-sample transform: rotation θ, zoom s, shift (tx, ty) about the image centre, optional
 * mirror. Draws are hashUniform(seed, salt, 8n + j), j = 0..4. Output pixel (i, j) samples the input
 * at the inverse map of its position. Shared formula with augment.wgsl.ts, computed here in f64.
 */
export function augmentParams(p: StepParams, salt: number, n: number, cfg: AugmentConfig): { cos: number; sin: number; s: number; tx: number; ty: number; flip: boolean } {
  const r = (j: number) => 2 * hashUniform(p.seed, salt, 8 * n + j) - 1; // (−1, 1)
  const th = r(0) * cfg.rotate * (Math.PI / 180);
  return { cos: Math.cos(th), sin: Math.sin(th), s: 1 + r(1) * cfg.scale, tx: r(2) * cfg.shift, ty: r(3) * cfg.shift, flip: cfg.flip && r(4) < 0 };
}

export function augmentRef(p: StepParams, out: Tensor, x: Tensor, shape: readonly [number, number, number, number], cfg: AugmentConfig, salt: number): void {
  const [N, H, W, C] = shape, X = f(x), Y = f(out);
  const cy = (H - 1) / 2, cx = (W - 1) / 2;
  const at = (n: number, i: number, j: number, c: number) => (i < 0 || i >= H || j < 0 || j >= W ? 0 : X[x.offset + ((n * H + i) * W + j) * C + c]);
  for (let n = 0; n < N; n++) {
    const a = augmentParams(p, salt, n, cfg);
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++) {
        const dx = j - cx - a.tx, dy = i - cy - a.ty;
        let sx = (a.cos * dx + a.sin * dy) / a.s + cx;
        const sy = (-a.sin * dx + a.cos * dy) / a.s + cy;
        if (a.flip) sx = W - 1 - sx;
        const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
        for (let c = 0; c < C; c++) {
          const v = (1 - fy) * ((1 - fx) * at(n, y0, x0, c) + fx * at(n, y0, x0 + 1, c)) +
            fy * ((1 - fx) * at(n, y0 + 1, x0, c) + fx * at(n, y0 + 1, x0 + 1, c));
          Y[out.offset + ((n * H + i) * W + j) * C + c] = v;
        }
      }
  }
}
