// Named starting points. Names match the engine issues (mlp-mnist, cnn-mnist, lstm-reverse, …).
import type { ModelSpec } from './types.ts';

export interface Preset {
  description: string;
  spec: ModelSpec;
}

export const PRESETS: Record<string, Preset> = {
  'mlp-mnist': {
    description: 'Classic MLP: 784-1024-1024-10 with ReLU, Adam 1e-3, batch 128 (≈98% after a few epochs).',
    spec: {
      version: 1,
      name: 'mlp-mnist',
      dataset: { kind: 'mnist' },
      layers: [
        { kind: 'flatten' },
        { kind: 'dense', units: 1024, activation: 'relu' },
        { kind: 'dense', units: 1024, activation: 'relu' },
        { kind: 'dense', units: 10 },
      ],
      loss: 'softmax_cross_entropy',
      train: { optimizer: { kind: 'adam' }, lr: 1e-3, schedule: { kind: 'constant' }, batchSize: 128, epochs: 5 },
      seed: 1,
    },
  },
  'mlp-mnist-small': {
    description: 'Small MLP: 784-128-10, one epoch of Adam; about a minute on a software GPU (≈95%+).',
    spec: {
      version: 1,
      name: 'mlp-mnist-small',
      dataset: { kind: 'mnist' },
      layers: [
        { kind: 'flatten' },
        { kind: 'dense', units: 128, activation: 'relu' },
        { kind: 'dense', units: 10 },
      ],
      loss: 'softmax_cross_entropy',
      train: { optimizer: { kind: 'adam' }, lr: 2e-3, schedule: { kind: 'constant' }, batchSize: 64, epochs: 1 },
      seed: 1,
    },
  },
};

export function presetSpec(name: string): ModelSpec {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown preset "${name}"; known: ${Object.keys(PRESETS).join(', ')}`);
  return structuredClone(p.spec);
}
