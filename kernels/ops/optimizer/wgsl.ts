// The fused flat-buffer optimizer: every parameter updated in one dispatch.
import type { OptimizerConfig } from '../../backend.ts';
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

/**
 * One dispatch updates every parameter. Variant flags (kind, nesterov, clipping) are in the key;
 * hyperparameters in the dims uniform; lr and step from the Step uniform.
 */
export function optimizerWgsl(cfg: OptimizerConfig, clip: boolean): Shader {
  let update: string;
  if (cfg.kind === 'sgd') {
    update = `g += d.wd * w;
  ${cfg.momentum > 0 ? `let buf = d.momentum * M1[i] + g; M1[i] = buf; g = ${cfg.nesterov ? 'g + d.momentum * buf' : 'buf'};` : ''}
  w -= st.lr * g;`;
  } else {
    update = `${cfg.kind === 'adamw' ? 'w *= 1.0 - st.lr * d.wd;' : 'g += d.wd * w;'}
  let bc1 = 1.0 - powi(d.beta1, st.step);
  let bc2 = 1.0 - powi(d.beta2, st.step);
  let m = d.beta1 * M1[i] + (1.0 - d.beta1) * g;
  let v = d.beta2 * M2[i] + (1.0 - d.beta2) * g * g;
  M1[i] = m; M2[i] = v;
  w -= (st.lr / bc1) * m / (sqrt(v) / sqrt(bc2) + d.eps);`;
  }
  return shader([rw('P'), read('G'), rw('M1'), rw('M2'), read('SQ')], `struct D { n: u32, momentum: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, clipNorm: f32, p: u32 }
${FLAT_INDEX}
// β^t by repeated squaring: pow() goes through log2, whose absolute error near 1 (2^-21 allowed)
// made 1 − β2^t off by ~1e-4 relative at small t; this is exact at t = 1 and within a few ulp after.
fn powi(b: f32, t: u32) -> f32 {
  var r = 1.0; var x = b; var n = t;
  loop { if (n == 0u) { break; } if ((n & 1u) == 1u) { r *= x; } x *= x; n >>= 1u; }
  return r;
}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  var w = P[i];
  var g = G[i];
  ${clip ? 'g *= min(1.0, d.clipNorm / (sqrt(SQ[0]) + 1e-6));' : '_ = SQ[0];'}
  ${update}
  _ = M2[0]; _ = M1[0];
  P[i] = w;
}`);
}

