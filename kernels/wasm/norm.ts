// CpuBackend.sumRows / layerNorm / layerNormBackward on the WebAssembly kernels (kernels/wasm/as/norm.ts).
import type { Tensor } from '../backend.ts';
import { addressOf, Scratch, wasm, type WasmKernels } from './runtime.ts';

const at = (t: Tensor) => addressOf(t.store, t.offset);

/** Runs body with the tensors' addresses and `f64s` f64 of scratch; false when something is missing. */
function run(ts: Tensor[], f64s: number, body: (k: WasmKernels, p: number[], acc: number) => void): boolean {
  const k = wasm(), p = ts.map(at);
  if (!k || Math.min(...p) < 0) return false;
  const s = new Scratch();
  try {
    const acc = s.alloc(2 * Math.max(f64s, 1));
    if (acc < 0) return false;
    body(k, p, acc);
    return true;
  } finally {
    s.done();
  }
}

export function wasmSumRows(out: Tensor, x: Tensor, accumulate = false): () => boolean {
  const N = out.size, rows = x.size / N;
  return () => run([x, out], N, (k, [px, po], acc) => k.sumRows(rows, N, px, po, accumulate ? 1 : 0, acc));
}

export function wasmLayerNorm(y: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, gamma: Tensor, beta: Tensor, eps: number): () => boolean {
  const C = gamma.size, rows = x.size / C;
  return () => run([x, gamma, beta, y, mean, rstd], 0, (k, p) => k.layerNorm(rows, C, p[0], p[1], p[2], eps, p[3], p[4], p[5]));
}

export function wasmLayerNormBackward(dx: Tensor, dgamma: Tensor, dbeta: Tensor, dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): () => boolean {
  const C = gamma.size, rows = x.size / C;
  return () => run([dy, x, mean, rstd, gamma, dx, dgamma, dbeta], 2 * C,
    (k, p, acc) => k.layerNormBackward(rows, C, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], acc));
}
