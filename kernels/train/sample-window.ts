// Text sampling for models that see a whole window at once (transformers): the model is rebuilt
// on the CPU backend at batch 1 with the trained weights, and every new character runs it over
// the last T characters. Causality makes this exact for contexts shorter than T: the logits at
// position p depend only on tokens 0…p, so the unused tail of the window (zeros) is never seen.
import type { Tensor } from '../backend.ts';
import { Graph } from '../autodiff/graph.ts';
import { CpuBackend } from '../cpu/backend.ts';
import { buildModel, describeParams } from '../nn/model.ts';
import type { LayerSpec } from '../model/types.ts';
import { layerDef } from '../layers/index.ts';

export class WindowStepper {
  private readonly be = new CpuBackend('f32');
  private readonly ids: Tensor;
  private readonly logits: Tensor;
  private readonly run: () => void;
  private history: number[] = [];

  /** layers with the vocabulary resolved; T = the window the model was trained on. */
  constructor(layers: LayerSpec[], params: Float32Array[], private readonly T: number) {
    const bad = layers.find((l) => layerDef(l.kind).attention && !(l as { causal?: boolean }).causal);
    if (bad) throw new Error('text sampling needs a causal model: this transformer attends to later characters too');
    const info = describeParams(layers, [T]);
    const P = this.be.flat(info.map((p) => p.shape), 'params');
    params.forEach((v, i) => this.be.write(P.views[i], v));
    const g = new Graph(this.be, false);
    this.ids = g.alloc([1, T], 'ids');
    this.logits = buildModel(g, layers, this.ids, { values: P.views, grads: null });
    const program = this.be.program('sample window', g.forward);
    this.run = () => void this.be.run(program, { step: 0, batchStart: 0, lr: 0, seed: 0, rows: 1 });
  }

  reset(): void {
    this.history = [];
  }

  /** Logits of the next token after feeding `id`. */
  step(id: number): Float64Array {
    this.history.push(id);
    const win = this.history.slice(-this.T);
    const x = new Float32Array(this.T);
    x.set(win);
    this.be.write(this.ids, x);
    this.run();
    const V = this.logits.shape[this.logits.shape.length - 1];
    const store = this.logits.store as Float32Array;
    const at = this.logits.offset + (win.length - 1) * V;
    return Float64Array.from(store.subarray(at, at + V));
  }
}
