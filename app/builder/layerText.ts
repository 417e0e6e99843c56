// How a layer is named and summarised in the stack.
import type { LayerSpec } from '../../kernels/spec/types.ts';

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
  }
}

export function layerSummary(l: LayerSpec): string {
  switch (l.kind) {
    case 'dense': return `${l.units} units${l.activation && l.activation !== 'none' ? `, ${actLabel(l.activation)}` : ''}`;
    case 'activation': return actLabel(l.fn);
    case 'dropout': return `rate ${l.rate}`;
    case 'flatten': return '';
    case 'residual': return `${l.layers.length} inner layers, output added to input`;
  }
}
