// ModelSpec: the single source of truth for a run. The builder edits it, the URL carries it, the
// compiler builds from it. It holds architecture, data, hyperparameters and seed, never weights.

export type Activation = 'relu' | 'leaky_relu' | 'gelu' | 'tanh' | 'sigmoid';

/** Layers are a discriminated union on `kind`, derived from the layer registry (kernels/layers/). */
import type { LayerSpec } from '../layers/index.ts';
export type { LayerSpec };

/** 'same': output ⌈in/stride⌉; 'valid': no padding; a number: that many pixels on every side. */
export type Padding = 'same' | 'valid' | number;

/** Random per-sample affine augmentation applied on the GPU to each training batch. */
export interface AugmentSpec {
  shift: number; // pixels, up to this far along each axis
  rotate: number; // degrees, either way
  scale: number; // relative zoom range, ×[1 − scale, 1 + scale]
  flip: boolean; // random horizontal mirror (off for digits)
}

export type DatasetSpec = { kind: 'mnist' } | TaskDatasetSpec | PlaygroundDatasetSpec | CsvDatasetSpec | ImagesDatasetSpec;
export type { TaskDatasetSpec, TaskName } from '../data/tasks.ts';
import type { TaskDatasetSpec } from '../data/tasks.ts';
import type { PlaygroundDatasetSpec } from '../data/playground.ts';
import type { CsvDatasetSpec } from '../data/csv.ts';
import type { ImagesDatasetSpec } from '../data/images.ts';

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
