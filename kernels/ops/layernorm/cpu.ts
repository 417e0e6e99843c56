// Plain-loop reference of layer norm over the last dim (two-pass statistics), written from the
// definition, not from the WGSL.
import type { Kernel, Tensor } from '../../backend.ts';
import { checkLayerNorm } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

type Arr = Float32Array | Float64Array;
const f = (t: Tensor) => t.store as Arr;

export function layerNormRef(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): void {
  const C = gamma.size, rows = x.size / C;
  const X = f(x), Y = f(y), G = f(gamma), Bt = f(beta), M = f(mean), R = f(rstd);
  for (let r = 0; r < rows; r++) {
    const x0 = x.offset + r * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += X[x0 + c];
    const mu = s / C;
    let q = 0;
    for (let c = 0; c < C; c++) q += (X[x0 + c] - mu) ** 2;
    const rs = 1 / Math.sqrt(q / C + eps);
    for (let c = 0; c < C; c++) Y[y.offset + r * C + c] = (X[x0 + c] - mu) * rs * G[gamma.offset + c] + Bt[beta.offset + c];
    M[mean.offset + r] = mu;
    R[rstd.offset + r] = rs;
  }
}

/** Differentiates y = x̂·gamma + beta through x̂ = (x − μ)·rstd with μ and rstd functions of the row. */
export function layerNormBackwardRef(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): void {
  const C = gamma.size, rows = x.size / C;
  const X = f(x), DY = f(dy), DX = f(dx), G = f(gamma), M = f(mean), R = f(rstd);
  const dg = new Float64Array(C), db = new Float64Array(C), xh = new Float64Array(C), g = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    const mu = M[mean.offset + r], rs = R[rstd.offset + r];
    let sg = 0, sgx = 0;
    for (let c = 0; c < C; c++) {
      const d = DY[dy.offset + r * C + c];
      xh[c] = (X[x.offset + r * C + c] - mu) * rs;
      g[c] = d * G[gamma.offset + c];
      dg[c] += d * xh[c];
      db[c] += d;
      sg += g[c];
      sgx += g[c] * xh[c];
    }
    for (let c = 0; c < C; c++) DX[dx.offset + r * C + c] = rs * (g[c] - sg / C - xh[c] * (sgx / C));
  }
  for (let c = 0; c < C; c++) {
    f(dgamma)[dgamma.offset + c] = dg[c];
    f(dbeta)[dbeta.offset + c] = db[c];
  }
}

// ---- the CPU backend's kernels: each runs the loops above ----
export function layerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Kernel {
  checkLayerNorm(y, mean, rstd, x, gamma, beta);
  return cpuKernel('layerNorm', () => layerNormRef(y, mean, rstd, x, gamma, beta, eps));
}

export function layerNormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Kernel[] {
  checkLayerNorm(dy, mean, rstd, x, gamma, dbeta);
  return [cpuKernel('layerNorm backward', () => layerNormBackwardRef(dx, dgamma, dbeta, dy, x, mean, rstd, gamma))];
}
