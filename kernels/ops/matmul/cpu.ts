// Plain-loop reference of the matmul (with transpose flags, bias, fused activation and its
// gradient, onesRow) and the CPU backend's kernel for it.
import { matmulDims, type Kernel, type MatmulOpts, type Tensor } from '../../backend.ts';
import { unaryF, unaryGrad } from '../elementwise/cpu.ts';
import { cpuKernel } from '../../cpu/kernel.ts';
const f = (t: Tensor) => t.store as Float32Array;

export function matmul(out: Tensor, a: Tensor, b: Tensor, o: MatmulOpts = {}): Kernel {
  const { M, N, K, batch } = matmulDims(a, b, o);
  if (out.size !== M * N * batch) throw new Error(`matmul: out ${out.name} has ${out.size} elements, need ${M * N * batch}`);
  // a holds Ma = M − 1 rows of op(a) when onesRow (row M − 1 is implicit ones), else M.
  const Ma = o.onesRow ? M - 1 : M;
  // Element (m,k) of op(a) lives at sAm*m + sAk*k; (k,n) of op(b) at sBk*k + sBn*n.
  const [sAm, sAk] = o.transA ? [1, Ma] : [K, 1];
  const [sBk, sBn] = o.transB ? [1, K] : [N, 1];
  const act = o.act ?? 'none';
  const ga = o.gradAct;
  const gact = ga && ga.act !== 'none' ? ga.act : null; // matmulDims refuses 'none'
  return cpuKernel(`matmul ${M}x${N}x${K}`, () => {
    const A = f(a), B = f(b), C = f(out);
    const bias = o.bias ? f(o.bias) : null;
    const Y = ga ? f(ga.y) : null;
    const acc = new Float64Array(N);
    for (let z = 0; z < batch; z++) {
      const a0 = a.offset + z * Ma * K, b0 = b.offset + z * K * N, c0 = out.offset + z * M * N;
      for (let m = 0; m < M; m++) {
        acc.fill(0);
        for (let kk = 0; kk < K; kk++) {
          const av = m < Ma ? A[a0 + m * sAm + kk * sAk] : 1;
          if (av === 0) continue;
          const bRow = b0 + kk * sBk;
          for (let n = 0; n < N; n++) acc[n] += av * B[bRow + n * sBn];
        }
        for (let n = 0; n < N; n++) {
          let v = acc[n] + (bias ? bias[o.bias!.offset + n] : 0);
          if (act !== 'none') v = unaryF(act, v, 0.01);
          const ci = c0 + m * N + n;
          // act'(z) through y = act(z): unaryGrad(act, x = y, y, dy = v) (relu/leaky test y > 0 ⇔ z > 0).
          if (ga && gact) {
            const y = Y![ga.y.offset + z * M * N + m * N + n];
            v = unaryGrad(gact, y, y, v, ga.alpha ?? 0.01);
          }
          C[ci] = o.accumulate ? C[ci] + v : v;
        }
      }
    }
  });
}
