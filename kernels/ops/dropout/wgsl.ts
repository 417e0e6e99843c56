// Inverted dropout with a counter-based mask (the same hash as rng.ts, so masks match the CPU).
import { ENTRY_1D, FLAT_INDEX, HASH } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

/** backward: the same mask applied to dy (regenerated from the hash, never stored). */
export function dropoutWgsl(): Shader {
  return shader([read('X'), rw('Y')], `struct D { n: u32, salt: u32, rate: f32, p: u32 }
${FLAT_INDEX}
${HASH}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  Y[i] = select(0.0, X[i] / (1.0 - d.rate), hashUniform(st.seed, d.salt, i) >= d.rate);
}`);
}
