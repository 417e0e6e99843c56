// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Multi-head attention without dropout, as the CPU reference kernels/cpu/attention.ts defines it:
// qkv (B, T, 3·D) = [q | k | v], head h owning columns h·dh …; out (B, T, D); lse (B, heads, T).
// Per (b, h): scores row by row, softmax with its log-sum-exp, out = P·v; the backward recomputes
// P (T, T) into scratch, then dS = P ∘ (dP − rowsum(P ∘ dP)), dq = dS·k/√dh, dk = dSᵀ·q/√dh, dv = Pᵀ·dout.

function dot(a: usize, b: usize, n: i32): f32 {
  let s = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= n; c += 4) s = f32x4.add(s, f32x4.mul(v128.load(a + (<usize>c << 2)), v128.load(b + (<usize>c << 2))));
  let r = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (; c < n; c++) r += load<f32>(a + (<usize>c << 2)) * load<f32>(b + (<usize>c << 2));
  return r;
}

/** y[0 … n) += a·x[0 … n). */
function axpy(y: usize, a: f32, x: usize, n: i32): void {
  const va = f32x4.splat(a);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const o = <usize>c << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; c < n; c++) store<f32>(y + (<usize>c << 2), load<f32>(y + (<usize>c << 2)) + a * load<f32>(x + (<usize>c << 2)));
}

/** Softmax row i of head (b, h) into p (T floats; masked entries 0); returns the log-sum-exp. */
function softmaxRow(qkv: usize, b: i32, h: i32, i: i32, T: i32, D: i32, dh: i32, causal: i32, p: usize): f32 {
  const scale = <f32>1 / Mathf.sqrt(<f32>dh);
  const qi = qkv + (<usize>((b * T + i) * 3 * D + h * dh) << 2);
  const last = causal ? i : T - 1;
  let mx: f32 = -Infinity;
  for (let j = 0; j <= last; j++) {
    const s = dot(qi, qkv + (<usize>((b * T + j) * 3 * D + D + h * dh) << 2), dh) * scale;
    store<f32>(p + (<usize>j << 2), s);
    mx = max(mx, s);
  }
  let z: f32 = 0;
  for (let j = 0; j <= last; j++) {
    const e = Mathf.exp(load<f32>(p + (<usize>j << 2)) - mx);
    store<f32>(p + (<usize>j << 2), e);
    z += e;
  }
  const iz = <f32>1 / z;
  for (let j = 0; j < T; j++) store<f32>(p + (<usize>j << 2), j <= last ? load<f32>(p + (<usize>j << 2)) * iz : 0);
  return mx + Mathf.log(z);
}

/** Heads bh0 … bh1 − 1 of the B·heads (b, h) pairs (bh = b·heads + h; one thread's share); p: scratch of T floats. */
export function attentionForward(B: i32, T: i32, D: i32, heads: i32, causal: i32, qkv: usize, out: usize, lse: usize, p: usize, bh0: i32, bh1: i32): void {
  const dh = D / heads;
  for (let bh = bh0; bh < bh1; bh++) {
    const b = bh / heads, h = bh % heads;
      for (let i = 0; i < T; i++) {
        store<f32>(lse + (<usize>((b * heads + h) * T + i) << 2), softmaxRow(qkv, b, h, i, T, D, dh, causal, p));
        const o = out + (<usize>((b * T + i) * D + h * dh) << 2);
        memory.fill(o, 0, <usize>dh << 2);
        const last = causal ? i : T - 1;
        for (let j = 0; j <= last; j++)
          axpy(o, load<f32>(p + (<usize>j << 2)), qkv + (<usize>((b * T + j) * 3 * D + 2 * D + h * dh) << 2), dh);
      }
  }
}

/** Heads bh0 … bh1 − 1 as in attentionForward (each writes only its own columns of dqkv); P and dS: scratch of T·T floats each. */
export function attentionBackward(B: i32, T: i32, D: i32, heads: i32, causal: i32, qkv: usize, dout: usize, dqkv: usize, P: usize, dS: usize, bh0: i32, bh1: i32): void {
  const dh = D / heads;
  const scale = <f32>1 / Mathf.sqrt(<f32>dh);
  for (let bh = bh0; bh < bh1; bh++) {
    const b = bh / heads, h = bh % heads;
      for (let i = 0; i < T; i++) softmaxRow(qkv, b, h, i, T, D, dh, causal, P + (<usize>(i * T) << 2));
      for (let t = 0; t < T; t++)
        for (let part = 0; part < 3; part++) memory.fill(dqkv + (<usize>((b * T + t) * 3 * D + part * D + h * dh) << 2), 0, <usize>dh << 2);
      for (let i = 0; i < T; i++) {
        const doi = dout + (<usize>((b * T + i) * D + h * dh) << 2);
        const last = causal ? i : T - 1;
        let rowSum: f32 = 0;
        for (let j = 0; j <= last; j++) {
          const pij = load<f32>(P + (<usize>(i * T + j) << 2));
          const dP = dot(doi, qkv + (<usize>((b * T + j) * 3 * D + 2 * D + h * dh) << 2), dh);
          store<f32>(dS + (<usize>(i * T + j) << 2), dP);
          rowSum += pij * dP;
          axpy(dqkv + (<usize>((b * T + j) * 3 * D + 2 * D + h * dh) << 2), pij, doi, dh); // dv_j += P_ij · dout_i
        }
        const qi = qkv + (<usize>((b * T + i) * 3 * D + h * dh) << 2);
        const dqi = dqkv + (<usize>((b * T + i) * 3 * D + h * dh) << 2);
        for (let j = 0; j <= last; j++) {
          const ds = load<f32>(P + (<usize>(i * T + j) << 2)) * (load<f32>(dS + (<usize>(i * T + j) << 2)) - rowSum) * scale;
          if (ds == 0) continue;
          axpy(dqi, ds, qkv + (<usize>((b * T + j) * 3 * D + D + h * dh) << 2), dh); // dq_i += dS_ij k_j
          axpy(dqkv + (<usize>((b * T + j) * 3 * D + D + h * dh) << 2), ds, qi, dh); // dk_j += dS_ij q_i
        }
      }
    }
}
