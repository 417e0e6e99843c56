// How a layer is named and summarised in the stack.
import type { LayerSpec } from '../../kernels/model/types.ts';

export const ACTIVATIONS = [
  { value: 'relu', label: 'ReLU' }, { value: 'leaky_relu', label: 'Leaky ReLU' }, { value: 'gelu', label: 'GELU' },
  { value: 'tanh', label: 'tanh' }, { value: 'sigmoid', label: 'sigmoid' },
] as const;

const actLabel = (a: string) => ACTIVATIONS.find((x) => x.value === a)?.label ?? a;

export function layerTitle(l: LayerSpec): string {
  switch (l.kind) {
    case 'dense': return 'Dense';
    case 'activation': return 'Activation';
    case 'dropout': return 'Dropout';
    case 'flatten': return 'Flatten';
    case 'residual': return 'Residual';
    case 'conv2d': return 'Conv2D';
    case 'maxpool2d': return 'MaxPool2D';
    case 'avgpool2d': return 'AvgPool2D';
    case 'globalavgpool': return 'Global avg pool';
    case 'batchnorm': return 'BatchNorm';
    case 'embedding': return 'Embedding';
    case 'lstm': return 'LSTM';
    case 'gru': return 'GRU';
    case 'rnn': return 'RNN (tanh)';
    case 'layernorm': return 'LayerNorm';
    case 'posenc': return 'Positions';
    case 'transformer': return 'Transformer';
    case 'patches': return 'Patches';
    case 'unembed': return 'Unembed (tied)';
  }
}

export function layerSummary(l: LayerSpec): string {
  switch (l.kind) {
    case 'dense': return `${l.units} units${l.activation && l.activation !== 'none' ? `, ${actLabel(l.activation)}` : ''}`;
    case 'activation': return actLabel(l.fn);
    case 'dropout': return `rate ${l.rate}`;
    case 'flatten': return '';
    case 'residual': return `${l.layers.length} inner layer${l.layers.length === 1 ? '' : 's'}, output added to input`;
    case 'conv2d': {
      const k = Array.isArray(l.kernel) ? `${l.kernel[0]}×${l.kernel[1]}` : `${l.kernel}×${l.kernel}`;
      return `${l.filters} filters ${k}, stride ${l.stride ?? 1}, ${l.padding ?? 'valid'}${(l.dilation ?? 1) > 1 ? `, dilation ${l.dilation}` : ''}` +
        `${l.activation && l.activation !== 'none' ? `, ${actLabel(l.activation)}` : ''}`;
    }
    case 'maxpool2d':
    case 'avgpool2d': return `${l.size}×${l.size}, stride ${l.stride ?? l.size}${l.padding !== undefined ? `, ${l.padding}` : ''}`;
    case 'globalavgpool': return 'mean over positions (height and width, or time)';
    case 'batchnorm': return `momentum ${l.momentum ?? 0.1}`;
    case 'embedding': return `${l.dim} dims${l.vocab ? `, vocabulary ${l.vocab}` : ''}`;
    case 'lstm':
    case 'gru':
    case 'rnn': return `${l.hidden} hidden${(l.layers ?? 1) > 1 ? ` × ${l.layers} layers` : ''}, ${l.returnSequences ? 'every step' : 'last state'}`;
    case 'layernorm': return 'over features';
    case 'posenc': return l.type === 'learned' ? 'learned, added' : 'sinusoidal, added';
    case 'transformer':
      return `${l.layers ?? 1} block${(l.layers ?? 1) > 1 ? 's' : ''}, ${l.heads} head${l.heads > 1 ? 's' : ''}, ${l.causal ? 'causal' : 'bidirectional'}, ${l.norm ?? 'pre'}-LN` +
        `${l.mlp ? `, MLP ${l.mlp}` : ''}${l.dropout ? `, dropout ${l.dropout}` : ''}`;
    case 'patches': return `${l.size}×${l.size} patches → ${l.dim} dims`;
    case 'unembed': return 'scores against the embedding table';
  }
}
