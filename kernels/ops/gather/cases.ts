// Op cases of the MNIST batch gather from packed u8 rows.
import { inp, mk, out, TOL_EXACT, type OpCase } from '../../testing/case-kit.ts';

function gatherCase(nImages: number, rowBytes: number, B: number, nIdx: number, batchStart: number): OpCase {
  const words = Math.ceil((nImages * rowBytes) / 4);
  return mk({
    name: `gatherBatch ${B} of ${nImages} rowBytes=${rowBytes} batchStart=${batchStart}/${nIdx}`,
    ops: ['gatherBatch'],
    tensors: [
      inp('images', [words], { kind: 'words' }, { dtype: 'u32' }),
      inp('labels', [nImages], { kind: 'int', n: 10 }, { dtype: 'u32' }),
      inp('indices', [nIdx], { kind: 'int', n: nImages }, { dtype: 'u32' }),
      out('x', [B, rowBytes]),
      out('y', [B], { dtype: 'u32' }),
    ],
    params: { batchStart },
    // byte/255: WGSL's f32 division may be 2.5 ulp off (ulp ≤ 6e-8 for values ≤ 1).
    gpuTol: { abs: 2e-7, rel: 0, scale: 'elem' },
    gpuTolFor: { y: TOL_EXACT },
    record: (be, t) => ({ forward: [be.gatherBatch(t.x, t.y, t.images, t.labels, t.indices, rowBytes)], backward: [] }),
    // Independent unpacking of the bytes (little-endian words), with the clamp at the end.
    check(v) {
      const errs: string[] = [];
      const im = v.images as Uint32Array, idx = v.indices as Uint32Array;
      for (let r = 0; r < B; r++) {
        const src = idx[Math.min(batchStart + r, nIdx - 1)];
        if (v.y[r] !== v.labels[src]) errs.push(`y[${r}] = ${v.y[r]}, want label ${v.labels[src]} of image ${src}`);
        for (let j = 0; j < rowBytes; j++) {
          const byte = src * rowBytes + j;
          const want = ((im[Math.floor(byte / 4)] >>> (8 * (byte % 4))) & 0xff) / 255;
          const got = v.x[r * rowBytes + j];
          if (Math.abs(got - want) > 2e-7) {
            errs.push(`x[${r}, ${j}] = ${got}, want ${want} (image ${src}, byte ${byte})`);
            break;
          }
        }
      }
      return errs;
    },
  });
}

export const GATHER_CASES: OpCase[] = [gatherCase(10, 784, 4, 12, 10), gatherCase(9, 5, 6, 7, 3)];
