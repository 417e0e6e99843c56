// Embedding backward for hardware GPUs: dtable[v, :] = Σ over tokens n with ids[n] == v of
// dout[n, :]. The form in rnn.wgsl.ts gives each table element one thread that scans every id
// (1,024 per step for the reference transformer: 183 µs on an H100). Here a workgroup of 256 owns
// row v and `cols` columns (a power of two ≤ 16); its 256 / cols lanes scan every lanes-th id, and
// a tree in workgroup memory adds the lanes, in a fixed order (deterministic, unlike atomics).
// Grid: (V, ceil(D / cols)). Ids are f32 (as the forward reads them); out-of-range ids match no row.

export function embeddingBackwardParallelWgsl(cols: number): string {
  const lanes = 256 / cols;
  return `struct D { N: u32, V: u32, D: u32, acc: u32 }
@group(0) @binding(1) var<uniform> d: D;
@group(0) @binding(2) var<storage, read> IDS: array<f32>;
@group(0) @binding(3) var<storage, read> DOUT: array<f32>;
@group(0) @binding(4) var<storage, read_write> DTABLE: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let col = lid % ${cols}u; let lane = lid / ${cols}u;
  let v = f32(wg.x); let k = wg.y * ${cols}u + col;
  var s = 0.0;
  if (k < d.D) {
    for (var n = lane; n < d.N; n += ${lanes}u) { if (IDS[n] == v) { s += DOUT[n * d.D + k]; } }
  }
  part[lid] = s;
  workgroupBarrier();
  for (var w = ${lanes / 2}u; w > 0u; w >>= 1u) {
    if (lane < w) { part[lid] += part[lid + w * ${cols}u]; }
    workgroupBarrier();
  }
  if (lane == 0u && k < d.D) {
    let i = wg.x * d.D + k;
    var r = part[lid];
    if (d.acc == 1u) { r += DTABLE[i]; }
    DTABLE[i] = r;
  }
}`;
}
