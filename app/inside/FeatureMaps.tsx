// Feature maps of one test image (MNIST CNNs): the image, then for each of the first conv layers
// one small heatmap per channel of its output after the activation. Maps of a layer share one
// colour scale, so a channel that barely fires looks pale beside one that fires strongly.
import { extent, Heatmap } from './Heatmap.tsx';
import type { FeatureMaps, InsideData } from './types.ts';
import { useGreyCanvas } from '../ui/greyCanvas.ts';
import { layerName } from '../ui/layerName.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec } from '../store/selectors.ts';

function ImageTile({ image }: { image: NonNullable<InsideData['image']> }) {
  const ref = useGreyCanvas(image.pixels, 1);
  const name = `Test image ${image.index}${image.label === null ? '' : `: a ${image.label}`}`;
  return (
    <figure className="feature-image">
      <figcaption>{name}</figcaption>
      <canvas ref={ref} width={28} height={28} role="img" aria-label={name} data-testid="feature-image" data-index={image.index} data-label={image.label ?? ''} />
    </figure>
  );
}

function Layer({ f, k }: { f: FeatureMaps; k: number }) {
  const name = layerName(useApp(selectRunSpec), f.name);
  const hw = f.H * f.W;
  const m = extent(f.maps);
  // ReLU-like outputs are ≥ 0 (white → blue); others are signed (blue − / red +).
  const signed = f.maps.some((v) => v < 0);
  const cell = Math.max(2, Math.floor(70 / Math.max(f.H, f.W)));
  return (
    <div className="feature-layer" role="group" aria-label={`${name} feature maps`} data-testid={`features-${k}`} data-channels={f.C} data-total={f.total}>
      <p className="feature-layer-name">
        {name}: {f.H}×{f.W}, {f.total} channel{f.total === 1 ? '' : 's'}{f.total > f.C ? ` (first ${f.C} shown)` : ''}
      </p>
      <div className="heatmaps feature-maps">
        {Array.from({ length: f.C }, (_, c) => (
          <Heatmap key={c} label={`channel ${c + 1}`} data={f.maps.subarray(c * hw, (c + 1) * hw)} rows={f.H} cols={f.W}
            scale={signed ? 'diverging' : 'sequential'} max={m} cell={cell} testId={`fmap-${k}-${c}`} />
        ))}
      </div>
    </div>
  );
}

export function FeatureMapsView({ image, features }: { image: NonNullable<InsideData['image']>; features: FeatureMaps[] }) {
  return (
    <div className="inside-group" role="group" aria-label="Feature maps">
      <h4>Feature maps of one test image: each conv layer’s output channels after the activation, darkest = largest in the layer</h4>
      <div className="feature-row">
        <ImageTile image={image} />
        <div className="feature-layers">
          {features.map((f, k) => <Layer key={f.name} f={f} k={k} />)}
        </div>
      </div>
    </div>
  );
}
