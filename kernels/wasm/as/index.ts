// @ts-nocheck: AssemblyScript entry, compiled by scripts/build-wasm.mjs.
export { packA, packB, gemmPacked, gemmTiles } from './gemm';
export { adam, sgd } from './optim';
export { recurrentStep, recurrentStepBackward } from './rnn';
export { attentionForward, attentionBackward } from "./attention";
export { unary, unaryBackward, binary, binaryBackward, addInto } from "./elementwise";
export { im2col, col2im, pool2d, pool2dBackward } from "./conv";
export { sumRows, layerNorm, layerNormBackward } from "./norm";
export { gatherBatch } from "./data";
