// A checkpoint tensor's name in people's words: "layers.1.W" → "Layer 2 (Conv2D) weights",
// "optimizer.v.layers.3.layers.0.b" → "Layer 4 (Residual), inner layer 1 (Dense) bias (optimizer state v)".
import { kindLabel } from '../model/memory.ts';
import type { LayerSpec } from '../model/types.ts';

const PARTS: Record<string, string> = {
  W: 'weights', b: 'bias', gamma: 'scale (gamma)', beta: 'shift (beta)', table: 'embedding table',
  running_mean: 'running mean', running_var: 'running variance',
};

export function tensorWords(name: string, layers: LayerSpec[]): string {
  const opt = /^optimizer\.([a-z])\.(.*)$/.exec(name);
  if (opt) return `${tensorWords(opt[2], layers)} (optimizer state ${opt[1]})`;
  const m = /^layers\.(\d+)((?:\.layers\.\d+)*)\.(.+)$/.exec(name);
  if (!m) return `tensor "${name.slice(0, 80)}"`;
  let ls: LayerSpec[] | undefined = layers;
  const words: string[] = [];
  const idx = [m[1], ...m[2].split('.layers.').filter(Boolean)].map(Number);
  for (const [depth, i] of idx.entries()) {
    const l: LayerSpec | undefined = ls?.[i];
    words.push(`${depth ? 'inner layer' : 'Layer'} ${i + 1}${l ? ` (${kindLabel(l.kind)})` : ''}`);
    ls = l && 'layers' in l && Array.isArray(l.layers) ? l.layers : undefined;
  }
  return `${words.join(', ')} ${PARTS[m[3]] ?? m[3]}`;
}

/** 5×5×1×16; a scalar is "a single value". */
export const shapeWords = (s: number[]) => (s.length ? s.join('×') : 'a single value');
