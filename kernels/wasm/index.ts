// The WebAssembly SIMD kernels of the CPU backend: what kernels/cpu/ imports.
export { heapF32, heapFree, loadWasm, setWasmEnabled, simdSupported, wasm, wasmFailure } from './runtime.ts';
export { wasmMatmul } from './matmul.ts';
export { wasmOptimizer } from './optim.ts';
export { wasmRecurrentStep, wasmRecurrentStepBackward } from './rnn.ts';
export { wasmAttention, wasmAttentionBackward } from './attention.ts';
export { wasmBinary, wasmBinaryBackward, wasmUnary, wasmUnaryBackward } from './elementwise.ts';
