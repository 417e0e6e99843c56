// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Optimizer steps over flat parameter buffers, 4 parameters per f32x4, the same update as the CPU
// reference (kernels/cpu/backend.ts optimizerStep): `scale` is the clipping factor (1 without).

/**
 * Adam / AdamW. lrc = lr / (1 − β1ᵗ), isb2 = 1 / sqrt(1 − β2ᵗ); decoupled ≠ 0 (AdamW): w ·= 1 − lr·wd,
 * else g += wd·w (L2). omb1 = 1 − β1 and omb2 = 1 − β2 come rounded from f64: 1 − f32(0.999) is off by 1.3e-5.
 */
export function adam(n: i32, p: usize, g: usize, m: usize, v: usize, scale: f32, lr: f32, b1: f32, b2: f32,
  omb1: f32, omb2: f32, lrc: f32, isb2: f32, eps: f32, wd: f32, decoupled: i32): void {
  const vs = f32x4.splat(scale), vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const v1b1 = f32x4.splat(omb1), v1b2 = f32x4.splat(omb2), vlrc = f32x4.splat(lrc), visb2 = f32x4.splat(isb2);
  const veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vdecay = f32x4.splat(1 - lr * wd);
  const n4 = n & ~3;
  let o: usize = 0;
  for (let i = 0; i < n4; i += 4) {
    let w = v128.load(p + o);
    let gi = f32x4.mul(v128.load(g + o), vs);
    if (decoupled) w = f32x4.mul(w, vdecay);
    else gi = f32x4.add(gi, f32x4.mul(vwd, w));
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(v1b1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(v1b2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    w = f32x4.sub(w, f32x4.div(f32x4.mul(vlrc, mi), f32x4.add(f32x4.mul(f32x4.sqrt(vi), visb2), veps)));
    v128.store(p + o, w);
    o += 16;
  }
  for (let i = n4; i < n; i++) {
    let w = load<f32>(p + o);
    let gi = load<f32>(g + o) * scale;
    if (decoupled) w *= 1 - lr * wd;
    else gi += wd * w;
    const mi = b1 * load<f32>(m + o) + omb1 * gi;
    const vi = b2 * load<f32>(v + o) + omb2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, w - (lrc * mi) / (Mathf.sqrt(vi) * isb2 + eps));
    o += 4;
  }
}

/** SGD with L2 weight decay, optional (Nesterov) momentum with torch's buffer (starts at the first g). */
export function sgd(n: i32, p: usize, g: usize, m: usize, scale: f32, lr: f32, momentum: f32, nesterov: i32, wd: f32): void {
  const vs = f32x4.splat(scale), vlr = f32x4.splat(lr), vmom = f32x4.splat(momentum), vwd = f32x4.splat(wd);
  const n4 = n & ~3;
  let o: usize = 0;
  for (let i = 0; i < n4; i += 4) {
    const w = v128.load(p + o);
    let gi = f32x4.add(f32x4.mul(v128.load(g + o), vs), f32x4.mul(vwd, w));
    if (momentum > 0) {
      const buf = f32x4.add(f32x4.mul(vmom, v128.load(m + o)), gi);
      v128.store(m + o, buf);
      gi = nesterov ? f32x4.add(gi, f32x4.mul(vmom, buf)) : buf;
    }
    v128.store(p + o, f32x4.sub(w, f32x4.mul(vlr, gi)));
    o += 16;
  }
  for (let i = n4; i < n; i++) {
    const w = load<f32>(p + o);
    let gi = load<f32>(g + o) * scale + wd * w;
    if (momentum > 0) {
      const buf = momentum * load<f32>(m + o) + gi;
      store<f32>(m + o, buf);
      gi = nesterov ? gi + momentum * buf : buf;
    }
    store<f32>(p + o, w - lr * gi);
    o += 4;
  }
}
