// The WebAssembly SIMD kernels of the CPU backend: what kernels/cpu/ and the tests import.
export { heapF32, heapFree, heapU32, loadWasm, setTensorsInHeap, setWasmEnabled, simdSupported, wasm, wasmFailure } from './runtime.ts';
export { useWasmKernels, WASM_OPS } from './install.ts';
export { requestedThreads, setMinParallelWork, setThreads, startThreads, stopThreads, threadCount, threadsReason, threadWork } from './pool.ts';
