// The batch gathers of the training step: MNIST rows from the GPU-resident u8 dataset, and
// sequence rows (inputs and labels) by index.
import { ENTRY_1D, FLAT_INDEX } from '../common.wgsl.ts';
import { read, rw, shader, type Shader } from '../bindings.ts';

// Both gathers index their source by a value read from IX; that value is clamped to the source's
// last row (nSrc − 1), so no index buffer, however wrong, makes a read leave the source: the host
// writes a permutation of the rows there, so the clamp never changes a correct run.

/** out (B, L) = src row indices[batchStart + r] (clamped to the last index); a bit copy (f32 or u32). */
export function gatherRowsWgsl(): Shader {
  return shader([read('SRC', 'array<u32>'), read('IX', 'array<u32>'), rw('OUT', 'array<u32>')], `struct D { B: u32, L: u32, nIdx: u32, nSrc: u32 }
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.B * d.L) { return; }
  let r = i / d.L; let j = i % d.L;
  OUT[i] = SRC[min(IX[min(st.batchStart + r, d.nIdx - 1u)], d.nSrc - 1u) * d.L + j];
}`);
}

/** x (B, rowBytes) = bytes / 255 of rows indices[batchStart + r]; y (B) their labels. */
export function gatherWgsl(): Shader {
  return shader([read('IM', 'array<u32>'), read('LB', 'array<u32>'), read('IX', 'array<u32>'), rw('X'), rw('Y', 'array<u32>')], `struct D { B: u32, rowBytes: u32, nIdx: u32, nSrc: u32 }
${FLAT_INDEX}
${ENTRY_1D} {
  let i = flatIndex(wg, nwg, lid);
  if (i >= d.B * d.rowBytes) { return; }
  let r = i / d.rowBytes; let j = i % d.rowBytes;
  let src = min(IX[min(st.batchStart + r, d.nIdx - 1u)], d.nSrc - 1u);
  let byte = src * d.rowBytes + j;
  X[i] = f32((IM[byte >> 2u] >> ((byte & 3u) * 8u)) & 255u) / 255.0;
  if (j == 0u) { Y[r] = LB[src]; }
}`);
}
