// Text sampling from a trained character model, on the CPU: the weights are read back once
// (asynchronously, outside the training loop), then the model runs one character at a time with
// its recurrent state carried over, which the batched training graph cannot do. The layers that
// can step (their LayerDef has `step`: a recurrent char model's) run here; other models
// (transformers) go through WindowStepper (sample-window.ts).
import type { Backend, Tensor } from '../backend.ts';
import { CHAR_ALPHABET, encodeText } from '../data/tasks.ts';
import { layerDef } from '../layers/index.ts';
import { Rng } from '../rng.ts';
import type { LayerSpec } from '../model/types.ts';
import { WindowStepper } from './sample-window.ts';

/** Reads every parameter view back (one awaited read each; call between steps, never inside one). */
export async function readParams(be: Backend, params: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const p of params) out.push(Float32Array.from(await be.read(p)));
  return out;
}

/** A step-by-step runner of the model: feed one token id, get the logits of the next. */
export class CharStepper {
  private state: Float64Array[][] = []; // per recurrent layer and sub-layer: [h] or [h, c]
  constructor(private layers: LayerSpec[], private params: Float32Array[]) {}

  /** Back to the initial state: zeros, or the learned h0 (and c0) of layers with learnInitialState. */
  reset(): void {
    this.state = [];
  }

  /** Logits after feeding token `id`; each layer steps by its registry definition. */
  step(id: number): Float64Array {
    let p = 0, s = 0;
    const ctx = {
      next: () => this.params[p++], // parameters in describeParams order
      state: (init: () => Float64Array[]) => (this.state[s++] ??= init()),
    };
    let h: Float64Array = Float64Array.of(id);
    for (const l of this.layers) {
      const def = layerDef(l.kind);
      if (!def.step) throw new Error(`text sampling does not support a ${l.kind} layer`);
      h = def.step(l, h, ctx);
    }
    return h;
  }
}

/** Samples index ~ softmax(logits / temperature); temperature 0 is argmax. */
export function sampleIndex(logits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let arg = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[arg]) arg = i;
  if (temperature <= 0) return arg;
  const w = Array.from(logits, (v) => Math.exp((v - logits[arg]) / temperature));
  let u = rng.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((u -= w[i]) < 0) return i;
  return w.length - 1;
}

/** Continues `prompt` by n characters sampled at `temperature` (seeded). */
export function sampleText(layers: LayerSpec[], params: Float32Array[], prompt: string, n: number, temperature: number, seed = 1, window = 0): string {
  // Recurrent models step one character at a time with their state; others rerun over a window.
  const stepwise = layers.every((l) => !!layerDef(l.kind).step);
  if (!stepwise && !window) throw new Error('text sampling of a non-recurrent model needs its window length');
  const m = stepwise ? new CharStepper(layers, params) : new WindowStepper(layers, params, window);
  const ids = encodeText(prompt.length ? prompt : ' ');
  let logits: Float64Array = new Float64Array(0);
  for (const id of ids) logits = m.step(id);
  const rng = new Rng(seed);
  let out = '';
  for (let i = 0; i < n; i++) {
    const id = sampleIndex(logits, temperature, rng);
    out += CHAR_ALPHABET[id] ?? '';
    logits = m.step(id);
  }
  return out;
}
