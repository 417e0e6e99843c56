// Shape inference, parameter counts and a memory estimate, all from the spec alone (no device).
import type { LayerSpec, ModelSpec } from './types.ts';
import type { SpecIssue } from './validate.ts';

export interface DatasetInfo {
  inputShape: number[]; // one sample, no batch dim
  classes: number;
  trainSize: number;
  testSize: number;
  bytes: number; // resident on the device
}

export function datasetInfo(_spec: ModelSpec): DatasetInfo {
  // MNIST: u8 pixels packed 4 per word, u32 labels, a u32 index buffer per split.
  return { inputShape: [28, 28, 1], classes: 10, trainSize: 60000, testSize: 10000, bytes: 70000 * 784 + 70000 * 8 };
}

export interface LayerShape {
  path: string;
  kind: LayerSpec['kind'];
  outShape: number[];
  params: number;
  /** The largest single tensor of this layer in elements (for the per-buffer device limit). */
  largest: number;
}

export interface ShapeReport {
  layers: LayerShape[]; // one per top-level layer
  totalParams: number;
  activationsPerSample: number; // elements of all layer outputs for one sample
  largestTensorBytes: number;
  memoryBytes: number; // estimate for training at the spec's batch size
  errors: SpecIssue[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

export function inferShapes(spec: ModelSpec): ShapeReport {
  const ds = datasetInfo(spec);
  const errors: SpecIssue[] = [];
  let acts = 0;
  let largestWeight = 0; // elements of the biggest single parameter
  let largestAct = 0; // elements of the biggest layer output, per sample
  const walk = (layers: LayerSpec[], inShape: number[], prefix: string, top: number | undefined): { shape: number[]; params: number; out: LayerShape[] } => {
    let shape = inShape;
    let params = 0;
    const out: LayerShape[] = [];
    layers.forEach((l, i) => {
      const idx = top ?? i;
      const path = `${prefix}[${i}]`;
      let p = 0;
      let big = 0;
      switch (l.kind) {
        case 'dense': {
          const fin = shape[shape.length - 1];
          p = fin * l.units + l.units;
          big = fin * l.units;
          shape = [...shape.slice(0, -1), l.units];
          break;
        }
        case 'flatten':
          shape = [prod(shape)];
          break;
        case 'activation':
        case 'dropout':
          break;
        case 'residual': {
          const inner = walk(l.layers, shape, `${path}.layers`, idx);
          p = inner.params;
          big = Math.max(0, ...inner.out.map((o) => o.largest));
          if (inner.shape.join('x') !== shape.join('x'))
            errors.push({ path: `${path} (residual)`, layer: idx, message: `the block maps ${fmt(shape)} to ${fmt(inner.shape)}; a residual needs its output shape equal to its input shape` });
          break;
        }
      }
      acts += prod(shape);
      largestWeight = Math.max(largestWeight, big);
      largestAct = Math.max(largestAct, prod(shape));
      params += p;
      out.push({ path, kind: l.kind, outShape: shape, params: p, largest: big });
    });
    return { shape, params, out };
  };
  const r = walk(spec.layers, ds.inputShape, 'layers', undefined);
  if (spec.dataset.kind === 'mnist') {
    if (spec.loss !== 'softmax_cross_entropy')
      errors.push({ path: 'loss', message: 'MNIST is classification: use softmax_cross_entropy' });
    if (r.shape.length !== 1 || r.shape[0] !== ds.classes)
      errors.push({
        path: spec.layers.length ? `layers[${spec.layers.length - 1}]` : 'layers',
        layer: spec.layers.length ? spec.layers.length - 1 : undefined,
        message: `the model must end in ${ds.classes} outputs per sample (one per digit), but it ends in ${fmt(r.shape)}${r.shape.length > 1 ? ': add a Flatten before the last Dense' : ''}`,
      });
  }
  const B = spec.train?.batchSize ?? 1;
  const P = r.params;
  const optState = spec.train?.optimizer.kind === 'sgd' ? ((spec.train.optimizer.momentum ?? 0) > 0 ? 1 : 0) : 2;
  // Params + grads + optimizer state; per layer output: train activation, its gradient and a
  // temporary (3×), plus the evaluation graph's copy (1×); the input batch; the resident dataset.
  const memoryBytes = 4 * P * (2 + optState) + 4 * B * (acts * 4 + 2 * prod(ds.inputShape)) + ds.bytes;
  return {
    layers: r.out,
    totalParams: P,
    activationsPerSample: acts,
    // The flat parameter buffer holds all weights; an activation holds the whole batch.
    largestTensorBytes: 4 * Math.max(largestWeight, P, largestAct * Math.max(1, B)),
    memoryBytes,
    errors,
  };
}

function fmt(s: number[]): string {
  return `(${s.join(', ')})`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
