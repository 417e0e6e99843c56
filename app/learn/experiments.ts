// "Try this": guided experiments, each one click on the model in the editor through the store's
// own actions, with one sentence on what to watch. An experiment that needs a particular model
// (the spiral, the LSTM on reverse, the sort transformer) loads its preset first. Layers are found
// by their fields (units, rate, hidden, type), so no layer kind is spelled here.
import type { LayerSpec, ModelSpec } from '../engine.ts';
import { useApp } from '../store/index.ts';

export interface Experiment {
  id: string;
  title: string;
  /** What to watch once it trains. */
  watch: string;
  apply(): void;
}

const st = () => useApp.getState();
const spec = (): ModelSpec => st().spec;

/** Loads the preset unless the editor already holds a model of it (its name and data kind). */
function ensure(preset: string, fits: (s: ModelSpec) => boolean): void {
  if (!fits(spec())) st().loadPreset(preset);
}
const isSpiral = (s: ModelSpec) => s.dataset.kind === 'playground' && s.dataset.name === 'spiral';
const named = (n: string) => (s: ModelSpec) => s.name === n;

/** Indices of the layers that match, last first (so removals keep the others' positions). */
const where = (f: (l: LayerSpec) => boolean) => spec().layers.flatMap((l, i) => (f(l) ? [i] : [])).reverse();
const hasUnits = (l: LayerSpec): l is Extract<LayerSpec, { units: number }> => 'units' in l;
const isDropout = (l: LayerSpec) => 'rate' in l;

export const EXPERIMENTS: Experiment[] = [
  {
    id: 'lr-up',
    title: 'Raise the learning rate ten-fold',
    watch: 'Click again to keep raising it: the loss curve starts to jump, and once it goes non-finite training pauses and asks for a smaller rate.',
    apply: () => st().updateTrain({ lr: Math.min(10, spec().train.lr * 10) }),
  },
  {
    id: 'linear-spiral',
    title: 'Remove the non-linearity from the spiral',
    watch: 'Without activations the layers collapse into one linear map of x₁, x₂: the boundary stays a straight line and accuracy stays near 50 %.',
    apply: () => {
      ensure('playground-spiral', isSpiral);
      const d = spec().dataset;
      if (d.kind === 'playground') st().setDataset({ ...d, features: ['x1', 'x2'] });
      for (const i of where(hasUnits)) {
        const l = spec().layers[i];
        if (hasUnits(l)) st().updateLayer(i, { ...l, activation: 'none' } as LayerSpec);
      }
    },
  },
  {
    id: 'hidden-layer',
    title: 'Add a hidden layer to the spiral',
    watch: 'A third tanh layer folds the plane once more: the boundary curls around the arms in fewer steps.',
    apply: () => {
      ensure('playground-spiral', isSpiral);
      st().duplicateLayer(0);
    },
  },
  {
    id: 'dropout-off',
    title: 'Switch dropout off',
    watch: 'On 50 noisy training points the wide net now memorises them: the test loss climbs away from the falling train loss.',
    apply: () => {
      if (!spec().layers.some(isDropout)) st().loadPreset('playground-spiral-dropout');
      for (const i of where(isDropout)) st().removeLayer(i);
    },
  },
  {
    id: 'sgd',
    title: 'Switch Adam to plain SGD',
    watch: 'Same learning rate, no per-weight step sizes or momentum: the loss falls much more slowly.',
    apply: () => st().setOptimizer({ kind: 'sgd' }),
  },
  {
    id: 'noise',
    title: 'Add noise to the playground data',
    watch: 'Points now cross the true boundary: a big model bends around them and the test accuracy drops below the train accuracy.',
    apply: () => {
      ensure('playground-spiral', (s) => s.dataset.kind === 'playground');
      const d = spec().dataset;
      if (d.kind === 'playground') st().setDataset({ ...d, noise: 0.4 });
    },
  },
  {
    id: 'xor-feature',
    title: 'Give XOR the feature x₁x₂',
    watch: 'With the product as input, XOR is one straight cut: accuracy reaches 100 % within a few epochs.',
    apply: () => {
      ensure('playground-xor', (s) => s.dataset.kind === 'playground' && s.dataset.name === 'xor');
      const d = spec().dataset;
      if (d.kind === 'playground') st().setDataset({ ...d, features: ['x1x2'] });
    },
  },
  {
    id: 'small-lstm',
    title: 'Shrink the LSTM until reverse fails',
    watch: 'With 4 hidden units the LSTM cannot hold five symbols in memory: the whole-sequence accuracy stays low.',
    apply: () => {
      ensure('lstm-reverse', named('lstm-reverse'));
      for (const i of where((l) => 'hidden' in l)) st().updateLayer(i, { ...spec().layers[i], hidden: 4 } as LayerSpec);
    },
  },
  {
    id: 'no-posenc',
    title: 'Remove positional encoding from the sort transformer',
    watch: 'Every output position now sees the same bag of tokens and cannot tell which place of the sorted order it fills: accuracy stalls.',
    apply: () => {
      ensure('transformer-sort', named('transformer-sort'));
      for (const i of where((l) => 'type' in l)) st().removeLayer(i);
    },
  },
  {
    id: 'augment',
    title: 'Add data augmentation to the small CNN',
    watch: 'Shifted, rotated, zoomed digits make training harder: train accuracy falls below test accuracy, and the gap to overfitting closes.',
    apply: () => {
      ensure('cnn-mnist-small', (s) => s.dataset.kind === 'mnist');
      st().updateTrain({ augment: { shift: 2, rotate: 10, scale: 0.1, flip: false } });
    },
  },
];
