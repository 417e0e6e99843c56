// The one-click repairs the builder offers beside a shape error, as whole new layer lists: a kind's
// own fix (a Conv2D moved back before the Flatten, an Embedding before an LSTM on token ids), and
// the fixes of a model that does not end in what its task needs (a Flatten before the Dense that
// reads an image, the output layer's width, a missing output layer). Every fix is checked by
// inferring the fixed model: one that does not clear the error is never offered.
import { findLayerDef, KIND, type LayerFix, type LayerSpec } from '../layers/index.ts';
import type { ModelSpec } from './types.ts';
import type { SpecFix, SpecIssue } from './validate.ts';

/** Shape errors of a model: inferShapes(spec, depth) passed in (this file is imported by shapes.ts). */
export type Infer = (spec: ModelSpec) => SpecIssue[];

const layerErrors = (es: SpecIssue[]) => es.filter((e) => e.layer !== undefined || e.path === 'layers');
const title = (l: LayerSpec | undefined) => (l ? findLayerDef(l.kind)?.title ?? l.kind : '');
const isDense = (l: LayerSpec | undefined) => l?.kind === KIND.dense;
const lower = (s: string) => s[0].toLowerCase() + s.slice(1);

/**
 * A kind's fix for layer i as a whole list, offered only when the fixed model has no layer error up
 * to (and including) where that layer now stands. inputs[j]: the input shape of layer j, j ≤ i.
 */
export function kindFix(spec: ModelSpec, i: number, fix: LayerFix, inputs: number[][], infer: Infer): SpecFix | null {
  const ls = spec.layers;
  let layers: LayerSpec[], at: number, label: string;
  if ('insert' in fix) {
    layers = [...ls.slice(0, i), ...structuredClone(fix.insert), ...ls.slice(i)];
    at = i + fix.insert.length;
    label = fix.label;
  } else if ('replace' in fix) {
    layers = ls.map((l, j) => (j === i ? fix.replace : l));
    at = i;
    label = fix.label;
  } else {
    // Back to just after the last layer that still gives that many axes (the image before a Flatten).
    let p = -1;
    for (let j = i - 1; j >= 0 && p < 0; j--) if (inputs[j]?.length === fix.moveBackToRank) p = j;
    if (p < 0) return null;
    layers = [...ls.slice(0, p), ls[i], ...ls.slice(p, i), ...ls.slice(i + 1)];
    at = p;
    label = `Move it before layer ${p + 1} (${title(ls[p])})`;
  }
  const errs = layerErrors(infer({ ...spec, layers }));
  return errs.every((e) => e.layer !== undefined && e.layer > at) ? { label, layers } : null;
}

/** What the task needs the model to end in, in words. */
export interface Want { shape: number[]; words: string }

/**
 * The error of a model that ends in `end` where the task needs `want.shape`: blamed on the layer
 * that causes it, with a fix when one clears it. outs[j]: the output shape of layer j.
 */
export function endIssue(spec: ModelSpec, input: number[], outs: number[][], want: Want, message: string, infer: Infer | null): SpecIssue {
  const ls = spec.layers;
  const n = ls.length;
  const end = n ? outs[n - 1] : input;
  const W = want.shape[want.shape.length - 1];
  const out = (): LayerSpec => ({ kind: KIND.dense, units: W });
  const inAt = (j: number) => (j === 0 ? input : outs[j - 1]);
  const last = n - 1;
  let blame: number | undefined = n ? last : undefined;
  let words = message;
  const tries: { label: string; layers: LayerSpec[] }[] = [];
  const setAt = (j: number, l: LayerSpec) => ls.map((x, k) => (k === j ? l : x));
  const insertAt = (j: number, add: LayerSpec[]) => [...ls.slice(0, j), ...add, ...ls.slice(j)];
  // The trailing run of layers whose output keeps the end's number of axes.
  let run = n;
  while (run > 0 && outs[run - 1].length === end.length) run--;
  const lastRecurrent = (): number => {
    for (let j = n - 1; j >= 0; j--) if (findLayerDef(ls[j].kind)?.recurrent) return j;
    return -1;
  };
  if (!n) {
    words = `the model is empty; it must end in ${want.words}`;
    if (input.length === 3 && want.shape.length === 1) tries.push({ label: 'Add Flatten and output layer', layers: [{ kind: KIND.flatten }, out()] });
    else if (input.length === want.shape.length) tries.push({ label: 'Add output layer', layers: [out()] });
    else if (input.length === 1 && want.shape.length === 2)
      tries.push({ label: 'Add Embedding and output layer', layers: [findLayerDef(KIND.embedding)!.make() as LayerSpec, out()] });
  } else if (end.length === want.shape.length) {
    const l = ls[last];
    if (isDense(l)) {
      const act = (l as { activation?: string }).activation;
      tries.push({ label: `Set units to ${W.toLocaleString('en-US')}${act && act !== 'none' ? ', no activation' : ''}`, layers: setAt(last, out()) });
    } else tries.push({ label: 'Add output layer', layers: insertAt(n, [out()]) });
  } else if (end.length === 3 && want.shape.length === 1) {
    // A Dense on an image acts on each pixel's channels: the first one in the trailing image run wants a Flatten before it.
    const d = ls.findIndex((l, j) => j >= run && isDense(l) && inAt(j).length === 3);
    if (d >= 0) {
      blame = d;
      words = `this Dense gets an image ${fmt(inAt(d))} and works on each pixel's channels, so the model ends in an image ${fmt(end)}; it must end in ${want.words}: add a Flatten before it`;
      tries.push({ label: 'Add Flatten', layers: insertAt(d, [{ kind: KIND.flatten }]) });
    } else {
      words = `${message}: add a Flatten and an output layer`;
      tries.push({ label: 'Add Flatten and output layer', layers: insertAt(n, [{ kind: KIND.flatten }, out()]) });
    }
  } else if (end.length === 2 && want.shape.length === 1) {
    const k = lastRecurrent();
    const r = ls[k] as { returnSequences?: boolean } | undefined;
    if (k >= run && r?.returnSequences) {
      blame = k;
      tries.push({ label: 'Return the last state only', layers: setAt(k, { ...ls[k], returnSequences: false } as LayerSpec) });
    }
    const d = ls.findIndex((l, j) => j >= run && isDense(l) && inAt(j).length === 2);
    if (d >= 0) tries.push({ label: 'Add Global avg pool', layers: insertAt(d, [{ kind: KIND.globalavgpool }]) });
    else tries.push({ label: 'Add Global avg pool and output layer', layers: insertAt(n, [{ kind: KIND.globalavgpool }, out()]) });
  } else if (end.length === 1 && want.shape.length === 2) {
    const k = lastRecurrent();
    if (k >= 0 && !(ls[k] as { returnSequences?: boolean }).returnSequences) {
      blame = k;
      tries.push({ label: 'Return every step', layers: setAt(k, { ...ls[k], returnSequences: true } as LayerSpec) });
    }
  }
  const issue: SpecIssue = { path: blame !== undefined ? `layers[${blame}]` : 'layers', layer: blame, message: words };
  if (infer) for (const t of tries) {
    const fix = verified(spec, t, infer);
    if (fix) return { ...issue, fix };
  }
  return issue;
}

/** The fix as tried when the fixed model is valid; else, once, followed by the fixed model's own end fix. */
function verified(spec: ModelSpec, t: SpecFix, infer: Infer): SpecFix | null {
  const errs = layerErrors(infer({ ...spec, layers: t.layers }));
  if (!errs.length) return t;
  const next = errs.length === 1 ? errs[0].fix : undefined;
  if (next && !layerErrors(infer({ ...spec, layers: next.layers })).length) return { label: `${t.label}, ${lower(next.label)}`, layers: next.layers };
  return null;
}

export const fmt = (s: readonly number[]) => `(${s.join(', ')})`;
