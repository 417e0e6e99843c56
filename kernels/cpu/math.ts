// Plain-JS scalar math for the CPU backend, written independently of the WGSL table.
import type { BinaryOp, UnaryOp } from '../backend.ts';

// erfc with fractional error < 1.2e-7 (Chebyshev fit, Numerical Recipes §6.2).
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
export const erf = (x: number): number => 1 - erfc(x);

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
