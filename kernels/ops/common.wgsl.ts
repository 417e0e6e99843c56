// Shared WGSL snippets. Bindings (the Step uniform, the dims uniform, then tensors) are declared
// once per kernel through bindings.ts.

/** Flat index for 1-D kernels launched on a 2-D grid of 256-wide workgroups (grids cap at 65535). */
export const FLAT_INDEX = /* wgsl */ `
fn flatIndex(wg: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 { return (wg.y * nwg.x + wg.x) * 256u + lid; }`;

export const ENTRY_1D = `@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32)`;

/** Counter-based RNG: same PCG permutation as rng.ts, so masks match the CPU backend. */
export const HASH = /* wgsl */ `
fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn hashUniform(seed: u32, salt: u32, i: u32) -> f32 { return f32(pcg(seed ^ pcg(salt ^ pcg(i))) >> 8u) / 16777216.0; }`;

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); tanh and sigmoid in overflow-safe forms.
export const MATH = /* wgsl */ `
fn erf_(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let r = (1.0 - e) / (1.0 + e); return select(-r, r, x >= 0.0); }
fn sigmoid_(x: f32) -> f32 { let e = exp(-abs(x)); return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0); }`;

/** Workgroups for n threads of 256: [x, y] with x ≤ 65535. */
export function grid1d(n: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / 256));
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

/** The smallest power of two ≥ n (1 for n ≤ 1): lane and column counts of workgroup reductions. */
export const pow2AtLeast = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
