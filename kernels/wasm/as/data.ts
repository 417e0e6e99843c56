// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// The batch gather of the CPU reference (kernels/cpu/backend.ts gatherBatch): rows of a u8 dataset
// stored 4 bytes per u32 word (little-endian, so byte i of the dataset is byte i of memory).

/** x (B, rowBytes) = images row indices[min(start + r, n − 1)] / 255, y (B) its label. */
export function gatherBatch(B: i32, rowBytes: i32, start: i32, n: i32, indices: usize, images: usize, labels: usize, x: usize, y: usize): void {
  for (let r = 0; r < B; r++) {
    const src = load<u32>(indices + (<usize>min(start + r, n - 1) << 2));
    store<u32>(y + (<usize>r << 2), load<u32>(labels + (<usize>src << 2)));
    const row = images + <usize>src * <usize>rowBytes;
    const out = x + (<usize>(r * rowBytes) << 2);
    for (let j = 0; j < rowBytes; j++) store<f32>(out + (<usize>j << 2), <f32>(<f64>load<u8>(row + <usize>j) / 255));
  }
}
