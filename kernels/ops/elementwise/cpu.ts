// Plain-JS scalar math for the CPU backend, written independently of the WGSL table.
import type { BinaryOp, Kernel, Tensor, UnaryOp } from '../../backend.ts';
import { checkBroadcast } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';

// erf to ~1e-14 absolute, so the f64 backend can be compared with torch's float64 GELU at 1e-9:
// the Maclaurin series below |x| = 2.5 (terms peak near 30, so ~2 digits are lost to cancellation),
// and Laplace's continued fraction for erfc above it (60 terms converge to double precision there).
export function erf(x: number): number {
  const z = Math.abs(x);
  let r: number;
  if (z < 2.5) {
    let term = z, sum = z;
    for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let k = z;
    for (let n = 60; n >= 1; n--) k = z + n / 2 / k;
    r = 1 - Math.exp(-z * z) / (Math.sqrt(Math.PI) * k);
  }
  return x < 0 ? -r : r;
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function unaryF(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case 'identity': return x;
    case 'relu': return x > 0 ? x : 0;
    case 'leaky_relu': return x > 0 ? x : alpha * x;
    case 'gelu': return 0.5 * x * (1 + erf(x * SQRT1_2)); // exact (erf) GELU, as torch's default
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'square': return x * x;
    case 'sqrt': return Math.sqrt(x);
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
  }
}

/** d op(x)/dx times dy; y = op(x). */
export function unaryGrad(op: UnaryOp, x: number, y: number, dy: number, alpha: number): number {
  switch (op) {
    case 'identity': return dy;
    case 'relu': return x > 0 ? dy : 0;
    case 'leaky_relu': return x > 0 ? dy : alpha * dy;
    case 'gelu': {
      const cdf = 0.5 * (1 + erf(x * SQRT1_2));
      const pdf = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
      return dy * (cdf + x * pdf);
    }
    case 'tanh': return dy * (1 - y * y);
    case 'sigmoid': return dy * y * (1 - y);
    case 'exp': return dy * y;
    case 'log': return dy / x;
    case 'square': return 2 * x * dy;
    case 'sqrt': return dy / (2 * y);
    case 'neg': return -dy;
    case 'abs': return x > 0 ? dy : x < 0 ? -dy : 0;
  }
}

export function binaryF(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
  }
}

/** [∂/∂a, ∂/∂b] times dy. */
export function binaryGrad(op: BinaryOp, a: number, b: number, dy: number): [number, number] {
  switch (op) {
    case 'add': return [dy, dy];
    case 'sub': return [dy, -dy];
    case 'mul': return [dy * b, dy * a];
    case 'div': return [dy / b, (-dy * a) / (b * b)];
  }
}

// ---- the CPU backend's kernels: each runs the loops above ----
const f = (t: Tensor) => t.store as Float32Array;

export function unary(op: UnaryOp, out: Tensor, x: Tensor, alpha = 0.01): Kernel {
  return cpuKernel(`unary ${op}`, () => {
    const X = f(x), Y = f(out);
    for (let i = 0; i < x.size; i++) Y[out.offset + i] = unaryF(op, X[x.offset + i], alpha);
  });
}

export function unaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha = 0.01): Kernel {
  return cpuKernel(`unary ${op} backward`, () => {
    const X = f(x), Y = f(y), DY = f(dy), DX = f(dx);
    for (let i = 0; i < x.size; i++)
      DX[dx.offset + i] = unaryGrad(op, X[x.offset + i], Y[y.offset + i], DY[dy.offset + i], alpha);
  });
}

export function binary(op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): Kernel {
  checkBroadcast(a, b);
  return cpuKernel(`binary ${op}`, () => {
    const A = f(a), B = f(b), C = f(out);
    for (let i = 0; i < a.size; i++) C[out.offset + i] = binaryF(op, A[a.offset + i], B[b.offset + (i % b.size)]);
  });
}

export function binaryBackward(op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): Kernel[] {
  checkBroadcast(a, b);
  return [
    cpuKernel(`binary ${op} backward`, () => {
      const A = f(a), B = f(b), DY = f(dy);
      const dbAcc = new Float64Array(b.size);
      for (let i = 0; i < a.size; i++) {
        const [ga, gb] = binaryGrad(op, A[a.offset + i], B[b.offset + (i % b.size)], DY[dy.offset + i]);
        if (da) f(da)[da.offset + i] = ga;
        dbAcc[i % b.size] += gb;
      }
      if (db) for (let j = 0; j < b.size; j++) f(db)[db.offset + j] = dbAcc[j];
    }),
  ];
}

export function fill(t: Tensor, value: number): Kernel {
  return cpuKernel('fill', () => f(t).fill(value, t.offset, t.offset + t.size));
}

export function addInto(dst: Tensor, src: Tensor): Kernel {
  return cpuKernel('addInto', () => {
    const D = f(dst), S = f(src);
    for (let i = 0; i < dst.size; i++) D[dst.offset + i] += S[src.offset + i];
  });
}
