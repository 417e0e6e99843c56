// A matrix drawn on a canvas, one cell per value: diverging (blue − / white 0 / red +, scaled by the
// largest magnitude) or sequential (white 0 → dark blue at the largest value, e.g. probabilities).
import { useEffect, useRef } from 'react';

export type Scale = 'diverging' | 'sequential';

/** RGB of v given the scale's extent m (> 0). */
export function color(v: number, m: number, scale: Scale): [number, number, number] {
  if (!Number.isFinite(v)) return [255, 0, 255];
  if (scale === 'sequential') {
    const t = Math.max(0, Math.min(1, v / m));
    return [Math.round(255 - 225 * t), Math.round(255 - 190 * t), Math.round(255 - 80 * t)];
  }
  const t = Math.max(-1, Math.min(1, v / m));
  return t >= 0
    ? [255, Math.round(255 * (1 - t * 0.85)), Math.round(255 * (1 - t * 0.9))]
    : [Math.round(255 * (1 + t * 0.9)), Math.round(255 * (1 + t * 0.7)), 255];
}

export function extent(data: ArrayLike<number>, from = 0, to = data.length): number {
  let m = 0;
  for (let i = from; i < to; i++) if (Number.isFinite(data[i])) m = Math.max(m, Math.abs(data[i]));
  return m || 1;
}

/** Writes an (rows, cols) block of `data` (row-major from `offset`) into `img` at (x, y), cw×ch pixels per value. */
export function paint(img: ImageData, data: ArrayLike<number>, offset: number, rows: number, cols: number, x: number, y: number, cw: number, m: number, scale: Scale, ch = cw) {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const [R, G, B] = color(data[offset + r * cols + c], m, scale);
      for (let dy = 0; dy < ch; dy++)
        for (let dx = 0; dx < cw; dx++) {
          const p = ((y + r * ch + dy) * img.width + (x + c * cw + dx)) * 4;
          img.data[p] = R; img.data[p + 1] = G; img.data[p + 2] = B; img.data[p + 3] = 255;
        }
    }
}

export function Heatmap(p: {
  data: ArrayLike<number>; rows: number; cols: number; label: string; scale: Scale; cell?: number; max?: number; testId?: string;
  rowLabels?: string[]; colLabels?: string[];
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  // Cells up to 16 px wide and 12 px tall, shrinking to keep a map within about 240×240 px.
  const cw = p.cell ?? Math.max(2, Math.min(16, Math.floor(240 / p.cols)));
  const ch = p.cell ?? Math.max(2, Math.min(12, Math.floor(240 / p.rows)));
  useEffect(() => {
    const cv = ref.current;
    const ctx = cv?.getContext('2d');
    if (!cv || !ctx) return;
    const img = ctx.createImageData(p.cols * cw, p.rows * ch);
    paint(img, p.data, 0, p.rows, p.cols, 0, 0, cw, p.max ?? extent(p.data, 0, p.rows * p.cols), p.scale, ch);
    ctx.putImageData(img, 0, 0);
  }, [p.data, p.rows, p.cols, cw, ch, p.scale, p.max]);
  return (
    <figure className="heatmap">
      <figcaption>{p.label}</figcaption>
      <div className="heatmap-body">
        {p.rowLabels ? <div className="heat-rows" aria-hidden="true" style={{ lineHeight: `${ch}px`, fontSize: Math.min(ch, 11) }}>{p.rowLabels.map((l, i) => <div key={i}>{l}</div>)}</div> : null}
        <div>
          <canvas ref={ref} width={p.cols * cw} height={p.rows * ch} role="img" aria-label={p.label} data-testid={p.testId} />
          {p.colLabels ? (
            <div className="heat-cols" aria-hidden="true" style={{ width: p.cols * cw, fontSize: Math.min(cw, 11) }}>
              {p.colLabels.map((l, i) => <span key={i} style={{ width: cw }}>{l}</span>)}
            </div>
          ) : null}
        </div>
      </div>
    </figure>
  );
}
