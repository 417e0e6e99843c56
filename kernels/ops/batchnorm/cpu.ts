// Plain-loop references of batch normalization over x viewed as (rows, C), written from the definitions.
import type { Kernel, Tensor } from '../../backend.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;

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

// ---- the CPU backend's kernels: each runs the loops above ----
export function batchnormStats(mean: Tensor, invstd: Tensor, x: Tensor, runMean: Tensor, runVar: Tensor, eps: number, momentum: number): Kernel {
  return cpuKernel('batchnorm stats', () => batchnormStatsRef(mean, invstd, x, runMean, runVar, eps, momentum));
}

export function batchnormApply(y: Tensor, x: Tensor, mean: Tensor, stat: Tensor, gamma: Tensor, beta: Tensor, eps: number, fromVar: boolean): Kernel {
  return cpuKernel('batchnorm apply', () => batchnormApplyRef(y, x, mean, stat, gamma, beta, eps, fromVar));
}

export function batchnormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, invstd: Tensor, gamma: Tensor): Kernel[] {
  return [cpuKernel('batchnorm backward', () => batchnormBackwardRef(dx, dgamma, dbeta, dy, x, mean, invstd, gamma))];
}
