// Element-wise ops declared once as {forward, backward} WGSL expressions; kernels are generated
// from this table at run time. In scope: x (input), y (forward output), dy, alpha; a, b for binary.
import type { BinaryOp, UnaryOp } from '../../backend.ts';
import { ENTRY_1D, FLAT_INDEX, MATH } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

export const UNARY_WGSL: Record<UnaryOp, { fwd: string; bwd: string }> = {
  identity: { fwd: 'x', bwd: 'dy' },
  relu: { fwd: 'max(x, 0.0)', bwd: 'select(0.0, dy, x > 0.0)' },
  leaky_relu: { fwd: 'select(alpha * x, x, x > 0.0)', bwd: 'select(alpha * dy, dy, x > 0.0)' },
  gelu: {
    fwd: '0.5 * x * (1.0 + erf_(x * 0.70710678118))',
    bwd: 'dy * (0.5 * (1.0 + erf_(x * 0.70710678118)) + x * 0.39894228040 * exp(-0.5 * x * x))',
  },
  tanh: { fwd: 'tanh_(x)', bwd: 'dy * (1.0 - y * y)' },
  sigmoid: { fwd: 'sigmoid_(x)', bwd: 'dy * y * (1.0 - y)' },
  exp: { fwd: 'exp(x)', bwd: 'dy * y' },
  log: { fwd: 'log(x)', bwd: 'dy / x' },
  square: { fwd: 'x * x', bwd: '2.0 * x * dy' },
  sqrt: { fwd: 'sqrt(x)', bwd: 'dy / (2.0 * y)' },
  neg: { fwd: '-x', bwd: '-dy' },
  abs: { fwd: 'abs(x)', bwd: 'select(select(0.0, -dy, x < 0.0), dy, x > 0.0)' },
};

export const BINARY_WGSL: Record<BinaryOp, { fwd: string; da: string; db: string }> = {
  add: { fwd: 'a + b', da: 'dy', db: 'dy' },
  sub: { fwd: 'a - b', da: 'dy', db: '-dy' },
  mul: { fwd: 'a * b', da: 'dy * b', db: 'dy * a' },
  div: { fwd: 'a / b', da: 'dy / b', db: '-dy * a / (b * b)' },
};

const HEAD = `struct D { n: u32, bn: u32, alpha: f32, p: u32 }
${FLAT_INDEX}
${MATH}`;

export function unaryWgsl(op: UnaryOp): Shader {
  return shader([read('X'), rw('Y')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  let x = X[i]; let alpha = d.alpha;
  Y[i] = ${UNARY_WGSL[op].fwd};
}`);
}

export function unaryBackwardWgsl(op: UnaryOp): Shader {
  return shader([read('DY'), read('X'), read('Yv'), rw('DX')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  let x = X[i]; let y = Yv[i]; let dy = DY[i]; let alpha = d.alpha;
  _ = y; _ = alpha;
  DX[i] = ${UNARY_WGSL[op].bwd};
}`);
}

export function binaryWgsl(op: BinaryOp): Shader {
  return shader([read('A'), read('B'), rw('C')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  let a = A[i]; let b = B[i % d.bn];
  C[i] = ${BINARY_WGSL[op].fwd};
}`);
}

/** da, element-wise over a. */
export function binaryGradAWgsl(op: BinaryOp): Shader {
  return shader([read('DY'), read('A'), read('B'), rw('DA')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  let a = A[i]; let b = B[i % d.bn]; let dy = DY[i];
  _ = a; _ = b;
  DA[i] = ${BINARY_WGSL[op].da};
}`);
}

/** db: one thread per element of b, summing over the rows b was broadcast across. */
export function binaryGradBWgsl(op: BinaryOp): Shader {
  return shader([read('DY'), read('A'), read('B'), rw('DB')], `${HEAD}
${ENTRY_1D} {
  let j = flatIndex(wg, nwg, lid);
  if (j >= d.bn) { return; }
  let b = B[j];
  var s = 0.0;
  for (var i = j; i < d.n; i += d.bn) {
    let a = A[i]; let dy = DY[i];
    _ = a; _ = b;
    s += ${BINARY_WGSL[op].db};
  }
  DB[j] = s;
}`);
}

/** fill (mode 0: Y = alpha) and addInto (mode 1: Y += X). */
export function fillWgsl(): Shader {
  return shader([rw('Y')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  Y[i] = d.alpha;
}`);
}

export function addIntoWgsl(): Shader {
  return shader([read('X'), rw('Y')], `${HEAD}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  Y[i] = Y[i] + X[i];
}`);
}
