// First-layer weights as a grid of small images: a Dense unit's 784 input weights as 28×28, or a
// conv/patch filter as KH×KW; each tile scaled by its own largest magnitude (blue −, red +).
import { useEffect, useRef } from 'react';
import type { WeightTiles as Tiles } from './types.ts';
import { extent, paint } from './Heatmap.tsx';
import { layerName } from '../ui/layerName.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec } from '../store/selectors.ts';

const GAP = 2;

export function WeightTiles({ tiles }: { tiles: Tiles }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const spec = useApp(selectRunSpec);
  const cell = Math.max(1, Math.floor((tiles.kind === 'units' ? 56 : 40) / Math.max(tiles.h, tiles.w)));
  const cols = Math.min(tiles.n, 8);
  const rows = Math.ceil(tiles.n / cols);
  const tw = tiles.w * cell + GAP, th = tiles.h * cell + GAP;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols * tw, rows * th);
    const size = tiles.h * tiles.w;
    for (let t = 0; t < tiles.n; t++) {
      const m = extent(tiles.data, t * size, (t + 1) * size);
      paint(img, tiles.data, t * size, tiles.h, tiles.w, (t % cols) * tw, Math.floor(t / cols) * th, cell, m, 'diverging');
    }
    ctx.putImageData(img, 0, 0);
  }, [tiles, cell, cols, rows, tw, th]);
  const what = tiles.kind === 'units' ? `unit${tiles.n > 1 ? 's' : ''}` : tiles.kind === 'filters' ? 'filters' : 'patch filters';
  const label = `First-layer weights (${layerName(spec, tiles.layer.replace(/\.[^.]+$/, ''))}): ${tiles.n} of ${tiles.total} ${what}, ${tiles.h}×${tiles.w} each`;
  return (
    <figure className="weight-tiles">
      <figcaption>{label}</figcaption>
      <canvas ref={ref} width={cols * tw} height={rows * th} role="img" aria-label={label} data-testid="weight-tiles" />
    </figure>
  );
}
