// Worker side of the "see inside" panel and draw-a-digit: a batch-of-one probe per session
// (kernels/train/predict.ts) and the first layer's weights cut into image tiles.
import {
  createConfusionEvaluator, createProbe, showcaseOf, taskInfo, type Showcase, type Confusion, type ConfusionEvaluator, type LayerSpec, type Probe, type Session,
  layerDef,
} from '../engine.ts';
import type { FeatureMaps, InsideData, ParamNorm, WeightTiles } from '../inside/types.ts';

const MAX_DENSE_TILES = 32;
const MAX_CONV_TILES = 64;
const FEATURE_LAYERS = 2; // conv layers whose feature maps are drawn
const MAX_FEATURE_MAPS = 32; // channels drawn per layer

let cached: { s: Session; probe: Probe } | null = null;
let confusionCache: { s: Session; ev: ConfusionEvaluator } | null = null;

function probeOf(s: Session): Probe {
  if (cached?.s !== s) {
    dropProbe();
    cached = { s, probe: createProbe(s.c) };
  }
  return cached.probe;
}

/** Frees the probe's (and the confusion evaluator's) tensors; call before the session's backend goes away. */
export function dropProbe(): void {
  for (const d of [cached?.probe, confusionCache?.ev]) {
    try {
      d?.dispose();
    } catch {
      // its backend is already gone
    }
  }
  cached = null;
  confusionCache = null;
}

/** Confusion matrix and the first misclassified digits over the whole test split (MNIST models). */
export function confusion(s: Session): Promise<Confusion> {
  if (confusionCache?.s !== s) {
    try {
      confusionCache?.ev.dispose();
    } catch {
      // gone with its backend
    }
    confusionCache = { s, ev: createConfusionEvaluator(s.c) };
  }
  return confusionCache.ev.run({ maxMistakes: 24 });
}

/** L2 norms of every parameter tensor and of its latest gradient: two reads of the flat buffers. */
export async function norms(s: Session): Promise<ParamNorm[]> {
  const [P, G] = await Promise.all([s.backend.read(s.c.paramsFlat), s.backend.read(s.c.gradsFlat)]);
  return s.c.paramInfo.map((info, i) => {
    const v = s.c.params[i];
    let w = 0, g = 0;
    for (let k = v.offset; k < v.offset + v.size; k++) {
      w += P[k] * P[k];
      g += G[k] * G[k];
    }
    return { name: info.name, size: v.size, weight: Math.sqrt(w), grad: Math.sqrt(g) };
  });
}

/** The model's answers on the first test samples (a strip of digits, or sequence rows). */
export function showcase(s: Session, count: number): Promise<Showcase> {
  return showcaseOf(s.c, probeOf(s), Math.max(1, Math.min(count, 32)));
}

export function predict(s: Session, image: Float32Array): Promise<Float32Array> {
  return probeOf(s).predict(image);
}

/**
 * Tiles of the first parameter when it sees the image directly: a Dense after Flatten on 28×28
 * (W (784, U) → unit u's column as 28×28), or a Conv2D / Patches (W (KH, KW, C, F) → filter f as
 * KH×KW, channels averaged).
 */
async function firstLayerTiles(s: Session): Promise<WeightTiles | null> {
  const info = s.c.paramInfo[0];
  if (!info || !info.name.endsWith('.W')) return null;
  const layer = s.c.spec.layers[Number(info.name.split('.')[1])];
  const W = (await s.backend.read(s.c.params[0])) as Float32Array;
  const tiles = layer && layerDef(layer.kind).tiles;
  if (tiles === 'units' && info.shape.length === 2 && info.shape[0] === 784) {
    const U = info.shape[1], n = Math.min(U, MAX_DENSE_TILES);
    const data = new Float32Array(n * 784);
    for (let t = 0; t < n; t++) for (let p = 0; p < 784; p++) data[t * 784 + p] = W[p * U + t];
    return { layer: info.name, kind: 'units', n, total: U, h: 28, w: 28, data };
  }
  if ((tiles === 'filters' || tiles === 'patchFilters') && info.shape.length === 4) {
    const [KH, KW, C, F] = info.shape;
    const n = Math.min(F, MAX_CONV_TILES);
    const data = new Float32Array(n * KH * KW);
    for (let f = 0; f < n; f++)
      for (let k = 0; k < KH * KW; k++) {
        let v = 0;
        for (let c = 0; c < C; c++) v += W[(k * C + c) * F + f];
        data[f * KH * KW + k] = v / C;
      }
    return { layer: info.name, kind: tiles, n, total: F, h: KH, w: KW, data };
  }
  return null;
}

/** A conv layer anywhere, residual blocks included: its feature maps are worth reading. */
const hasConv = (ls: LayerSpec[]): boolean => ls.some((l) => {
  const def = layerDef(l.kind);
  return def.tiles === 'filters' || (!!def.inner && hasConv(def.inner(l)));
});

/** (H, W, C) NHWC activations → the first `MAX_FEATURE_MAPS` channels as (C, H, W) maps. */
function featureMaps(t: { name: string; H: number; W: number; C: number; maps: Float32Array }): FeatureMaps {
  const n = Math.min(t.C, MAX_FEATURE_MAPS), hw = t.H * t.W;
  const maps = new Float32Array(n * hw);
  for (let p = 0; p < hw; p++) for (let c = 0; c < n; c++) maps[c * hw + p] = t.maps[p * t.C + c];
  return { name: t.name, H: t.H, W: t.W, C: n, total: t.C, maps };
}

/** Reads everything the panel shows; queued behind the submitted steps, never blocking them. */
export async function inspect(s: Session, sample: number): Promise<InsideData> {
  const step = s.step;
  const notes: string[] = [];
  const layers = s.c.spec.layers;
  const d = s.c.spec.dataset;
  // The probe runs a test sample only for models with activations worth drawing: recurrent,
  // attention, or (MNIST) conv layers, whose feature maps are read only then.
  const wantsSeq = layers.some((l) => layerDef(l.kind).recurrent || layerDef(l.kind).attention);
  const wantsConv = d.kind === 'mnist' && hasConv(layers);
  const [weights, taps] = await Promise.all([
    firstLayerTiles(s),
    wantsSeq || wantsConv ? probeOf(s).inspect(sample, { convLayers: wantsConv ? FEATURE_LAYERS : 0 }) : Promise.resolve(null),
  ]);
  if (layers.some((l) => layerDef(l.kind).attention) && !taps?.attention)
    notes.push(`Attention weights are not available on the ${s.info.backend === 'webgpu' ? 'WebGPU' : 'CPU'} backend yet.`);
  let tokens: string[] | null = null;
  if (taps && d.kind === 'task') {
    const t = taskInfo(d);
    if (t.inputVocab > 0) tokens = Array.from(taps.input, (v) => t.symbols[v] ?? String(v));
  }
  const features = taps?.conv?.length ? taps.conv.map(featureMaps) : null;
  return {
    step, weights, tokens, notes,
    recurrent: taps?.recurrent ?? null,
    attention: taps?.attention ?? null,
    image: features && taps ? { index: Math.max(0, Math.min(sample, s.c.testData.n - 1)), pixels: taps.input, label: taps.label ?? null } : null,
    features,
  };
}
