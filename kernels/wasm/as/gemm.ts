// @ts-nocheck: AssemblyScript (v128 intrinsics, load/store), compiled by scripts/build-wasm.mjs, not by tsc.
// SIMD GEMM: C (M, N) = epilogue(op(A) · op(B)). op(A) and op(B) are read through strides, so one
// packing routine serves A·B, Aᵀ·B and A·Bᵀ. A is packed into MR = 4-row panels (K, 4), B into
// NR = 8-column panels (K, 8); a 4×8 micro-kernel keeps 8 f32x4 accumulators in registers, and per
// k does one splat per row, two loads of B and 8 mul+add. Pointers are byte offsets into memory;
// JS (kernels/wasm/gemm.ts) owns the layout of the heap.

const MR = 4;
const NR = 8;

// Fused activations, as kernels/backend.ts's FusedAct: 0 none, 1 relu, 2 leaky_relu, 3 tanh, 4 sigmoid.

/**
 * op(A)[m, k] = A[m·sAm + k·sAk] for m < Ma; rows Ma … M−1 are ones (the implicit ones row). Packs
 * into pa as ceil(M/4) panels of (K, 4); rows past M are zero.
 */
export function packA(a: usize, sAm: i32, sAk: i32, M: i32, Ma: i32, K: i32, pa: usize): void {
  const panels = (M + MR - 1) / MR;
  for (let p = 0; p < panels; p++) {
    const dst = pa + <usize>(p * K * MR) * 4;
    for (let r = 0; r < MR; r++) {
      const m = p * MR + r;
      let d = dst + <usize>r * 4;
      if (m < Ma) {
        let s = a + <usize>(m * sAm) * 4;
        const step = <usize>sAk * 4;
        for (let k = 0; k < K; k++) {
          store<f32>(d, load<f32>(s));
          s += step;
          d += MR * 4;
        }
      } else {
        const v: f32 = m < M ? 1 : 0;
        for (let k = 0; k < K; k++) {
          store<f32>(d, v);
          d += MR * 4;
        }
      }
    }
  }
}

/** op(B)[k, n] = B[k·sBk + n·sBn]; packs into pb as ceil(N/8) panels of (K, 8), columns past N zero. */
export function packB(b: usize, sBk: i32, sBn: i32, K: i32, N: i32, pb: usize): void {
  const panels = (N + NR - 1) / NR;
  for (let p = 0; p < panels; p++) {
    let d = pb + <usize>(p * K * NR) * 4;
    const n0 = p * NR;
    const full = n0 + NR <= N;
    if (full && sBn == 1) {
      for (let k = 0; k < K; k++) {
        const s = b + <usize>(k * sBk + n0) * 4;
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += NR * 4;
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < NR; c++) {
          const n = n0 + c;
          store<f32>(d + <usize>c * 4, n < N ? load<f32>(b + <usize>(k * sBk + n * sBn) * 4) : 0);
        }
        d += NR * 4;
      }
    }
  }
}

function sigmoid(x: f32): f32 {
  return x >= 0 ? <f32>1 / (<f32>1 + Mathf.exp(-x)) : Mathf.exp(x) / (<f32>1 + Mathf.exp(x));
}

/** One output vector (4 columns at c) through bias, activation, act' and accumulation. */
function epilogue4(v: v128, c: usize, n: i32, bias: usize, act: i32, alpha: f32, y: usize, gact: i32, galpha: f32, acc: i32): void {
  const zero = f32x4.splat(0);
  if (bias) v = f32x4.add(v, v128.load(bias + <usize>n * 4));
  if (act == 1) v = f32x4.pmax(zero, v);
  else if (act == 2) v = v128.bitselect(v, f32x4.mul(v, f32x4.splat(alpha)), f32x4.gt(v, zero));
  else if (act >= 3) {
    let s = v;
    for (let l = 0; l < 4; l++) {
      const x = f32x4.extract_lane(v, 0);
      v = v128.shuffle<u32>(v, v, 1, 2, 3, 0);
      s = act == 3 ? f32x4.replace_lane(s, 0, Mathf.tanh(x)) : f32x4.replace_lane(s, 0, sigmoid(x));
      s = v128.shuffle<u32>(s, s, 1, 2, 3, 0);
    }
    v = s;
  }
  if (gact) {
    const yv = v128.load(y);
    if (gact == 1) v = v128.and(v, f32x4.gt(yv, zero));
    else if (gact == 2) v = v128.bitselect(v, f32x4.mul(v, f32x4.splat(galpha)), f32x4.gt(yv, zero));
    else if (gact == 3) v = f32x4.mul(v, f32x4.sub(f32x4.splat(1), f32x4.mul(yv, yv)));
    else v = f32x4.mul(f32x4.mul(v, yv), f32x4.sub(f32x4.splat(1), yv));
  }
  if (acc) v = f32x4.add(v, v128.load(c));
  v128.store(c, v);
}

function epilogue1(v: f32, c: usize, n: i32, bias: usize, act: i32, alpha: f32, y: usize, gact: i32, galpha: f32, acc: i32): void {
  if (bias) v += load<f32>(bias + <usize>n * 4);
  if (act == 1) v = v > 0 ? v : 0;
  else if (act == 2) v = v > 0 ? v : alpha * v;
  else if (act == 3) v = Mathf.tanh(v);
  else if (act == 4) v = sigmoid(v);
  if (gact) {
    const yv = load<f32>(y);
    if (gact == 1) v = yv > 0 ? v : 0;
    else if (gact == 2) v = yv > 0 ? v : galpha * v;
    else if (gact == 3) v = v * (1 - yv * yv);
    else v = v * yv * (1 - yv);
  }
  if (acc) v += load<f32>(c);
  store<f32>(c, v);
}

/** Writes row r (< 4) of a 4×8 tile: columns n0 … n0+7 clipped to N. */
function writeRow(lo: v128, hi: v128, c: usize, n0: i32, N: i32, bias: usize, act: i32, alpha: f32, y: usize, gact: i32, galpha: f32, acc: i32): void {
  if (n0 + 8 <= N) {
    epilogue4(lo, c, n0, bias, act, alpha, y, gact, galpha, acc);
    epilogue4(hi, c + 16, n0 + 4, bias, act, alpha, y + 16, gact, galpha, acc);
    return;
  }
  for (let j = 0; j < 8 && n0 + j < N; j++) {
    const v = j < 4 ? lo : hi;
    const l = j & 3;
    const x = l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    epilogue1(x, c + <usize>j * 4, n0 + j, bias, act, alpha, y + <usize>j * 4, gact, galpha, acc);
  }
}

/**
 * C (M, N), row stride N, from packed panels pa (ceil(M/4), K, 4) and pb (ceil(N/8), K, 8).
 * bias (N) or 0; act as above with leaky slope alpha; gact ≠ 0: multiply by act'(y) read from y
 * (M, N) (0 = none); acc ≠ 0: C += result.
 */
export function gemmPacked(M: i32, N: i32, K: i32, pa: usize, pb: usize, c: usize, bias: usize, act: i32, alpha: f32, y: usize, gact: i32, galpha: f32, acc: i32): void {
  gemmTiles(M, N, K, pa, pb, c, bias, act, alpha, y, gact, galpha, acc, 0, (M + MR - 1) / MR, 0, (N + NR - 1) / NR);
}

/**
 * gemmPacked on the tiles of row panels [ib0, ib1) × column panels [jb0, jb1) only: the worker
 * pool (kernels/wasm/pool.ts) gives each thread a disjoint range, so every output is computed by
 * one thread in the same order as by gemmPacked (bit-identical results).
 */
export function gemmTiles(M: i32, N: i32, K: i32, pa: usize, pb: usize, c: usize, bias: usize, act: i32, alpha: f32, y: usize, gact: i32, galpha: f32, acc: i32,
  ib0: i32, ib1: i32, jb0: i32, jb1: i32): void {
  for (let jb = jb0; jb < jb1; jb++) {
    const bp = pb + <usize>(jb * K * NR) * 4;
    const n0 = jb * NR;
    for (let ib = ib0; ib < ib1; ib++) {
      let ap = pa + <usize>(ib * K * MR) * 4;
      let bq = bp;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bq), b1 = v128.load(bq, 16);
        const a0 = v128.load32_splat(ap), a1 = v128.load32_splat(ap, 4);
        const a2 = v128.load32_splat(ap, 8), a3 = v128.load32_splat(ap, 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        ap += MR * 4;
        bq += NR * 4;
      }
      const m0 = ib * MR;
      const off = <usize>(m0 * N + n0) * 4, rs = <usize>N * 4;
      const yo = y ? y + off : 0;
      writeRow(c00, c01, c + off, n0, N, bias, act, alpha, yo, gact, galpha, acc);
      if (m0 + 1 < M) writeRow(c10, c11, c + off + rs, n0, N, bias, act, alpha, y ? yo + rs : 0, gact, galpha, acc);
      if (m0 + 2 < M) writeRow(c20, c21, c + off + 2 * rs, n0, N, bias, act, alpha, y ? yo + 2 * rs : 0, gact, galpha, acc);
      if (m0 + 3 < M) writeRow(c30, c31, c + off + 3 * rs, n0, N, bias, act, alpha, y ? yo + 3 * rs : 0, gact, galpha, acc);
    }
  }
}
