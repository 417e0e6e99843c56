// Matmul for small outputs with a long K on hardware GPUs: the classifier layer (128 × 10 × 1024),
// and weight gradients summed over a batch of tokens (65 × 192 × 1024). Tiled kernels give such a
// product a handful of workgroups, each walking all of K (170 µs for 128 × 10 × 1024 on an H100).
// Here each output is a dot product shared by `lanes` consecutive threads of a 256-thread
// workgroup: lane l sums k = l, l + lanes, … (neighbouring lanes read neighbouring k of A), then a
// tree in workgroup memory adds the lanes (or, where the adapter has subgroups at least `lanes`
// wide, shuffles within the subgroup, with no barrier). Scalar loads, so any M, N, K and layout; the same
// bindings, uniforms, epilogues (bias, act, gradAct, accumulate) and implicit ones row as
// matmulWgsl, so the backend swaps one for the other. Grid: ceil(batch·M·N / (256 / lanes)) along x
// (spilling into y past 65,535).
import { pow2AtLeast } from '../common.wgsl.ts';
import { ACT, GRAD_ACT, matmulBindings, matmulHead, type MatmulFlags } from './tiled.wgsl.ts';
import { shader, type Shader } from '../bindings.ts';

export interface DotVariant extends MatmulFlags {
  lanes: number; // threads per output: a power of two, 4 … 64
  /** Add the lanes with subgroupShuffleXor (lanes ≤ the adapter's smallest subgroup size). */
  subgroup: boolean;
}

/** Lanes per output for a K: about 64 products per lane, 4 to 64 lanes. */
export const dotLanes = (K: number): number => Math.min(64, Math.max(4, pow2AtLeast(K / 64)));

export function matmulDotWgsl(o: DotVariant): Shader {
  const L = o.lanes, OW = 256 / L;
  const aAt = o.transA ? 'A[aBase + k * mA + m]' : 'A[aBase + m * d.K + k]';
  const bAt = o.transB ? 'B[bBase + n * d.K + k]' : 'B[bBase + k * d.N + n]';
  return shader(matmulBindings(o, false, false), /* wgsl */ `${o.subgroup ? 'enable subgroups;\n' : ''}
${matmulHead()}

${o.subgroup ? '' : 'var<workgroup> part: array<f32, 256>;'}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let lane = lid % ${L}u;
  let ci = (wg.y * 65535u + wg.x) * ${OW}u + lid / ${L}u; // output (z, m, n), flat
  let total = d.batch * d.M * d.N;
  let mA = d.M${o.onesRow ? ' - 1u' : ''};
  var s = 0.0;
  if (ci < total) {
    let n = ci % d.N; let m = (ci / d.N) % d.M; let z = ci / (d.M * d.N);
    let aBase = z * mA * d.K;
    let bBase = z * d.K * d.N;
    ${o.onesRow ? `if (m == mA) {
      for (var k = lane; k < d.K; k += ${L}u) { s += ${bAt}; }
    } else {` : '{'}
      for (var k = lane; k < d.K; k += ${L}u) { s += ${aAt} * ${bAt}; }
    }
  }
  ${o.subgroup
    // A butterfly inside each aligned group of L lanes (L divides the subgroup size, both powers of
    // two). It assumes a 1-D workgroup's subgroups are runs of consecutive invocation indices, as on
    // NVIDIA and Dawn's SwiftShader (bench:node --check verifies it on the adapter at hand).
    ? Array.from({ length: Math.log2(L) }, (_, i) => `s += subgroupShuffleXor(s, ${L >> (i + 1)}u);`).join('\n  ')
    : `part[lid] = s;
  workgroupBarrier();
  for (var w = ${L / 2}u; w > 0u; w >>= 1u) {
    if (lane < w) { part[lid] += part[lid + w]; }
    workgroupBarrier();
  }
  s = part[lid];`}
  if (lane == 0u && ci < total) {
    let c = ci % d.N;
    var v = s${o.bias ? ' + bias[c]' : ''};
    v = ${ACT[o.act]};${o.gradAct !== 'none' ? `
    let y = Y[ci];
    v = ${GRAD_ACT[o.gradAct]};` : ''}
    ${o.accumulate ? 'C[ci] = C[ci] + v;' : 'C[ci] = v;'}
  }
}`);
}
