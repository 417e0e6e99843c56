// The network drawn from the spec: a box per layer (title, summary, output shape) top to bottom
// with arrows; a residual block's inner layers are inset, and a skip arc joins its input to the
// ⊕ that adds it back. Inner layers show no shape (inference reports top-level layers only).
import { useApp } from '../store/index.ts';
import { selectShapes, selectSpec, selectValidation } from '../store/selectors.ts';
import { type LayerSpec, datasetInfo, layerDef } from '../engine.ts';
import { fmtShape } from '../ui/format.ts';
import { layerSummary, layerTitle } from './layerText.ts';
import { UnitPictures } from '../viz/UnitPictures.tsx';

const W = 320, BOX = 36, GAP = 16, INSET = 8, STEP_IN = 22, ADD_R = 9;

type Node =
  | { kind: 'box'; depth: number; title: string; sub: string; shape: string; y: number; bad: boolean }
  | { kind: 'add'; depth: number; shape: string; y: number; from: number };

function layout(layers: LayerSpec[], shapes: (number[] | undefined)[], bad: Set<number>, inShape: string) {
  const nodes: Node[] = [{ kind: 'box', depth: 0, title: 'Input', sub: '', shape: inShape, y: 0, bad: false }];
  let y = BOX + GAP;
  const walk = (ls: LayerSpec[], depth: number, top: number | null) => {
    ls.forEach((l, i) => {
      const idx = top ?? i;
      const shape = depth === 0 && shapes[i] && !shapes[i]!.includes(0) ? fmtShape(shapes[i]!) : '';
      const inner = layerDef(l.kind).inner?.(l);
      if (inner) {
        const from = y - GAP / 2; // where the skip leaves the main line
        walk(inner, depth + 1, idx);
        nodes.push({ kind: 'add', depth, shape, y, from });
        y += 2 * ADD_R + GAP;
      } else {
        nodes.push({ kind: 'box', depth, title: `${top === null ? `${i + 1}. ` : ''}${layerTitle(l)}`, sub: layerSummary(l), shape, y, bad: bad.has(idx) });
        y += BOX + GAP;
      }
    });
  };
  walk(layers, 0, null);
  return { nodes, height: y - GAP + 2 };
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function Diagram() {
  const spec = useApp(selectSpec);
  const shapes = useApp(selectShapes);
  const validation = useApp(selectValidation);
  let inShape = '?';
  try {
    inShape = fmtShape(datasetInfo(spec).inputShape);
  } catch {
    // an out-of-range task: validation names it
  }
  const bad = new Set(validation.errors.flatMap((e) => (e.layer !== undefined ? [e.layer] : [])));
  const { nodes, height } = layout(spec.layers, spec.layers.map((_, i) => shapes?.layers[i]?.outShape), bad, inShape);
  const cx = W / 2;
  const described = nodes.map((n) => (n.kind === 'add' ? `add the residual input${n.shape ? `, ${n.shape}` : ''}` : `${n.title}${n.shape ? ` ${n.shape}` : ''}`)).join(' → ');
  return (
    <>
    {/* A playground model's units, each as its own live picture, above the layer boxes. */}
    <UnitPictures spec={spec} />
    <svg className="diagram" viewBox={`0 0 ${W} ${height}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={`Network diagram: ${described}`} data-testid="diagram">
      <defs>
        <marker id="diagram-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L8,4 L0,8 z" fill="#5b6673" />
        </marker>
      </defs>
      {nodes.slice(1).map((n, k) => {
        const prev = nodes[k];
        const y0 = prev.kind === 'add' ? prev.y + 2 * ADD_R : prev.y + BOX;
        return <line key={`a${k}`} x1={cx} y1={y0} x2={cx} y2={n.y - 1} stroke="#5b6673" markerEnd="url(#diagram-arrow)" />;
      })}
      {nodes.map((n, k) => {
        const inset = INSET + n.depth * STEP_IN;
        if (n.kind === 'add') {
          const xs = inset + 8; // the skip arc runs left of the inner boxes
          return (
            <g key={k} data-kind="add">
              <path d={`M${cx},${n.from} H${xs} V${n.y + ADD_R} H${cx - ADD_R - 1}`} fill="none" stroke="#7c3aed" strokeDasharray="4 3" markerEnd="url(#diagram-arrow)" />
              <circle cx={cx} cy={n.y + ADD_R} r={ADD_R} fill="#fff" stroke="#7c3aed" />
              <text x={cx} y={n.y + ADD_R + 4} textAnchor="middle" fontSize="13" fill="#7c3aed">+</text>
              {n.shape ? <text x={W - inset} y={n.y + ADD_R + 4} textAnchor="end" fontSize="11" fill="#5b6673">{n.shape}</text> : null}
            </g>
          );
        }
        return (
          <g key={k} data-kind="box">
            <rect x={inset} y={n.y} width={W - 2 * inset} height={BOX} rx="6" fill={n.bad ? '#fdecea' : k === 0 ? '#f6f7f9' : '#eef4ff'} stroke={n.bad ? '#b42318' : '#9aa4b1'} />
            <text x={inset + 8} y={n.y + 15} fontSize="12" fontWeight="600" fill="#1f2933">{n.title}</text>
            {n.sub ? <text x={inset + 8} y={n.y + 29} fontSize="10" fill="#5b6673">{short(n.sub, Math.floor((W - 2 * inset - 70) / 5.2))}</text> : null}
            {n.shape ? <text x={W - inset - 8} y={n.y + 15} textAnchor="end" fontSize="11" fill="#1f2933">{n.shape}</text> : null}
          </g>
        );
      })}
    </svg>
    </>
  );
}
