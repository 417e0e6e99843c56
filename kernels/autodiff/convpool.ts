// Conv2D + max pool as one forward kernel (issue #22), decided by the graph.
//
// When a max pool reads a conv2d's output, the pool's windows tile that output without overlap
// (stride == size, no padding, no dilation: the LeNet case; overlap would recompute conv outputs
// per window, see ops/conv/pool.wgsl.ts) and the backend has the fused kernel, the graph records
// conv2dMaxPool in place of the conv's and the pool's kernels: the full-size conv output is never
// written. Its backward takes act' from the pooled output (maxPoolBackwardActPooled), never from
// the conv output.
//
// Soundness: the graph knows every reader of a tensor only after recording, so the decision is
// made at the pool's recording (the conv output must have had no reader before it) and undone if
// a later reader appears: every op input, loss input and seed goes through `read`, which puts the
// conv's own kernel and a plain pool kernel back where the fused kernel stood (the conv's inputs
// were all written before that point, the later reader comes after it), before the reader's kernels
// are recorded. The tape's closures run after all recording, so the pool's backward sees the final
// decision. Readers outside the ops:
// - Graph.convTaps (the inspector's feature maps, kernels/train/predict.ts): a graph that reads
//   them sets `captureConvs`, and a tapped conv output is then never fused. Elsewhere a fused conv
//   leaves convTaps, so no reader can find an unwritten tensor there.
// - Graph.outputs (naming the layer that went non-finite, the boundary grid): a fused conv's entry
//   leaves while it is fused; the pool's output stands for both.
// The CPU backend has no fused forms: its plain ops stay the reference (ops/conv/cases.ts).
import type { Conv2dGeom, FusedAct, Kernel, Tensor } from '../backend.ts';
import { convMaxPoolMismatch } from '../ops/conv/geom.ts';
import { fusedOps } from './fused.ts';
import type { Graph } from './graph.ts';

interface ConvRecord { x: Tensor; W: Tensor; b: Tensor | null; g: Conv2dGeom; act: FusedAct; y: Tensor; kernel: Kernel; name: string }

export interface ConvPoolPair {
  conv: ConvRecord;
  pool: { y: Tensor; argmax: Tensor; g: Conv2dGeom; name: string };
  kernel: Kernel;
  /** False once a later reader of the conv output undid the fusion. */
  fused: boolean;
  /** The conv's entries taken out of Graph.convTaps and Graph.outputs, put back by an undo. */
  tap: { name: string; y: Tensor } | null;
  output: { name: string; t: Tensor } | null;
}

export class ConvPoolFusion {
  private convs = new Map<number, ConvRecord>();
  private pairs = new Map<number, ConvPoolPair>();

  constructor(private readonly graph: Graph) {}

  /** A conv2d kernel was recorded: its output may fuse with a max pool that reads it first. */
  conv(rec: ConvRecord): void {
    this.convs.set(rec.y.id, rec);
  }

  /**
   * At a max pool's recording over x (read by `uses` ops so far): the fused kernel and a commit
   * to call once the pool's op is recorded, or null for the plain pair.
   */
  plan(x: Tensor, y: Tensor, argmax: Tensor, pg: Conv2dGeom, uses: number, name: string): { kernel: Kernel; commit: () => ConvPoolPair } | null {
    const gr = this.graph, f = fusedOps(gr.be);
    const rec = this.convs.get(x.id);
    if (!rec || uses !== 0 || !gr.fuseBackward || !f.conv2dMaxPool || !f.maxPoolBackwardActPooled) return null;
    if ((gr.be as { fuseConvPool?: boolean }).fuseConvPool === false) return null;
    if (gr.captureConvs && gr.convTaps.some((t) => t.y.id === x.id)) return null;
    if (!sameShape(x.shape, rec.y.shape) || convMaxPoolMismatch(rec.g, pg) !== null || !gr.forward.includes(rec.kernel)) return null;
    const kernel = f.conv2dMaxPool.call(gr.be, y, argmax, rec.x, rec.W, rec.g, pg, { bias: rec.b ?? undefined, act: rec.act });
    return {
      kernel,
      commit: () => {
        // The conv's kernel leaves the forward list; the fused one sits where the pool's would.
        gr.forward.splice(gr.forward.indexOf(rec.kernel), 1);
        gr.origin.delete(rec.kernel);
        gr.origin.set(kernel, rec.name);
        const ti = gr.convTaps.findIndex((t) => t.y.id === x.id);
        const oi = gr.outputs.findIndex((o) => o.t.id === x.id);
        const pair: ConvPoolPair = {
          conv: rec, pool: { y, argmax, g: pg, name }, kernel, fused: true,
          tap: ti >= 0 ? gr.convTaps.splice(ti, 1)[0] : null,
          output: oi >= 0 ? gr.outputs.splice(oi, 1)[0] : null,
        };
        this.pairs.set(x.id, pair);
        return pair;
      },
    };
  }

  /**
   * The fused pair's pool backward into dx (the conv output's gradient) from dy (the pooled
   * output's): the conv output was never written, so act' comes from the pooled output, which at
   * the argmax equals it; with no activation, the plain gather (which reads no activation).
   */
  backward(p: ConvPoolPair, dx: Tensor, dy: Tensor): Kernel {
    const be = this.graph.be, { y, argmax, g } = p.pool;
    if (p.conv.act === 'none') return be.pool2dBackward('max', dx, dy, argmax, g);
    return fusedOps(be).maxPoolBackwardActPooled!.call(be, dx, dy, argmax, g, { act: p.conv.act, y });
  }

  /** t is about to be read: if it is a fused conv output, record the plain conv and pool instead. */
  read(t: Tensor): void {
    const p = this.pairs.get(t.id);
    if (!p || !p.fused) return;
    p.fused = false;
    const gr = this.graph, c = p.conv;
    const poolK = gr.be.pool2d('max', p.pool.y, c.y, p.pool.argmax, p.pool.g);
    gr.forward.splice(gr.forward.indexOf(p.kernel), 1, c.kernel, poolK);
    gr.origin.delete(p.kernel);
    gr.origin.set(c.kernel, c.name);
    gr.origin.set(poolK, p.pool.name);
    if (p.tap) gr.convTaps.splice(insertAt(gr.convTaps, p.pool.y), 0, p.tap);
    if (p.output) gr.outputs.splice(gr.outputs.findIndex((o) => o.t.id === p.pool.y.id), 0, p.output);
  }
}

/** The conv taps stay in layer order: a restored tap goes before any tap recorded after its pool. */
function insertAt(taps: { y: Tensor }[], poolY: Tensor): number {
  const i = taps.findIndex((t) => t.y.id > poolY.id);
  return i < 0 ? taps.length : i;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
