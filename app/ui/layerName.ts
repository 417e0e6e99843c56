// People's names for the engine's tensor keys: "layers.1.conv2d" → "Layer 2 · Conv2D 16 filters 5×5, …",
// "2.b0.attn" → "Layer 3 · Transformer, block 1". Numbering is 1-based, as in the layer stack.
import { layerSummary, layerTitle } from '../builder/layerText.ts';
import type { LayerSpec, ModelSpec } from '../engine.ts';

export function layerName(spec: ModelSpec | null, key: string): string {
  const m = /^(?:layers\.)?(\d+)(?:\.(.*))?$/.exec(key);
  if (!m) return key;
  const i = Number(m[1]);
  const l: LayerSpec | undefined = spec?.layers[i];
  if (!l) return `Layer ${i + 1}`;
  const summary = layerSummary(l);
  let name = `Layer ${i + 1} · ${layerTitle(l)}${summary ? ` ${summary.split(', ').slice(0, 2).join(', ')}` : ''}`;
  const rest = m[2] ?? '';
  const block = /(?:^|\.)b(\d+)(?:\.|$)/.exec(rest);
  if (block) name += `, block ${Number(block[1]) + 1}`;
  else if ('layers' in l && Array.isArray(l.layers) && /^\d+/.test(rest)) name += `, inner layer ${Number(rest.split('.')[0]) + 1}`;
  return name;
}
