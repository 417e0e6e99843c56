// The one hook of the WebAssembly SIMD kernels into the CPU backend: `useWasmKernels(backend)`
// wraps each op that has a WASM kernel (unless a subclass overrides it) so that its kernel runs the WASM one when it can (kernels
// loaded, tensors in the WASM heap, a variant it covers) and the backend's own TypeScript loop
// otherwise. The op is still recorded by the backend first, so its shape checks and messages stay.
import type { Backend, Conv2dGeom, FusedAct, Kernel, StepParams, Tensor } from '../backend.ts';
import { wasmAttention, wasmAttentionBackward } from './attention.ts';
import { wasmConv2d, wasmConv2dBackwardInput, wasmConv2dBackwardWeight, wasmPool2d, wasmPool2dBackward } from './conv.ts';
import { wasmAddInto, wasmBinary, wasmBinaryBackward, wasmUnary, wasmUnaryBackward } from './elementwise.ts';
import { wasmGatherBatch } from './data.ts';
import { wasmMatmul } from './matmul.ts';
import { wasmLayerNorm, wasmLayerNormBackward, wasmSumRows } from './norm.ts';
import { wasmOptimizer } from './optim.ts';
import { wasmRecurrentStep, wasmRecurrentStepBackward } from './rnn.ts';

type Runner = (p: StepParams) => boolean;
type ConvOpts = { bias?: Tensor; act?: FusedAct; accumulate?: boolean } | undefined;

/** Per op: the WASM runner for the same arguments. */
const RUNNERS: { [K in keyof Backend]?: (...args: never[]) => Runner } = {
  matmul: wasmMatmul,
  optimizerStep: wasmOptimizer,
  recurrentStep: wasmRecurrentStep,
  recurrentStepBackward: wasmRecurrentStepBackward,
  attention: wasmAttention,
  attentionBackward: (dqkv: Tensor, dout: Tensor, _out: Tensor, _lse: Tensor, qkv: Tensor, heads: number, causal: boolean, drop?: { rate: number; salt: number }) =>
    wasmAttentionBackward(dqkv, dout, qkv, heads, causal, drop),
  unary: (op, out, x, alpha = 0.01) => wasmUnary(op, out, x, alpha),
  unaryBackward: (op, dx, dy, x, y, alpha = 0.01) => wasmUnaryBackward(op, dx, dy, x, y, alpha),
  binary: wasmBinary,
  binaryBackward: wasmBinaryBackward,
  conv2d: (out: Tensor, x: Tensor, w: Tensor, g: Conv2dGeom, o: ConvOpts) => wasmConv2d(out, x, w, g, o?.bias ?? null, o?.act ?? 'none', !!o?.accumulate),
  conv2dBackwardInput: (dx: Tensor, dy: Tensor, w: Tensor, g: Conv2dGeom, acc = false) => wasmConv2dBackwardInput(dx, dy, w, g, acc),
  conv2dBackwardWeight: (dw: Tensor, x: Tensor, dy: Tensor, g: Conv2dGeom, acc = false) => wasmConv2dBackwardWeight(dw, x, dy, g, acc),
  pool2d: wasmPool2d,
  pool2dBackward: wasmPool2dBackward,
  addInto: wasmAddInto,
  gatherBatch: wasmGatherBatch,
  sumRows: wasmSumRows,
  layerNorm: wasmLayerNorm,
  layerNormBackward: wasmLayerNormBackward,
};

/** The ops that have a WASM kernel. */
export const WASM_OPS = Object.keys(RUNNERS) as (keyof Backend)[];

interface CpuKernel extends Kernel {
  exec(p: StepParams): void;
}

/** Wraps one kernel (or the single kernel of a list) of a CPU op around its WASM runner. */
function wrap(k: Kernel, run: Runner): Kernel {
  const ts = k as CpuKernel;
  return { label: ts.label, exec: (p: StepParams) => run(p) || ts.exec(p) } as CpuKernel;
}

/** The prototype that defines `name` for `obj`. */
function definer(obj: object, name: string): object | null {
  let p = Object.getPrototypeOf(obj);
  while (p && !Object.prototype.hasOwnProperty.call(p, name)) p = Object.getPrototypeOf(p);
  return p;
}

/**
 * Replaces the f32 CPU backend's ops that have WASM kernels with wrappers, on this instance only.
 * An op that a subclass overrides (a test injecting a fault, say) is left as the subclass wrote it.
 */
export function useWasmKernels(be: Backend): void {
  const ops = be as unknown as Record<string, (...args: unknown[]) => Kernel | Kernel[]>;
  let base = Object.getPrototypeOf(be);
  while (Object.getPrototypeOf(base) !== Object.prototype) base = Object.getPrototypeOf(base);
  for (const [name, runner] of Object.entries(RUNNERS)) {
    if (definer(be, name) !== base) continue;
    const own = ops[name].bind(be);
    ops[name] = (...args: unknown[]) => {
      const k = own(...args);
      const run = (runner as (...a: unknown[]) => Runner)(...args);
      return Array.isArray(k) ? (k.length === 1 ? [wrap(k[0], run)] : k) : wrap(k, run);
    };
  }
}
