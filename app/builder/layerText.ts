// How a layer is named and summarised in the stack: the words come from its registry definition.
import { layerDef, type LayerSpec } from '../engine.ts';

export { ACTIVATIONS } from '../engine.ts';

export const layerTitle = (l: LayerSpec): string => layerDef(l.kind).title;
export const layerSummary = (l: LayerSpec): string => layerDef(l.kind).summary(l);
