// Inverted dropout with a counter-based mask (the same hash as rng.ts, so masks match the CPU).
import { ENTRY_1D, FLAT_INDEX, HASH, STEP_STRUCT } from '../common.wgsl.ts';

/** backward: the same mask applied to dy (regenerated from the hash, never stored). */
export function dropoutWgsl(): string {
  return `${STEP_STRUCT}
struct D { n: u32, salt: u32, rate: f32, p: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read_write> Y: array<f32>;
${FLAT_INDEX}
${HASH}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.n) { return; }
  Y[i] = select(0.0, X[i] / (1.0 - d.rate), hashUniform(st.seed, d.salt, i) >= d.rate);
}`;
}
