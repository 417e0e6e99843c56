// Conv weight gradient for hardware GPUs: dW (KH·KW·C, F) = patches(x)ᵀ · dy, its inner dimension
// the N·OH·OW output positions (50,176 for a batch of 64 at 28×28). wgsl.ts gives each row
// (tap, c) one thread that walks every position, which suits SwiftShader but leaves a GPU with 25
// threads for MNIST's first layer (12 ms per step on an H100). Here a workgroup of DW_WG threads owns
// one row and a block of fb filters: each thread sums every DW_WG-th position into fb/4 vec4
// accumulators, then a tree in workgroup memory adds the DW_WG partials. Where rows × filter blocks
// are too few workgroups to fill the GPU, chunks of positions go to workgroups along z, each
// writing its own (M, F) partial into a scratch that a second dispatch sums (gpu/backend.ts).
import { CONV_HEAD } from './wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';

export const DW_WG = 256;

/**
 * With `bias`, workgroup row M (one past the last weight row) sums dy itself (an implicit ones
 * column of patches(x)): the bias gradient, written to DB, or as row M of each chunk's (M + 1, F)
 * partial when there are chunks (convDwChunkSumWgsl then splits the sum between Y and DB).
 */
export function convDwParallelWgsl(o: { fb: 4 | 8 | 16; vec: boolean; accumulate: boolean; bias?: boolean; chunked?: boolean }): Shader {
  const J = o.fb / 4;
  const js = Array.from({ length: J }, (_, j) => j);
  // vec4 columns past the last filter read the last vec4 (offsets clamped once, never stored).
  const dyRead = (j: number) => o.vec
    ? `Bm[p * (d.F / 4u) + cv${j}]`
    : `vec4<f32>(${[0, 1, 2, 3].map((q) => `Bm[min(gb + ${4 * j + q}u, last)]`).join(', ')})`;
  const rows = o.bias ? '(d.M + 1u)' : 'd.M';
  const direct = (acc: boolean, dst: string) => (acc ? `${dst} = ${dst} + v;` : `${dst} = v;`);
  // Where a row's sum goes: Y's row (or DB for the bias row), or its chunk's partial in Y.
  const write = o.chunked || !o.bias
    ? `let yi = (wg.z * ${rows} + row) * d.F + f;\n      ${direct(!o.chunked && o.accumulate, 'Y[yi]')}`
    : `if (row == d.M) { ${direct(o.accumulate, 'DB[f]')} } else { let yi = row * d.F + f; ${direct(o.accumulate, 'Y[yi]')} }`;
  return shader([read('X'), read('Bm', o.vec ? 'array<vec4<f32>>' : 'array<f32>'), rw('Y'), o.bias && !o.chunked && rw('DB')], `${CONV_HEAD}
var<workgroup> part: array<vec4<f32>, ${DW_WG * J}>;
@compute @workgroup_size(${DW_WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // x: the row; y: the filter block; z: the chunk of d.p0 positions, written to Y's z-th (M, F).
  let row = wg.x;
  let c = row % d.C; let tap = row / d.C; let kw = tap % d.KW; let kh = tap / d.KW;
  let f0 = wg.y * ${o.fb}u;
  let P = d.N * d.OH * d.OW;
  let last = P * d.F - 1u; // scalar dy reads past the last filter stay in bounds (never stored)
  ${o.vec ? js.map((j) => `let cv${j} = min(f0 + ${4 * j}u, d.F - 4u) / 4u;`).join(' ') : ''}
  ${js.map((j) => `var a${j} = vec4<f32>(0.0);`).join(' ')}
  let pEnd = min((wg.z + 1u) * d.p0, P);
  for (var p = wg.z * d.p0 + lid; p < pEnd; p += ${DW_WG}u) {
    ${o.bias ? 'var xv = 1.0;\n    if (row < d.M) {' : ''}
    let ow = p % d.OW; let r = p / d.OW; let oh = r % d.OH; let n = r / d.OH;
    let ih = i32(oh * d.sh + kh * d.dh) - i32(d.ph);
    let iw = i32(ow * d.sw + kw * d.dw) - i32(d.pw);
    if (ih < 0 || ih >= i32(d.H) || iw < 0 || iw >= i32(d.W)) { continue; }
    ${o.bias ? 'xv = X[((n * d.H + u32(ih)) * d.W + u32(iw)) * d.C + c];\n    }' : 'let xv = X[((n * d.H + u32(ih)) * d.W + u32(iw)) * d.C + c];'}
    let gb = p * d.F + f0;
    ${js.map((j) => `a${j} += xv * ${dyRead(j)};`).join('\n    ')}
  }
  ${js.map((j) => `part[lid * ${J}u + ${j}u] = a${j};`).join(' ')}
  workgroupBarrier();
  for (var w = ${DW_WG / 2}u; w > 0u; w >>= 1u) {
    if (lid < w) {
      ${js.map((j) => `part[lid * ${J}u + ${j}u] += part[(lid + w) * ${J}u + ${j}u];`).join(' ')}
    }
    workgroupBarrier();
  }
  if (lid < ${o.fb}u) {
    let f = f0 + lid;
    if (f < d.F) {
      let v = part[lid / 4u][lid % 4u];
      ${write}
    }
  }
}`);
}

/**
 * The second pass of a chunked dW with bias: S holds `chunks` partials of (M + 1, F) each; their
 * sum's first M·F values go to Y (dW), the last F to DB (dbias). One thread per value.
 */
export function convDwChunkSumWgsl(accumulate: boolean): Shader {
  return shader([read('S'), rw('Y'), rw('DB')], `struct D { chunks: u32, MN: u32, total: u32, p: u32 }
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.total) { return; }
  var s = 0.0;
  for (var z = 0u; z < d.chunks; z++) { s += S[z * d.total + i]; }
  if (i < d.MN) { Y[i] = ${accumulate ? 'Y[i] + ' : ''}s; } else { DB[i - d.MN] = ${accumulate ? 'DB[i - d.MN] + ' : ''}s; }
}`);
}
