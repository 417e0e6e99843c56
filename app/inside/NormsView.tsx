// Weight and gradient L2 norms per layer (a transformer block's parts apart: "Layer 3 · Transformer, block 1"), as
// two bar columns scaled to the largest of each (read from the worker at most once a second while
// training). A group's norm is the L2 norm over all its tensors: √Σ‖t‖².
import type { ParamNorm } from './types.ts';
import { requestNorms } from '../training/looks.ts';
import { fmtNum } from '../ui/format.ts';
import { layerName } from '../ui/layerName.ts';
import { useApp } from '../store/index.ts';
import { selectRunSpec } from '../store/selectors.ts';
import { useLive } from './useLive.ts';

const MAX_ROWS = 40;

export function NormsView() {
  const { data, error } = useLive<ParamNorm[]>(true, 1000, requestNorms);
  const spec = useApp(selectRunSpec);
  if (!data) return error ? <p className="field-error">Could not read the parameters: {error}</p> : null;
  const rows = byLayer(data).slice(0, MAX_ROWS);
  const wMax = Math.max(...rows.map((r) => r.weight), 1e-12), gMax = Math.max(...rows.map((r) => r.grad), 1e-12);
  return (
    <figure className="norms" data-testid="norms">
      <figcaption>Weight and gradient norms (L2) per layer{rows.length === MAX_ROWS ? `, the first ${MAX_ROWS}` : ''}</figcaption>
      <table className="norms-table">
        <thead><tr><th scope="col">Layer</th><th scope="col">‖W‖</th><th scope="col">‖∇W‖ (last step)</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-weight={r.weight} data-grad={r.grad} data-layer={Number(r.name.split('.')[0]) + 1 || ''}>
              <th scope="row">{layerName(spec, r.name)} <span className="hint">({r.size.toLocaleString('en-US')} parameter{r.size === 1 ? '' : 's'})</span></th>
              <td><Bar v={r.weight} max={wMax} cls="w" /></td>
              <td><Bar v={r.grad} max={gMax} cls="g" /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** "layers.2.b0.attn.W_qkv" → group "2.b0.attn"; "layers.1.W" → "1". */
function byLayer(ps: ParamNorm[]): ParamNorm[] {
  const groups = new Map<string, ParamNorm>();
  for (const p of ps) {
    const key = p.name.replace(/^layers\./, '').split('.').slice(0, -1).join('.') || p.name;
    const g = groups.get(key) ?? { name: key, size: 0, weight: 0, grad: 0 };
    groups.set(key, { name: key, size: g.size + p.size, weight: Math.hypot(g.weight, p.weight), grad: Math.hypot(g.grad, p.grad) });
  }
  return [...groups.values()];
}

function Bar({ v, max, cls }: { v: number; max: number; cls: string }) {
  return (
    <span className="norm-cell">
      <span className={`norm-bar ${cls}`} aria-hidden="true"><span style={{ width: `${Math.min(100, (v / max) * 100).toFixed(1)}%` }} /></span>
      <span className="norm-value">{fmtNum(v, 3)}</span>
    </span>
  );
}
