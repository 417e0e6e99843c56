// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Column sums and LayerNorm, as the CPU references (kernels/cpu/backend.ts sumRows,
// kernels/cpu/attention.ts layerNorm*) define them. Sums over rows accumulate in f64 scratch.

/** out (N) (+)= Σ_r x (rows, N); acc: N f64 of scratch. */
export function sumRows(rows: i32, N: i32, x: usize, out: usize, accumulate: i32, acc: usize): void {
  memory.fill(acc, 0, <usize>N << 3);
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * N) << 2);
    for (let n = 0; n < N; n++) {
      const p = acc + (<usize>n << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(xr + (<usize>n << 2)));
    }
  }
  for (let n = 0; n < N; n++) {
    const o = out + (<usize>n << 2);
    const s = <f32>load<f64>(acc + (<usize>n << 3));
    store<f32>(o, accumulate ? load<f32>(o) + s : s);
  }
}

/** y = (x − μ)·rstd·gamma + beta per row of C; saves mean and rstd (rows). */
export function layerNorm(rows: i32, C: i32, x: usize, gamma: usize, beta: usize, eps: f32, y: usize, mean: usize, rstd: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * C) << 2), yr = y + (<usize>(r * C) << 2);
    let s: f64 = 0;
    for (let c = 0; c < C; c++) s += load<f32>(xr + (<usize>c << 2));
    const mu = s / C;
    let q: f64 = 0;
    for (let c = 0; c < C; c++) {
      const d = <f64>load<f32>(xr + (<usize>c << 2)) - mu;
      q += d * d;
    }
    const rs = 1 / Math.sqrt(q / C + eps);
    const muf = <f32>mu, rsf = <f32>rs;
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(yr + o, (load<f32>(xr + o) - muf) * rsf * load<f32>(gamma + o) + load<f32>(beta + o));
    }
    store<f32>(mean + (<usize>r << 2), muf);
    store<f32>(rstd + (<usize>r << 2), rsf);
  }
}

/** dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), g = dy·gamma; dgamma = Σ dy·x̂, dbeta = Σ dy. acc: 2·C f64 scratch. */
export function layerNormBackward(rows: i32, C: i32, dy: usize, x: usize, mean: usize, rstd: usize, gamma: usize,
  dx: usize, dgamma: usize, dbeta: usize, acc: usize): void {
  memory.fill(acc, 0, <usize>(2 * C) << 3);
  const dbAcc = acc + (<usize>C << 3);
  for (let r = 0; r < rows; r++) {
    const mu = load<f32>(mean + (<usize>r << 2)), rs = load<f32>(rstd + (<usize>r << 2));
    const xr = x + (<usize>(r * C) << 2), dyr = dy + (<usize>(r * C) << 2), dxr = dx + (<usize>(r * C) << 2);
    let sg: f32 = 0, sgx: f32 = 0;
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      const d = load<f32>(dyr + o);
      const xh = (load<f32>(xr + o) - mu) * rs;
      const g = d * load<f32>(gamma + o);
      const pg = acc + (<usize>c << 3), pb = dbAcc + (<usize>c << 3);
      store<f64>(pg, load<f64>(pg) + <f64>d * xh);
      store<f64>(pb, load<f64>(pb) + <f64>d);
      sg += g;
      sgx += g * xh;
    }
    const mg = sg / <f32>C, mgx = sgx / <f32>C;
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      const xh = (load<f32>(xr + o) - mu) * rs;
      store<f32>(dxr + o, rs * (load<f32>(dyr + o) * load<f32>(gamma + o) - mg - xh * mgx));
    }
  }
  for (let c = 0; c < C; c++) {
    store<f32>(dgamma + (<usize>c << 2), <f32>load<f64>(acc + (<usize>c << 3)));
    store<f32>(dbeta + (<usize>c << 2), <f32>load<f64>(dbAcc + (<usize>c << 3)));
  }
}
