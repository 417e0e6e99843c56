// One table of op test cases, shared by the CPU finite-difference checks (tests/ops-cpu.test.ts)
// and the GPU-vs-CPU comparison (kernels/testing/gpu-suite.ts, tests/ops-gpu.test.ts).
//
// A case names its tensors (shape, generator, role) and records its kernels on any Backend:
// `forward` kernels, and `backward` kernels that turn a random dy into input gradients. The harness
// (harness.ts) allocates, fills, runs and reads them; nothing here touches a device.
import { MATMUL_BACK_CASES, MATMUL_CASES } from '../ops/matmul/cases.ts';
import { BINARY_CASES, MISC_CASES, UNARY_CASES } from '../ops/elementwise/cases.ts';
import { REDUCE_CASES, SUMROWS_CASES, SUMSQ_CASES } from '../ops/reduce/cases.ts';
import { LOSS_CASES, SEQ_ROWS_CASES } from '../ops/loss/cases.ts';
import { DROPOUT_CASES } from '../ops/dropout/cases.ts';
import { OPT_CASES } from '../ops/optimizer/cases.ts';
import { GATHER_CASES } from '../ops/gather/cases.ts';
import { RNN_CASES } from '../ops/recurrent/cases.ts';
import { CONV_CASES } from '../ops/conv/cases.ts';
import { POOL_ACT_CASES, POOL_CASES } from '../ops/pool/cases.ts';
import { BN_CASES } from '../ops/batchnorm/cases.ts';
import { AUGMENT_CASES } from '../ops/augment/cases.ts';
import { ATTENTION_CASES } from '../ops/attention/cases.ts';
import type { OpCase } from './case-kit.ts';

export * from './case-kit.ts';

export const OP_CASES: OpCase[] = [
  ...MATMUL_CASES, ...MATMUL_BACK_CASES, ...UNARY_CASES, ...BINARY_CASES, ...REDUCE_CASES, ...SUMROWS_CASES, ...LOSS_CASES, ...SEQ_ROWS_CASES,
  ...DROPOUT_CASES, ...SUMSQ_CASES, ...OPT_CASES, ...GATHER_CASES, ...MISC_CASES,
  ...RNN_CASES,
  ...CONV_CASES, ...POOL_CASES, ...POOL_ACT_CASES, ...BN_CASES, ...AUGMENT_CASES,
  ...ATTENTION_CASES,
];

{
  const seen = new Set<string>();
  for (const c of OP_CASES) {
    if (seen.has(c.name)) throw new Error(`op-specs: duplicate case name ${c.name}`);
    seen.add(c.name);
  }
}

export function caseByName(name: string): OpCase {
  const c = OP_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no op case named ${name}`);
  return c;
}

/** Every op method of the Backend interface: the coverage test checks that the table calls each. */
export const BACKEND_OPS = [
  'matmul', 'unary', 'unaryBackward', 'binary', 'binaryBackward', 'reduce', 'reduceBackward', 'sumRows',
  'softmaxCrossEntropy', 'mse', 'dropout', 'dropoutBackward', 'sumSquares', 'optimizerStep', 'gatherBatch',
  'fill', 'addInto',
  'embedding', 'embeddingBackward', 'recurrentStep', 'recurrentStepBackward', 'gatherRows', 'sequenceCrossEntropy',
  'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'pool2d', 'pool2dBackward',
  'batchnormStats', 'batchnormApply', 'batchnormBackward', 'augment',
  'layerNorm', 'layerNormBackward', 'attention', 'attentionBackward', 'attentionProbs',
] as const;
