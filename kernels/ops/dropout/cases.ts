// Op cases of inverted dropout (the counter-based mask must match the CPU's bit for bit).
import { inp, mk, out, TOL_EW, type OpCase } from '../../testing/case-kit.ts';

// ---- dropout ----
function dropoutCase(n: number, rate: number, salt: number, seed: number): OpCase {
  return mk({
    name: `dropout ${n} rate=${rate} salt=${salt}`,
    ops: ['dropout', 'dropoutBackward'],
    tensors: [inp('x', [n]), out('y', [n]), inp('dy', [n]), out('dx', [n])],
    params: { seed },
    gpuTol: TOL_EW,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.dropout(t.y, t.x, rate, salt)],
      backward: [be.dropoutBackward(t.dx, t.dy, rate, salt)],
    }),
    check(v) {
      const x = v.x, y = v.y, dy = v.dy, dx = v.dx, errs: string[] = [];
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const k = y[i] !== 0;
        if (k) {
          kept++;
          const want = x[i] / (1 - rate);
          if (Math.abs(y[i] - want) > 1e-6 * Math.abs(want)) errs.push(`y[${i}] = ${y[i]}, want x/(1-rate) = ${want}`);
        }
        const wantDx = k ? dy[i] / (1 - rate) : 0;
        if (Math.abs(dx[i] - wantDx) > 1e-6 * Math.abs(wantDx)) errs.push(`dx[${i}] = ${dx[i]}, want ${wantDx} (mask of y)`);
        if (errs.length > 5) break;
      }
      const frac = kept / n, sigma = Math.sqrt((rate * (1 - rate)) / n);
      if (Math.abs(frac - (1 - rate)) > 3 * sigma)
        errs.push(`kept fraction ${frac.toFixed(5)} is ${(Math.abs(frac - (1 - rate)) / sigma).toFixed(2)}σ from ${1 - rate} (σ = ${sigma.toExponential(2)})`);
      return errs;
    },
  });
}

export const DROPOUT_CASES: OpCase[] = [dropoutCase(4096, 0.3, 7, 99), dropoutCase(1000, 0.5, 3, 0xdeadbeef)];
