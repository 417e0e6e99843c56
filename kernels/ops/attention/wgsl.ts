// Fused multi-head attention, FlashAttention-2 style: no (T, T) buffer in either direction.
//
// Layouts: qkv (B, T, 3·D) = [q | k | v], head h owns columns h·dh … h·dh + dh − 1 of each block;
// out and dout (B, T, D); lse and the backward's row sums Δ (B, heads, T).
//
// Forward: a workgroup per (query tile of TILE rows, b·heads + h), one thread per query row holding
// q (pre-scaled by 1/√dh) and its output accumulator in registers. K and V tiles of TILE keys pass
// through workgroup memory; each thread keeps a running max m and sum l and rescales its
// accumulator only when the max grows. Causal tiles stop at the diagonal. lse = m + log l.
// Backward (two dispatches, no float atomics):
//   1. dq: a thread per query row i computes Δ_i = dout_i·out_i (= Σ_j P_ij dP_ij, dropout
//      included), saves it, then walks the key tiles: P_ij = exp(s_ij − lse_i),
//      dS_ij = P_ij (M_ij dout_i·v_j − Δ_i), dq_i = Σ_j dS_ij k_j /√dh.
//   2. dk, dv: a thread per key row j walks the query tiles (from the diagonal when causal):
//      dv_j = Σ_i P_ij M_ij dout_i, dk_j = Σ_i dS_ij q_i /√dh.
// M_ij is the dropout multiplier: 1/(1 − p) when hashUniform(seed, salt, ((b·heads + h)·T + i)·T + j)
// ≥ p, else 0; it multiplies the probabilities after the softmax (torch's attention dropout).
//
// dh and TILE are compile-time (private arrays of dh floats must have a constant size); every
// other size travels in the uniform. Workgroup memory: 2·TILE·dh floats ≤ 16 KiB.
import { HASH, pow2AtLeast } from '../common.wgsl.ts';
import { read, rw, shader, type Binding, type Shader } from '../bindings.ts';

export interface AttnKernelOpts { dh: number; T: number; causal: boolean; dropout: boolean }

/**
 * Rows per tile: 2·TILE·dh f32 within WebGPU's default 16 KiB of workgroup memory, and no more
 * than T needs (rounded up to a power of two, at least 8): short toy sequences would otherwise
 * leave most of a 64-thread workgroup idle at every barrier (4× slower at T = 10 on SwiftShader).
 */
export function attentionTile(dh: number, T: number): number {
  const need = Math.max(8, pow2AtLeast(T));
  for (const t of [64, 32, 16, 8]) if (2 * t * dh * 4 <= 16384) return Math.min(t, need);
  throw new Error(`attention: head size ${dh} over the supported 256`);
}

const DIMS = 'struct A { B: u32, T: u32, heads: u32, D: u32, salt: u32, p0: u32, rate: f32, scale: f32 }';
/** The attention kernels' dims uniform is `a: A` (d is a loop variable there). */
const ATTN_DIMS: Binding = { name: 'a', type: 'A', access: 'uniform' };

function prelude(o: AttnKernelOpts): string {
  const tile = attentionTile(o.dh, o.T);
  return `${DIMS}
${o.dropout ? HASH : ''}
const DH = ${o.dh}u;
const TILE = ${tile}u;
var<workgroup> S0: array<f32, ${tile * o.dh}>;
var<workgroup> S1: array<f32, ${tile * o.dh}>;
// Dropout multiplier of probability (bh, i, j).
fn keepScale(bh: u32, i: u32, j: u32) -> f32 {
  ${o.dropout ? `let u = hashUniform(st.seed, a.salt, (bh * a.T + i) * a.T + j);
  return select(0.0, 1.0 / (1.0 - a.rate), u >= a.rate);` : 'return 1.0;'}
}
// Key rows r0 … r0 + TILE − 1 of head h: k into S0, v into S1, zeros past T. Consecutive
// threads read consecutive columns.
fn loadKV(b: u32, h: u32, r0: u32, lid: u32) {
  for (var e = lid; e < TILE * DH; e += TILE) {
    let r = r0 + e / DH;
    var x0 = 0.0; var x1 = 0.0;
    if (r < a.T) {
      let base = (b * a.T + r) * 3u * a.D + a.D + h * DH + e % DH;
      x0 = QKV[base]; x1 = QKV[base + a.D];
    }
    S0[e] = x0; S1[e] = x1;
  }
}`;
}

const ENTRY = `@compute @workgroup_size(TILE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32)`;

/** Workgroup (tile, bh) with bh = b·heads + h; bh past 65535 spills into z. */
const HEAD_INDEX = `
  let bh = wg.z * 65535u + wg.y;
  if (bh >= a.B * a.heads) { return; }
  let b = bh / a.heads; let h = bh % a.heads;
  let T = a.T;`;

export function attentionWgsl(o: AttnKernelOpts): Shader {
  return shader([read('QKV'), rw('OUT'), rw('LSE')], `${prelude(o)}
${ENTRY} {
  ${HEAD_INDEX}
  let i0 = wg.x * TILE; let i = i0 + lid;
  let live = i < T;
  var q: array<f32, DH>;
  var acc: array<f32, DH>;
  if (live) {
    let qb = (b * T + i) * 3u * a.D + h * DH;
    for (var c = 0u; c < DH; c++) { q[c] = QKV[qb + c] * a.scale; acc[c] = 0.0; }
  }
  var m = -3.0e38; var l = 0.0;
  let kEnd = ${o.causal ? 'min(T, i0 + TILE)' : 'T'};
  for (var j0 = 0u; j0 < kEnd; j0 += TILE) {
    loadKV(b, h, j0, lid);
    workgroupBarrier();
    if (live) {
      // j0 ≤ i0 ≤ i on causal tiles (both multiples of TILE), so i + 1 − j0 does not wrap.
      let jn = ${o.causal ? 'min(min(TILE, T - j0), i + 1u - j0)' : 'min(TILE, T - j0)'};
      for (var jj = 0u; jj < jn; jj++) {
        var s = 0.0;
        for (var c = 0u; c < DH; c++) { s += q[c] * S0[jj * DH + c]; }
        if (s > m) {
          let corr = exp(m - s); // 0 for the first key (m = −3e38)
          l *= corr;
          for (var c = 0u; c < DH; c++) { acc[c] *= corr; }
          m = s;
        }
        let p = exp(s - m);
        l += p;
        let pd = p * keepScale(bh, i, j0 + jj);
        for (var c = 0u; c < DH; c++) { acc[c] += pd * S1[jj * DH + c]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    let ob = (b * T + i) * a.D + h * DH;
    let inv = 1.0 / l;
    for (var c = 0u; c < DH; c++) { OUT[ob + c] = acc[c] * inv; }
    LSE[bh * T + i] = m + log(l);
  }
}`, ATTN_DIMS);
}

/** Backward 1: Δ and dq, a thread per query row; writes the q block of dqkv. */
export function attentionBackwardDqWgsl(o: AttnKernelOpts): Shader {
  return shader([read('QKV'), read('OUT'), read('DOUT'), read('LSE'), rw('DQKV'), rw('DELTA')], `${prelude(o)}
${ENTRY} {
  ${HEAD_INDEX}
  let i0 = wg.x * TILE; let i = i0 + lid;
  let live = i < T;
  var q: array<f32, DH>;
  var dO: array<f32, DH>;
  var dq: array<f32, DH>;
  var delta = 0.0; var lse = 0.0;
  if (live) {
    let qb = (b * T + i) * 3u * a.D + h * DH;
    let ob = (b * T + i) * a.D + h * DH;
    for (var c = 0u; c < DH; c++) {
      q[c] = QKV[qb + c] * a.scale; dO[c] = DOUT[ob + c]; dq[c] = 0.0;
      delta += dO[c] * OUT[ob + c];
    }
    lse = LSE[bh * T + i];
    DELTA[bh * T + i] = delta;
  }
  let kEnd = ${o.causal ? 'min(T, i0 + TILE)' : 'T'};
  for (var j0 = 0u; j0 < kEnd; j0 += TILE) {
    loadKV(b, h, j0, lid);
    workgroupBarrier();
    if (live) {
      let jn = ${o.causal ? 'min(min(TILE, T - j0), i + 1u - j0)' : 'min(TILE, T - j0)'};
      for (var jj = 0u; jj < jn; jj++) {
        var s = 0.0; var dov = 0.0;
        for (var c = 0u; c < DH; c++) { s += q[c] * S0[jj * DH + c]; dov += dO[c] * S1[jj * DH + c]; }
        let ds = exp(s - lse) * (dov * keepScale(bh, i, j0 + jj) - delta);
        for (var c = 0u; c < DH; c++) { dq[c] += ds * S0[jj * DH + c]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    let qb = (b * T + i) * 3u * a.D + h * DH;
    for (var c = 0u; c < DH; c++) { DQKV[qb + c] = dq[c] * a.scale; }
  }
}`, ATTN_DIMS);
}

/** Backward 2: dk and dv, a thread per key row; reads Δ from backward 1. */
export function attentionBackwardDkvWgsl(o: AttnKernelOpts): Shader {
  return shader([read('QKV'), read('DOUT'), read('LSE'), read('DELTA'), rw('DQKV')], `${prelude(o)}
// Rows r0 … of q/√dh into S0 and of dout into S1 for head h (zeros past T).
fn loadQDout(b: u32, h: u32, r0: u32, lid: u32) {
  for (var e = lid; e < TILE * DH; e += TILE) {
    let r = r0 + e / DH;
    var x0 = 0.0; var x1 = 0.0;
    if (r < a.T) {
      x0 = QKV[(b * a.T + r) * 3u * a.D + h * DH + e % DH] * a.scale;
      x1 = DOUT[(b * a.T + r) * a.D + h * DH + e % DH];
    }
    S0[e] = x0; S1[e] = x1;
  }
}
${ENTRY} {
  ${HEAD_INDEX}
  let j0 = wg.x * TILE; let j = j0 + lid;
  let live = j < T;
  var k: array<f32, DH>;
  var v: array<f32, DH>;
  var dk: array<f32, DH>;
  var dv: array<f32, DH>;
  if (live) {
    let kb = (b * T + j) * 3u * a.D + a.D + h * DH;
    for (var c = 0u; c < DH; c++) { k[c] = QKV[kb + c]; v[c] = QKV[kb + a.D + c]; dk[c] = 0.0; dv[c] = 0.0; }
  }
  // Causal: queries before the key tile never see it.
  for (var i0 = ${o.causal ? 'j0' : '0u'}; i0 < T; i0 += TILE) {
    loadQDout(b, h, i0, lid);
    workgroupBarrier();
    if (live) {
      let iN = min(TILE, T - i0);
      for (var ii = 0u; ii < iN; ii++) {
        let i = i0 + ii;
        ${o.causal ? 'if (i < j) { continue; }' : ''}
        var s = 0.0; var dov = 0.0;
        for (var c = 0u; c < DH; c++) { s += S0[ii * DH + c] * k[c]; dov += S1[ii * DH + c] * v[c]; }
        let p = exp(s - LSE[bh * T + i]);
        let mk = keepScale(bh, i, j);
        let ds = p * (dov * mk - DELTA[bh * T + i]);
        let pd = p * mk;
        for (var c = 0u; c < DH; c++) { dv[c] += pd * S1[ii * DH + c]; dk[c] += ds * S0[ii * DH + c]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    let kb = (b * T + j) * 3u * a.D + a.D + h * DH;
    for (var c = 0u; c < DH; c++) { DQKV[kb + c] = dk[c]; DQKV[kb + a.D + c] = dv[c]; }
  }
}`, ATTN_DIMS);
}

/** probs (B, heads, T, T) = exp(s − lse), 0 where causal masks: a thread per element. */
export function attentionProbsWgsl(): Shader {
  return shader([read('QKV'), read('LSE'), rw('PROBS')], `${DIMS}
fn flatIndex(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 { return (wg.y * nwg.x + wg.x) * 256u + lid; }
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = flatIndex(wg, nwg, lid);
  let T = a.T;
  if (e >= a.B * a.heads * T * T) { return; }
  let j = e % T; let i = (e / T) % T; let bh = e / (T * T);
  let b = bh / a.heads; let h = bh % a.heads;
  let dh = a.D / a.heads;
  // a.p0 = causal
  if (a.p0 == 1u && j > i) { PROBS[e] = 0.0; return; }
  let qb = (b * T + i) * 3u * a.D + h * dh;
  let kb = (b * T + j) * 3u * a.D + a.D + h * dh;
  var s = 0.0;
  for (var c = 0u; c < dh; c++) { s += QKV[qb + c] * a.scale * QKV[kb + c]; }
  PROBS[e] = exp(s - LSE[bh * T + i]);
}`, ATTN_DIMS);
}
