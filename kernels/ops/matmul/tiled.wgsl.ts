// Tiled matmul C = act(op(A)·op(B) + bias) with transpose flags, generated per variant.
// Each thread owns a 4×4 register tile; the workgroup (TX×TY threads) owns a (4·TY)×(4·TX) tile of C
// and stages K-slices of 16 of A and B in workgroup memory as vec4 columns. Global loads are vec4
// when the contiguous dimension is a multiple of 4 (flags in the key), scalar otherwise; every load
// and store is bounds-checked, so any M, N, K is correct.
//
// Two backward-pass variants fold a separate dispatch into the matmul:
// - gradAct: C = (op(A)·op(B)) ⊙ act'(Y), act' written through the activation's output Y (M, N),
//   so dx = (dz·Wᵀ) ⊙ act'(y_prev) lands as the previous layer's pre-activation gradient.
// - onesRow: op(A) has an implicit last row M−1 of ones (A stores mA = M−1 rows), so Aᵀ·G with
//   transA yields [dW; db] (db = column sums of G) in one pass, into adjacent flat-buffer views.
import type { FusedAct } from '../../backend.ts';
import { read, rw, shader, type Binding, type Shader } from '../bindings.ts';

/** What every matmul kernel (this one, register, large, dot) takes: layouts and epilogue. */
export interface MatmulFlags {
  transA: boolean;
  transB: boolean;
  bias: boolean;
  act: FusedAct;
  accumulate: boolean;
  gradAct: FusedAct; // 'none', or multiply by act'(Y) in the epilogue
  onesRow: boolean; // op(A)'s row M−1 is implicit ones
}

export interface MatmulVariant extends MatmulFlags {
  vecA: boolean; // contiguous dim of A divisible by 4
  vecB: boolean;
  tile: 16 | 8; // threads per side: 16 → 64×64 tile, 8 → 32×32 tile
}

/** The tensors every matmul kernel binds: A, B, C, then bias and the gradAct's Y (batch, M, N) when used. */
export function matmulBindings(o: MatmulFlags, vecA: boolean, vecB: boolean): (Binding | false)[] {
  return [
    read('A', `array<${vecA ? 'vec4<f32>' : 'f32'}>`), read('B', `array<${vecB ? 'vec4<f32>' : 'f32'}>`), rw('C'),
    o.bias && read('bias'), o.gradAct !== 'none' && read('Y'),
  ];
}

/**
 * The uniforms, bindings and activation helpers every matmul kernel shares (the backend binds
 * step, dims, A, B, C, then bias and the gradAct's Y when used): A and B as vec4 or f32 arrays.
 */
export function matmulHead(): string {
  return `
struct D { M: u32, N: u32, K: u32, batch: u32, alpha: f32 }

fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let r = (1.0 - e) / (1.0 + e); return select(-r, r, x >= 0.0); }
fn sigmoid_(x: f32) -> f32 { let e = exp(-abs(x)); return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0); }`;
}

export const MM_TK = 16;

// act'(z)·v through y = act(z), as unaryBackward computes it for fused activations (leaky: d.alpha).
export const GRAD_ACT: Record<FusedAct, string> = {
  none: 'v',
  relu: 'select(0.0, v, y > 0.0)',
  leaky_relu: 'select(d.alpha * v, v, y > 0.0)',
  tanh: 'v * (1.0 - y * y)',
  sigmoid: 'v * y * (1.0 - y)',
};

export const ACT: Record<FusedAct, string> = {
  none: 'v',
  relu: 'max(v, 0.0)',
  leaky_relu: 'select(0.01 * v, v, v > 0.0)',
  tanh: 'tanh_(v)',
  sigmoid: 'sigmoid_(v)',
};

export function matmulWgsl(o: MatmulVariant): Shader {
  const T = o.tile; // threads per side
  const TM = 4 * T; // rows (and cols) of the C tile
  const nThreads = T * T;
  const tileElems = TM * MM_TK; // elements of one staged A or B slice
  // A(m, k) index in a batch-local matrix: row-major (M, K), or (K, M) when transposed.
  // mA = rows of op(A) actually stored: d.M, or d.M − 1 with the implicit ones row.
  const aIdx = o.transA ? '(k) * mA + (m)' : '(m) * d.K + (k)';
  // The ones row: a lane at gm == mA (inside K) reads 1. With vec4 loads along m (transA) the row
  // starts a vec4 of its own (mA % 4 == 0), so only its first lane is 1.
  const onesVec = o.transA ? 'vec4<f32>(1.0, 0.0, 0.0, 0.0)' : 'vec4<f32>(1.0)';
  const onesA = (vec: boolean) => o.onesRow ? ` else if (gk < d.K && gm == mA) { v = ${vec ? onesVec : '1.0'}; }` : '';
  const bIdx = o.transB ? '(n) * d.K + (k)' : '(k) * d.N + (n)';
  // Vector loads run along the contiguous dimension: k for A, m for Aᵀ; n for B, k for Bᵀ.
  const loadA = o.vecA
    ? `
    for (var e = lid; e < ${tileElems / 4}u; e += ${nThreads}u) {
      ${o.transA
        ? `let k = e / ${TM / 4}u; let m = (e % ${TM / 4}u) * 4u; let gm = row0 + m; let gk = k0 + k;
      var v = vec4<f32>(0.0);
      if (gk < d.K && gm < mA) { v = A[(aBase + gk * mA + gm) / 4u]; }${onesA(true)}
      As[k * ${TM / 4}u + m / 4u] = v;`
        : `let m = e / ${MM_TK / 4}u; let k = (e % ${MM_TK / 4}u) * 4u; let gm = row0 + m; let gk = k0 + k;
      var v = vec4<f32>(0.0);
      if (gk < d.K && gm < mA) { v = A[(aBase + gm * d.K + gk) / 4u]; }${onesA(true)}
      for (var j = 0u; j < 4u; j++) { As[(k + j) * ${TM / 4}u + m / 4u][m % 4u] = v[j]; }`}
    }`
    : `
    for (var e = lid; e < ${tileElems}u; e += ${nThreads}u) {
      ${o.transA ? `let k = e / ${TM}u; let m = e % ${TM}u;` : `let m = e / ${MM_TK}u; let k = e % ${MM_TK}u;`}
      let gm = row0 + m; let gk = k0 + k;
      var v = 0.0;
      if (gk < d.K && gm < mA) { v = A[aBase + ${aIdx.replace('(m)', 'gm').replace('(k)', 'gk')}]; }${onesA(false)}
      As[k * ${TM / 4}u + m / 4u][m % 4u] = v;
    }`;
  const loadB = o.vecB
    ? `
    for (var e = lid; e < ${tileElems / 4}u; e += ${nThreads}u) {
      ${o.transB
        ? `let n = e / ${MM_TK / 4}u; let k = (e % ${MM_TK / 4}u) * 4u; let gn = col0 + n; let gk = k0 + k;
      var v = vec4<f32>(0.0);
      if (gk < d.K && gn < d.N) { v = B[(bBase + gn * d.K + gk) / 4u]; }
      for (var j = 0u; j < 4u; j++) { Bs[(k + j) * ${TM / 4}u + n / 4u][n % 4u] = v[j]; }`
        : `let k = e / ${TM / 4}u; let n = (e % ${TM / 4}u) * 4u; let gn = col0 + n; let gk = k0 + k;
      var v = vec4<f32>(0.0);
      if (gk < d.K && gn < d.N) { v = B[(bBase + gk * d.N + gn) / 4u]; }
      Bs[k * ${TM / 4}u + n / 4u] = v;`}
    }`
    : `
    for (var e = lid; e < ${tileElems}u; e += ${nThreads}u) {
      ${o.transB ? `let n = e / ${MM_TK}u; let k = e % ${MM_TK}u;` : `let k = e / ${TM}u; let n = e % ${TM}u;`}
      let gn = col0 + n; let gk = k0 + k;
      var v = 0.0;
      if (gk < d.K && gn < d.N) { v = B[bBase + ${bIdx.replace('(n)', 'gn').replace('(k)', 'gk')}]; }
      Bs[k * ${TM / 4}u + n / 4u][n % 4u] = v;
    }`;
  const store = o.accumulate ? 'C[ci] = C[ci] + v;' : 'C[ci] = v;';
  return shader(matmulBindings(o, o.vecA, o.vecB), /* wgsl */ `
${matmulHead()}

// Staged slices: [k][m/4] and [k][n/4] as vec4 so the inner loop reads 4 rows/cols at once.
var<workgroup> As: array<vec4<f32>, ${(MM_TK * TM) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(MM_TK * TM) / 4}>;

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) li: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let z = wg.z;
  let mA = d.M${o.onesRow ? ' - 1u' : ''};
  let aBase = z * mA * d.K;
  let bBase = z * d.K * d.N;
  let row0 = wg.y * ${TM}u;
  let col0 = wg.x * ${TM}u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < d.K; k0 += ${MM_TK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var k = 0u; k < ${MM_TK}u; k++) {
      let a = As[k * ${TM / 4}u + li.y];
      let b = Bs[k * ${TM / 4}u + li.x];
      acc[0] += a.x * b; acc[1] += a.y * b; acc[2] += a.z * b; acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  let cBase = z * d.M * d.N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + li.y * 4u + i;
    if (r >= d.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + li.x * 4u + j;
      if (c >= d.N) { break; }
      var v = acc[i][j]${o.bias ? ' + bias[c]' : ''};
      v = ${ACT[o.act]};
      let ci = cBase + r * d.N + c;${o.gradAct !== 'none' ? `
      let y = Y[ci];
      v = ${GRAD_ACT[o.gradAct]};` : ''}
      ${store}
    }
  }
}`);
}
