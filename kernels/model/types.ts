// ModelSpec: the single source of truth for a run. The builder edits it, the URL carries it, the
// compiler builds from it. It holds architecture, data, hyperparameters and seed, never weights.

export type Activation = 'relu' | 'leaky_relu' | 'gelu' | 'tanh' | 'sigmoid';

/** Layers are a discriminated union on `kind`; every field is typed. */
export type LayerSpec =
  | { kind: 'dense'; units: number; activation?: Activation | 'none' }
  | { kind: 'activation'; fn: Activation }
  | { kind: 'dropout'; rate: number }
  | { kind: 'flatten' }
  | { kind: 'residual'; layers: LayerSpec[] }
  // Sequences: token ids (B, T) → (B, T, dim); recurrent layers map (B, T, F) to (B, T, hidden)
  // when returnSequences, else to the last state (B, hidden). vocab defaults to the task's.
  // learnInitialState: each sub-layer starts from trainable h0 (and c0) (hidden) instead of zeros.
  | { kind: 'embedding'; vocab?: number; dim: number }
  | { kind: 'lstm'; hidden: number; layers?: number; returnSequences?: boolean; forgetBias?: number; learnInitialState?: boolean }
  | { kind: 'gru'; hidden: number; layers?: number; returnSequences?: boolean; learnInitialState?: boolean }
  | { kind: 'rnn'; hidden: number; layers?: number; returnSequences?: boolean; learnInitialState?: boolean }
  // Convolutional layers over NHWC images. kernel: square size or [height, width].
  | { kind: 'conv2d'; filters: number; kernel: number | [number, number]; stride?: number; padding?: Padding; dilation?: number; activation?: Activation | 'none' }
  | { kind: 'maxpool2d'; size: number; stride?: number; padding?: Padding }
  | { kind: 'avgpool2d'; size: number; stride?: number; padding?: Padding }
  | { kind: 'globalavgpool' } // (H, W, C) → (C)
  | { kind: 'batchnorm'; momentum?: number; eps?: number } // over the last axis; torch defaults 0.1, 1e-5
  // Transformers over (T, D) sequences. posenc adds sinusoidal (fixed) or learned positions;
  // transformer is a stack of blocks (multi-head self-attention + GELU MLP, residuals, LayerNorm
  // before (pre) or after (post) each sub-block); mlp = hidden units (default 4·D).
  | { kind: 'layernorm'; eps?: number }
  | { kind: 'posenc'; type: 'sinusoidal' | 'learned' }
  | { kind: 'transformer'; heads: number; layers?: number; mlp?: number; causal?: boolean; norm?: 'pre' | 'post'; dropout?: number; attnDropout?: number }
  // ViT patch embedding: (H, W, C) → (H/size · W/size, dim), a strided conv then a reshape.
  | { kind: 'patches'; size: number; dim: number }
  // Output scores against the embedding table (weight tying): (T, D) → (T, vocab), no own weights.
  | { kind: 'unembed' };

/** 'same': output ⌈in/stride⌉; 'valid': no padding; a number: that many pixels on every side. */
export type Padding = 'same' | 'valid' | number;

/** Random per-sample affine augmentation applied on the GPU to each training batch. */
export interface AugmentSpec {
  shift: number; // pixels, up to this far along each axis
  rotate: number; // degrees, either way
  scale: number; // relative zoom range, ×[1 − scale, 1 + scale]
  flip: boolean; // random horizontal mirror (off for digits)
}

export type DatasetSpec = { kind: 'mnist' } | TaskDatasetSpec;
export type { TaskDatasetSpec, TaskName } from '../data/tasks.ts';
import type { TaskDatasetSpec } from '../data/tasks.ts';

export type OptimizerSpec =
  | { kind: 'sgd'; momentum?: number; nesterov?: boolean; weightDecay?: number }
  | { kind: 'adam'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }
  | { kind: 'adamw'; beta1?: number; beta2?: number; eps?: number; weightDecay?: number };

export type ScheduleSpec =
  | { kind: 'constant' }
  | { kind: 'step'; everySteps: number; gamma: number }
  | { kind: 'exponential'; gamma: number } // lr * gamma^(step / 1000)
  | { kind: 'cosine'; totalSteps: number; minLr?: number };

export interface TrainSpec {
  optimizer: OptimizerSpec;
  lr: number;
  schedule: ScheduleSpec;
  warmupSteps?: number; // linear warm-up from 0 to lr, before the schedule
  batchSize: number;
  epochs: number;
  clipNorm?: number; // global-norm gradient clipping; 0 or absent = off
  evalEverySteps?: number; // 0 or absent = once per epoch
  earlyStopPatience?: number; // evaluations without test-loss improvement before stopping
  augment?: AugmentSpec; // training batches only; absent = off
}

export interface ModelSpec {
  version: 1;
  name?: string;
  dataset: DatasetSpec;
  /** Input shape of one sample, without the batch dimension, e.g. [28, 28, 1] for MNIST. */
  layers: LayerSpec[];
  loss: 'softmax_cross_entropy' | 'mse';
  train: TrainSpec;
  seed: number;
}
