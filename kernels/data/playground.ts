// 2-D playground datasets in the manner of TensorFlow Playground: four classifications (circle,
// XOR, two Gaussians, two interleaved spirals) and two regressions (a 1-D curve, a 2-D plane).
// Points live in [-6, 6]²; `noise` (0–0.5, TF Playground's 0–50 %) perturbs the inputs before the
// label is read off the clean rule, so noisy points near a boundary cross it, as there. Every
// draw comes from a seeded Rng: the same spec and seed give the same points. The shuffled points
// are cut into train and test by `trainRatio`, so the splits are disjoint by index.
//
// The model sees each point through the chosen features (x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂),
// so the input width is the number of features; classes are 0/1 (softmax-CE over 2 outputs),
// regression targets lie in [-1, 1] (MSE over 1 output).
import { Rng } from '../rng.ts';
import type { TaskData, TaskInfo, TaskSplit } from './tasks.ts';

export const PLAYGROUND_NAMES = ['circle', 'xor', 'gaussian', 'spiral', 'curve', 'plane'] as const;
export type PlaygroundName = (typeof PLAYGROUND_NAMES)[number];
export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type Feature = (typeof FEATURES)[number];
/** How each feature is shown (TF Playground's labels). */
export const FEATURE_LABELS: Record<Feature, string> = {
  x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂', sinx1: 'sin(x₁)', sinx2: 'sin(x₂)',
};

export interface PlaygroundDatasetSpec {
  kind: 'playground';
  name: PlaygroundName;
  noise: number; // 0–0.5
  trainRatio: number; // 0.1–0.9 of the points train, the rest test
  points: number; // PLAYGROUND_LIMITS.points
  features: Feature[]; // distinct, at least one; the model's input width
}

export const PLAYGROUND_LIMITS = { points: [20, 5000], noise: [0, 0.5], trainRatio: [0.1, 0.9] } as const;
/** Half-width of the square the points are drawn in (the grid of the boundary picture spans it). */
export const EXTENT = 6;

export const isRegression = (name: PlaygroundName): boolean => name === 'curve' || name === 'plane';

/** The playground dataset that the presets and the picker start from. */
export const defaultPlayground = (name: PlaygroundName = 'spiral'): PlaygroundDatasetSpec => ({
  kind: 'playground', name, noise: 0, trainRatio: 0.5, points: 500, features: ['x1', 'x2'],
});

/** Issues with a playground spec, as [field, message] pairs (empty when valid). */
export function playgroundIssues(d: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  if (!(PLAYGROUND_NAMES as readonly string[]).includes(d.name as string)) out.push(['name', `must be one of ${PLAYGROUND_NAMES.join(', ')}, got ${JSON.stringify(d.name)}`]);
  const range = (f: string, [lo, hi]: readonly [number, number], int: boolean) => {
    const v = d[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v)))
      out.push([f, `must be ${int ? 'an integer' : 'a number'} between ${lo} and ${hi}, got ${JSON.stringify(v)}`]);
  };
  range('noise', PLAYGROUND_LIMITS.noise, false);
  range('trainRatio', PLAYGROUND_LIMITS.trainRatio, false);
  range('points', PLAYGROUND_LIMITS.points, true);
  const f = d.features;
  if (!Array.isArray(f) || f.length === 0) out.push(['features', `must be a list of at least one of ${FEATURES.join(', ')}`]);
  else {
    const bad = f.find((x) => !(FEATURES as readonly string[]).includes(x as string));
    if (bad !== undefined) out.push(['features', `unknown feature ${JSON.stringify(bad)}: use ${FEATURES.join(', ')}`]);
    else if (new Set(f).size !== f.length) out.push(['features', 'lists a feature twice']);
  }
  return out;
}

/** Split sizes: at least one point in each. */
export function splitSizes(points: number, trainRatio: number): { train: number; test: number } {
  const train = Math.min(points - 1, Math.max(1, Math.round(points * trainRatio)));
  return { train, test: points - train };
}

/** Shapes, loss and sizes from the spec alone (shape inference needs no data). */
export function playgroundInfo(d: PlaygroundDatasetSpec): TaskInfo {
  const reg = isRegression(d.name);
  const { train, test } = splitSizes(d.points, d.trainRatio);
  return {
    name: d.name, inputShape: [d.features.length], inputVocab: 0,
    output: reg ? { kind: 'regression', D: 1 } : { kind: 'class', V: 2 }, loss: reg ? 'mse' : 'softmax_cross_entropy',
    symbols: reg ? [] : ['orange', 'blue'], trainSize: train, testSize: test,
    description: `${d.name} (${reg ? 'regression' : '2 classes'}), ${d.points} points, noise ${Math.round(d.noise * 100)} %, features ${d.features.map((x) => FEATURE_LABELS[x]).join(', ')}`,
  };
}

/** One point's features, in the spec's order. */
export function expandFeatures(x1: number, x2: number, features: readonly Feature[], out: Float32Array, at: number): void {
  for (let k = 0; k < features.length; k++) {
    const f = features[k];
    out[at + k] = f === 'x1' ? x1 : f === 'x2' ? x2 : f === 'x1sq' ? x1 * x1 : f === 'x2sq' ? x2 * x2 : f === 'x1x2' ? x1 * x2 : f === 'sinx1' ? Math.sin(x1) : Math.sin(x2);
  }
}

/** A point and its label (class 0/1 or a value in [-1, 1]). */
interface Point { x1: number; x2: number; y: number }

/** The clean regression rules, on the (possibly noisy) inputs. */
const curve = (x1: number) => Math.sin((Math.PI * x1) / 4) * Math.exp(-(x1 * x1) / 72) * 0.9; // within [-0.9, 0.9]
const plane = (x1: number, x2: number) => Math.max(-1, Math.min(1, (x1 + x2) / 12));

/** The raw points of a dataset, in generation order (classes in blocks; shuffled by the caller). */
function drawPoints(d: PlaygroundDatasetSpec, rng: Rng): Point[] {
  const n = d.points, noise = d.noise, pts: Point[] = [];
  const u = (r: number) => rng.uniform(-r, r);
  switch (d.name) {
    case 'circle': {
      // Class 1 inside radius 2.5, class 0 on the ring 3.5–5; noise moves the point before the label.
      const R = 5;
      for (let i = 0; i < n; i++) {
        const inner = i < n / 2;
        const r = inner ? rng.uniform(0, R * 0.5) : rng.uniform(R * 0.7, R), a = rng.uniform(0, 2 * Math.PI);
        const x1 = r * Math.sin(a), x2 = r * Math.cos(a);
        const nx = u(R) * noise, ny = u(R) * noise;
        pts.push({ x1, x2, y: Math.hypot(x1 + nx, x2 + ny) < R * 0.5 ? 1 : 0 });
      }
      break;
    }
    case 'xor': {
      // Quadrants, kept 0.3 off the axes; class 1 where x₁x₂ ≥ 0 (read after the noise).
      const pad = 0.3;
      for (let i = 0; i < n; i++) {
        let x1 = u(5), x2 = u(5);
        x1 += x1 > 0 ? pad : -pad;
        x2 += x2 > 0 ? pad : -pad;
        const nx = u(5) * noise, ny = u(5) * noise;
        pts.push({ x1, x2, y: (x1 + nx) * (x2 + ny) >= 0 ? 1 : 0 });
      }
      break;
    }
    case 'gaussian': {
      // Two blobs at (2, 2) and (−2, −2); noise widens them (variance 0.5 at 0 % to 4 at 50 %).
      const sd = Math.sqrt(0.5 + (3.5 * noise) / 0.5);
      for (let i = 0; i < n; i++) {
        const c = i < n / 2 ? 1 : 0, m = c ? 2 : -2;
        pts.push({ x1: m + sd * rng.normal(), x2: m + sd * rng.normal(), y: c });
      }
      break;
    }
    case 'spiral': {
      // Two arms 1.75 turns long, the second rotated by π; noise jitters each point by up to ±noise.
      const half = Math.ceil(n / 2);
      for (let i = 0; i < n; i++) {
        const c = i < half ? 1 : 0, j = c ? i : i - half, m = c ? half : n - half;
        const r = (j / m) * 5, t = ((1.75 * j) / m) * 2 * Math.PI + (c ? 0 : Math.PI);
        pts.push({ x1: r * Math.sin(t) + u(1) * noise, x2: r * Math.cos(t) + u(1) * noise, y: c });
      }
      break;
    }
    case 'curve':
      // y = 0.9 · sin(πx₁/4) · e^(−x₁²/72) over x₁ ∈ [−6, 6], x₂ = 0; noise adds up to ±noise·2 to y.
      for (let i = 0; i < n; i++) {
        const x1 = u(EXTENT);
        pts.push({ x1, x2: 0, y: Math.max(-1, Math.min(1, curve(x1) + u(2) * noise)) });
      }
      break;
    case 'plane':
      // y = (x₁ + x₂)/12 read at inputs moved by up to ±6·noise (TF Playground's plane).
      for (let i = 0; i < n; i++) {
        const x1 = u(EXTENT), x2 = u(EXTENT);
        pts.push({ x1, x2, y: plane(x1 + u(EXTENT) * noise, x2 + u(EXTENT) * noise) });
      }
      break;
  }
  return pts;
}

/** The generated splits plus the raw 2-D points (for drawing) of each. */
export interface PlaygroundData extends TaskData {
  points: { train: Float32Array; test: Float32Array }; // (n, 2) x₁, x₂
}

function toSplit(pts: Point[], d: PlaygroundDatasetSpec): { split: TaskSplit; xy: Float32Array } {
  const F = d.features.length, n = pts.length;
  const inputs = new Float32Array(n * F), xy = new Float32Array(n * 2);
  const targets = isRegression(d.name) ? new Float32Array(n) : new Uint32Array(n);
  pts.forEach((p, i) => {
    expandFeatures(p.x1, p.x2, d.features, inputs, i * F);
    xy[2 * i] = p.x1;
    xy[2 * i + 1] = p.x2;
    targets[i] = p.y;
  });
  return { split: { inputs, targets, n }, xy };
}

const playgroundRng = (seed: number) => new Rng((seed ^ 0x9a7d2c31) >>> 0);

/** Generates both splits from the spec and the seed. */
export function generatePlayground(d: PlaygroundDatasetSpec, seed: number): PlaygroundData {
  const issues = playgroundIssues(d as unknown as Record<string, unknown>);
  if (issues.length) throw new Error(`playground dataset: ${issues.map(([f, m]) => `${f} ${m}`).join('; ')}`);
  const rng = playgroundRng(seed);
  const pts = drawPoints(d, rng);
  const order = rng.permutation(pts.length);
  const shuffled = Array.from(order, (i) => pts[i]);
  const { train } = splitSizes(d.points, d.trainRatio);
  const tr = toSplit(shuffled.slice(0, train), d), te = toSplit(shuffled.slice(train), d);
  return { info: playgroundInfo(d), train: tr.split, test: te.split, points: { train: tr.xy, test: te.xy } };
}

/**
 * A g×g grid over [-EXTENT, EXTENT]², row-major from the top (x₂ = +EXTENT) down, expanded into
 * the spec's features: (g·g, F). The boundary picture evaluates the model on it.
 */
export function featureGrid(features: readonly Feature[], g: number, extent = EXTENT): Float32Array {
  const F = features.length, out = new Float32Array(g * g * F);
  for (let r = 0; r < g; r++) {
    const x2 = extent - ((r + 0.5) / g) * 2 * extent;
    for (let c = 0; c < g; c++) expandFeatures(-extent + ((c + 0.5) / g) * 2 * extent, x2, features, out, (r * g + c) * F);
  }
  return out;
}
