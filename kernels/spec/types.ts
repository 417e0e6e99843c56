// ModelSpec: the single source of truth for a run. The builder edits it, the URL carries it, the
// compiler builds from it. It holds architecture, data, hyperparameters and seed, never weights.

export type Activation = 'relu' | 'leaky_relu' | 'gelu' | 'tanh' | 'sigmoid';

/** Layers are a discriminated union on `kind`; every field is typed. */
export type LayerSpec =
  | { kind: 'dense'; units: number; activation?: Activation | 'none' }
  | { kind: 'activation'; fn: Activation }
  | { kind: 'dropout'; rate: number }
  | { kind: 'flatten' }
  | { kind: 'residual'; layers: LayerSpec[] };

export type DatasetSpec = { kind: 'mnist' };

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
