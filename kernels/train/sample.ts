// Text sampling from a trained character model, on the CPU: the weights are read back once
// (asynchronously, outside the training loop), then the model runs one character at a time with
// its recurrent state carried over, which the batched training graph cannot do. Supports the
// layers a recurrent char model uses: embedding, lstm / gru / rnn (stacked) and dense (+ activation);
// other models (transformers) go through WindowStepper (sample-window.ts).
import type { Backend, Tensor } from '../backend.ts';
import { CHAR_ALPHABET, encodeText } from '../data/tasks.ts';
import { initialStateNames } from '../nn/recurrent.ts';
import { Rng } from '../rng.ts';
import type { LayerSpec } from '../model/types.ts';
import { WindowStepper } from './sample-window.ts';

/** Reads every parameter view back (one awaited read each; call between steps, never inside one). */
export async function readParams(be: Backend, params: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const p of params) out.push(Float32Array.from(await be.read(p)));
  return out;
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const STEPWISE: ReadonlySet<string> = new Set(['embedding', 'lstm', 'gru', 'rnn', 'dense', 'dropout']);

/** A step-by-step runner of the model: feed one token id, get the logits of the next. */
export class CharStepper {
  private state: Float64Array[][] = []; // per recurrent layer and sub-layer: [h] or [h, c]
  constructor(private layers: LayerSpec[], private params: Float32Array[]) {
    this.reset();
  }

  /** Back to the initial state: zeros, or the learned h0 (and c0) of layers with learnInitialState. */
  reset(): void {
    this.state = [];
    let p = 0; // parameter index, in describeParams order (as step() walks them)
    for (const l of this.layers) {
      if (l.kind === 'embedding') p += 1;
      else if (l.kind === 'dense') p += 2;
      else if (l.kind === 'lstm' || l.kind === 'gru' || l.kind === 'rnn') {
        const names = initialStateNames(l);
        for (let k = 0; k < (l.layers ?? 1); k++) {
          p += 4; // W_ih, W_hh, b_ih, b_hh
          const st = [new Float64Array(l.hidden), new Float64Array(l.hidden)]; // [h, c]
          for (const n of names) st[n === 'h0' ? 0 : 1] = Float64Array.from(this.params[p++]);
          this.state.push(st);
        }
      }
    }
  }

  /** Logits after feeding token `id`. */
  step(id: number): Float64Array {
    let p = 0, s = 0;
    let h: Float64Array = Float64Array.of(id);
    for (const l of this.layers) {
      switch (l.kind) {
        case 'embedding': {
          const table = this.params[p++];
          h = Float64Array.from(table.subarray(id * l.dim, (id + 1) * l.dim));
          break;
        }
        case 'lstm':
        case 'gru':
        case 'rnn':
          for (let k = 0; k < (l.layers ?? 1); k++) {
            const [Wih, Whh, bih, bhh] = [this.params[p++], this.params[p++], this.params[p++], this.params[p++]];
            p += initialStateNames(l).length; // h0 (c0): read by reset()
            h = cellStep(l.kind, h, this.state[s++], Wih, Whh, bih, bhh, l.hidden);
          }
          break;
        case 'dense': {
          const W = this.params[p++], b = this.params[p++];
          const y = new Float64Array(l.units);
          for (let o = 0; o < l.units; o++) {
            let v = b[o];
            for (let i = 0; i < h.length; i++) v += h[i] * W[i * l.units + o];
            y[o] = l.activation === 'relu' ? Math.max(v, 0) : l.activation === 'tanh' ? Math.tanh(v) : l.activation === 'sigmoid' ? sig(v) : v;
          }
          h = y;
          break;
        }
        case 'dropout':
          break; // identity at inference
        default:
          throw new Error(`text sampling does not support a ${l.kind} layer`);
      }
    }
    return h;
  }
}

/** One timestep of a cell on one sample (torch formulas); updates st = [h, c] in place, returns h. */
function cellStep(kind: 'lstm' | 'gru' | 'rnn', x: Float64Array, st: Float64Array[], Wih: Float32Array, Whh: Float32Array, bih: Float32Array, bhh: Float32Array, H: number): Float64Array {
  const GH = Wih.length / x.length;
  const xp = new Float64Array(GH), hp = new Float64Array(GH);
  for (let c = 0; c < GH; c++) {
    let a = bih[c], b = bhh[c];
    for (let i = 0; i < x.length; i++) a += x[i] * Wih[i * GH + c];
    for (let k = 0; k < H; k++) b += st[0][k] * Whh[k * GH + c];
    xp[c] = a;
    hp[c] = b;
  }
  const h = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    if (kind === 'lstm') {
      const i = sig(xp[j] + hp[j]), f = sig(xp[H + j] + hp[H + j]), g = Math.tanh(xp[2 * H + j] + hp[2 * H + j]), o = sig(xp[3 * H + j] + hp[3 * H + j]);
      st[1][j] = f * st[1][j] + i * g;
      h[j] = o * Math.tanh(st[1][j]);
    } else if (kind === 'gru') {
      const r = sig(xp[j] + hp[j]), z = sig(xp[H + j] + hp[H + j]), n = Math.tanh(xp[2 * H + j] + r * hp[2 * H + j]);
      h[j] = (1 - z) * n + z * st[0][j];
    } else h[j] = Math.tanh(xp[j] + hp[j]);
  }
  st[0] = h;
  return h;
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
  const stepwise = layers.every((l) => STEPWISE.has(l.kind));
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
