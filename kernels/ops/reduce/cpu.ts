// Plain-loop references of the reductions (reduce along an axis, sumRows, sumSquares) as CPU backend kernels.
import type { Kernel, ReduceOp, Tensor } from '../../backend.ts';
import { axisSplit } from '../shapes.ts';
import { cpuKernel } from '../../cpu/kernel.ts';
const f = (t: Tensor) => t.store as Float32Array;

export function reduce(op: ReduceOp, out: Tensor, x: Tensor, axis: number): Kernel {
  const [outer, len, inner] = axisSplit(x.shape, axis);
  return cpuKernel(`reduce ${op}`, () => {
    const X = f(x), Y = f(out);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let acc = op === 'max' ? -Infinity : 0;
        for (let l = 0; l < len; l++) {
          const v = X[x.offset + (o * len + l) * inner + i];
          acc = op === 'max' ? Math.max(acc, v) : acc + v;
        }
        Y[out.offset + o * inner + i] = op === 'mean' ? acc / len : acc;
      }
  });
}

export function reduceBackward(op: ReduceOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, axis: number): Kernel {
  const [outer, len, inner] = axisSplit(x.shape, axis);
  return cpuKernel(`reduce ${op} backward`, () => {
    const X = f(x), Y = f(y), DY = f(dy), DX = f(dx);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const g = DY[dy.offset + o * inner + i];
        let taken = false; // max: the gradient goes to the first maximal element only
        for (let l = 0; l < len; l++) {
          const xi = x.offset + (o * len + l) * inner + i;
          let v = 0;
          if (op === 'sum') v = g;
          else if (op === 'mean') v = g / len;
          else if (!taken && X[xi] === Y[y.offset + o * inner + i]) {
            v = g;
            taken = true;
          }
          DX[dx.offset + (o * len + l) * inner + i] = v;
        }
      }
  });
}

export function sumRows(out: Tensor, x: Tensor, accumulate = false): Kernel {
  const N = out.size, rows = x.size / N;
  return cpuKernel('sumRows', () => {
    const X = f(x), Y = f(out);
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += X[x.offset + r * N + n];
      Y[out.offset + n] = accumulate ? Y[out.offset + n] + s : s;
    }
  });
}

export function sumSquares(out: Tensor, x: Tensor): Kernel {
  return cpuKernel('sumSquares', () => {
    const X = f(x);
    let s = 0;
    for (let i = 0; i < x.size; i++) s += X[x.offset + i] * X[x.offset + i];
    f(out)[out.offset] = s;
  });
}
