// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Element-wise ops as the CPU reference (kernels/cpu/math.ts) defines them, in f32. Unary op codes
// follow backend.ts UNARY_OPS: 0 identity, 1 relu, 2 leaky_relu, 3 gelu, 4 tanh, 5 sigmoid, 6 exp,
// 7 log, 8 square, 9 sqrt, 10 neg, 11 abs; binary: 0 add, 1 sub, 2 mul, 3 div.

const INV_SQRT_2PI: f32 = 0.3989422804014327;

/** erf through Numerical Recipes' erfc (Chebyshev fit, relative error < 1.2e-7), in f32. */
function erf(x: f32): f32 {
  const z = Mathf.abs(x);
  const t: f32 = <f32>1 / (<f32>1 + <f32>0.5 * z);
  const r = t * Mathf.exp(-z * z - <f32>1.26551223 + t * (<f32>1.00002368 + t * (<f32>0.37409196 + t * (<f32>0.09678418 + t * (<f32>-0.18628806 +
    t * (<f32>0.27886807 + t * (<f32>-1.13520398 + t * (<f32>1.48851587 + t * (<f32>-0.82215223 + t * <f32>0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}
function sig(x: f32): f32 {
  return x >= 0 ? <f32>1 / (<f32>1 + Mathf.exp(-x)) : Mathf.exp(x) / (<f32>1 + Mathf.exp(x));
}

function f(op: i32, x: f32, alpha: f32): f32 {
  switch (op) {
    case 0: return x;
    case 1: return x > 0 ? x : 0;
    case 2: return x > 0 ? x : alpha * x;
    case 3: return <f32>0.5 * x * (<f32>1 + erf(x * <f32>0.7071067811865476));
    case 4: return Mathf.tanh(x);
    case 5: return sig(x);
    case 6: return Mathf.exp(x);
    case 7: return Mathf.log(x);
    case 8: return x * x;
    case 9: return Mathf.sqrt(x);
    case 10: return -x;
    default: return Mathf.abs(x);
  }
}

function grad(op: i32, x: f32, y: f32, dy: f32, alpha: f32): f32 {
  switch (op) {
    case 0: return dy;
    case 1: return x > 0 ? dy : 0;
    case 2: return x > 0 ? dy : alpha * dy;
    case 3: {
      const cdf = <f32>0.5 * (<f32>1 + erf(x * <f32>0.7071067811865476));
      const pdf = INV_SQRT_2PI * Mathf.exp(<f32>-0.5 * x * x);
      return dy * (cdf + x * pdf);
    }
    case 4: return dy * (1 - y * y);
    case 5: return dy * y * (1 - y);
    case 6: return dy * y;
    case 7: return dy / x;
    case 8: return 2 * x * dy;
    case 9: return dy / (2 * y);
    case 10: return -dy;
    default: return x > 0 ? dy : x < 0 ? -dy : 0;
  }
}

export function unary(op: i32, n: i32, x: usize, y: usize, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f(op, load<f32>(x + o), alpha));
  }
}

export function unaryBackward(op: i32, n: i32, x: usize, y: usize, dy: usize, dx: usize, alpha: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, grad(op, load<f32>(x + o), y ? load<f32>(y + o) : 0, load<f32>(dy + o), alpha));
  }
}

function bin(op: i32, a: f32, b: f32): f32 {
  return op == 0 ? a + b : op == 1 ? a - b : op == 2 ? a * b : a / b;
}

/** out (n) = a (n) ∘ b (m), b repeated over the n / m rows. */
/** dst (n) += src (n). */
export function addInto(n: i32, dst: usize, src: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(dst + (<usize>i << 2)) + load<f32>(src + (<usize>i << 2)));
}

export function binary(op: i32, n: i32, m: i32, a: usize, b: usize, out: usize): void {
  for (let r = 0; r < n; r += m)
    for (let j = 0; j < m; j++) {
      const o = <usize>(r + j) << 2;
      store<f32>(out + o, bin(op, load<f32>(a + o), load<f32>(b + (<usize>j << 2))));
    }
}

/** da (n) (0 = not wanted) and db (m) = Σ over rows (0 = not wanted; dbAcc: m f64 scratch). */
export function binaryBackward(op: i32, n: i32, m: i32, a: usize, b: usize, dy: usize, da: usize, db: usize, dbAcc: usize): void {
  if (db) memory.fill(dbAcc, 0, <usize>m << 3);
  for (let r = 0; r < n; r += m)
    for (let j = 0; j < m; j++) {
      const o = <usize>(r + j) << 2, ob = <usize>j << 2;
      const g = load<f32>(dy + o);
      const av = load<f32>(a + o), bv = load<f32>(b + ob);
      if (da) store<f32>(da + o, op == 0 || op == 1 ? g : op == 2 ? g * bv : g / bv);
      if (db) {
        const gb: f64 = op == 0 ? <f64>g : op == 1 ? -<f64>g : op == 2 ? <f64>g * av : (-<f64>g * av) / (<f64>bv * bv);
        const p = dbAcc + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + gb);
      }
    }
  if (db) for (let j = 0; j < m; j++) store<f32>(db + (<usize>j << 2), <f32>load<f64>(dbAcc + (<usize>j << 3)));
}
