// @ts-nocheck: AssemblyScript, compiled by scripts/build-wasm.mjs.
// Convolution (NHWC, filters (KH, KW, C, F)) as GEMMs over patch rows: im2col writes the patch
// matrix col (N·OH·OW, KH·KW·C), whose column order matches the filter rows; col2im adds a patch
// gradient back into the input gradient. The GEMMs themselves are gemm.ts's. g: 15 i32 at g
// (N, H, W, C, KH, KW, F, OH, OW, sh, sw, ph, pw, dh, dw), as backend.ts Conv2dGeom.

function gi(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}

export function im2col(g: usize, x: usize, col: usize): void {
  const N = gi(g, 0), H = gi(g, 1), W = gi(g, 2), C = gi(g, 3), KH = gi(g, 4), KW = gi(g, 5);
  const OH = gi(g, 7), OW = gi(g, 8), sh = gi(g, 9), sw = gi(g, 10), ph = gi(g, 11), pw = gi(g, 12), dh = gi(g, 13), dw = gi(g, 14);
  const rowBytes = <usize>C << 2;
  let d = col;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh * dh;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw * dw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) memory.copy(d, x + (<usize>(((n * H + ih) * W + iw) * C) << 2), rowBytes);
            else memory.fill(d, 0, rowBytes);
            d += rowBytes;
          }
        }
}

/** dx += the patch gradients dcol (N·OH·OW, KH·KW·C), each added where its input pixel is. */
export function col2im(g: usize, dcol: usize, dx: usize): void {
  const N = gi(g, 0), H = gi(g, 1), W = gi(g, 2), C = gi(g, 3), KH = gi(g, 4), KW = gi(g, 5);
  const OH = gi(g, 7), OW = gi(g, 8), sh = gi(g, 9), sw = gi(g, 10), ph = gi(g, 11), pw = gi(g, 12), dh = gi(g, 13), dw = gi(g, 14);
  let s = dcol;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh * dh;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw * dw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
              const p = dx + (<usize>(((n * H + ih) * W + iw) * C) << 2);
              let c = 0;
              for (; c + 4 <= C; c += 4) {
                const o = <usize>c << 2;
                v128.store(p + o, f32x4.add(v128.load(p + o), v128.load(s + o)));
              }
              for (; c < C; c++) store<f32>(p + (<usize>c << 2), load<f32>(p + (<usize>c << 2)) + load<f32>(s + (<usize>c << 2)));
            }
            s += <usize>C << 2;
          }
        }
}

/**
 * Max (op 0) or average (op 1) pooling, out (N, OH, OW, C); max writes the flat input index it
 * chose into argmax (u32, 0 = absent), the first maximal one, as the reference does.
 */
export function pool2d(g: usize, op: i32, x: usize, out: usize, argmax: usize): void {
  const N = gi(g, 0), H = gi(g, 1), W = gi(g, 2), C = gi(g, 3), KH = gi(g, 4), KW = gi(g, 5);
  const OH = gi(g, 7), OW = gi(g, 8), sh = gi(g, 9), sw = gi(g, 10), ph = gi(g, 11), pw = gi(g, 12), dh = gi(g, 13), dw = gi(g, 14);
  const inv = <f32>1 / <f32>(KH * KW);
  let oi = 0;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          let best: f32 = -Infinity, sum: f32 = 0;
          let arg = 0;
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * sh - ph + kh * dh;
            if (ih < 0 || ih >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const iw = ow * sw - pw + kw * dw;
              if (iw < 0 || iw >= W) continue;
              const xi = ((n * H + ih) * W + iw) * C + c;
              const v = load<f32>(x + (<usize>xi << 2));
              sum += v;
              if (v > best) { best = v; arg = xi; }
            }
          }
          store<f32>(out + (<usize>oi << 2), op == 0 ? best : sum * inv);
          if (argmax) store<u32>(argmax + (<usize>oi << 2), arg);
          oi++;
        }
}

/** dx = Σ of the window outputs that chose (max, through argmax) or cover (avg) each input element. */
export function pool2dBackward(g: usize, op: i32, dy: usize, argmax: usize, dx: usize): void {
  const N = gi(g, 0), H = gi(g, 1), W = gi(g, 2), C = gi(g, 3), KH = gi(g, 4), KW = gi(g, 5);
  const OH = gi(g, 7), OW = gi(g, 8), sh = gi(g, 9), sw = gi(g, 10), ph = gi(g, 11), pw = gi(g, 12), dh = gi(g, 13), dw = gi(g, 14);
  memory.fill(dx, 0, <usize>(N * H * W * C) << 2);
  const inv = <f32>1 / <f32>(KH * KW);
  let oi = 0;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          const gv = load<f32>(dy + (<usize>oi << 2));
          if (op == 0) {
            const p = dx + (<usize>load<u32>(argmax + (<usize>oi << 2)) << 2);
            store<f32>(p, load<f32>(p) + gv);
          } else
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw - pw + kw * dw;
                if (iw < 0 || iw >= W) continue;
                const p = dx + (<usize>(((n * H + ih) * W + iw) * C + c) << 2);
                store<f32>(p, load<f32>(p) + gv * inv);
              }
            }
          oi++;
        }
}
