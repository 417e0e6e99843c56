// Op cases of the element-wise ops: every unary and binary op (with broadcast), fill and addInto.
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from '../../backend.ts';
import { inp, mk, NORMAL, out, POSITIVE, state, TOL_EW, TOL_EXACT, TOL_SUM, TOL_TRANS, type Gen, type OpCase } from '../../testing/case-kit.ts';

// ---- element-wise ----
const UNARY_GEN: Partial<Record<UnaryOp, Gen>> = {
  log: POSITIVE, sqrt: POSITIVE, tanh: { kind: 'normal', scale: 2 }, sigmoid: { kind: 'normal', scale: 3 },
  gelu: { kind: 'normal', scale: 2 },
};
const TRANSCENDENTAL = new Set<UnaryOp>(['gelu', 'tanh', 'sigmoid', 'exp', 'log']);

function unaryCase(op: UnaryOp, shape: number[], o: { alpha?: number; view?: boolean } = {}): OpCase {
  const alpha = o.alpha;
  return mk({
    name: `unary ${op} ${shape.join('x')}` + (alpha !== undefined ? ` alpha=${alpha}` : '') + (o.view ? ' view' : ''),
    ops: ['unary', 'unaryBackward'],
    tensors: [
      inp('x', shape, UNARY_GEN[op] ?? NORMAL, { view: o.view }),
      out('y', shape, { view: o.view }),
      inp('dy', shape),
      out('dx', shape, { view: o.view }),
    ],
    gpuTol: TRANSCENDENTAL.has(op) ? TOL_TRANS : TOL_EW,
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['x', 'dx']] },
    record: (be, t) => ({
      forward: [be.unary(op, t.y, t.x, alpha)],
      backward: [be.unaryBackward(op, t.dx, t.dy, t.x, t.y, alpha)],
    }),
  });
}

export const UNARY_CASES: OpCase[] = [
  ...UNARY_OPS.map((op) => unaryCase(op, [7, 33])),
  unaryCase('leaky_relu', [7, 33], { alpha: 0.2 }),
  unaryCase('relu', [300, 7], { view: true }),
];

function binaryCase(op: BinaryOp, aShape: number[], bShape: number[], o: { view?: boolean; hw?: boolean } = {}): OpCase {
  return mk({
    name: `binary ${op} ${aShape.join('x')} ∘ ${bShape.join('x')}` + (o.view ? ' view' : '') + (o.hw ? ' hardware' : ''),
    gpuPaths: o.hw ? 'hardware' : undefined,
    ops: ['binary', 'binaryBackward'],
    tensors: [
      inp('a', aShape, NORMAL, { view: o.view }),
      inp('b', bShape, op === 'div' ? POSITIVE : NORMAL, { view: o.view }),
      out('y', aShape),
      inp('dy', aShape),
      out('da', aShape, { view: o.view }),
      out('db', bShape, { view: o.view }),
    ],
    // db of a broadcast b sums 9 rows (up to 300 for the scalar) in f32.
    gpuTol: TOL_EW,
    gpuTolFor: { db: TOL_SUM },
    grad: { kind: 'dot', y: 'y', dy: 'dy', wrt: [['a', 'da'], ['b', 'db']] },
    record: (be, t) => ({
      forward: [be.binary(op, t.y, t.a, t.b)],
      backward: be.binaryBackward(op, t.da, t.db, t.dy, t.a, t.b),
    }),
  });
}

export const BINARY_CASES: OpCase[] = [
  ...BINARY_OPS.map((op) => binaryCase(op, [9, 33], [9, 33])),
  ...BINARY_OPS.map((op) => binaryCase(op, [9, 33], [33])), // row vector broadcast over rows
  binaryCase('mul', [30, 10], [1], { view: true }), // scalar broadcast
  // Hardware GPUs sum an add's broadcast db with sumRows: one chunk, several, a scalar b.
  binaryCase('add', [70, 33], [33], { hw: true, view: true }),
  binaryCase('add', [1200, 5], [5], { hw: true }),
  binaryCase('add', [300, 1], [1], { hw: true }),
  // Only da, or only db, requested.
  mk({
    name: 'binary sub da only / div db only',
    ops: ['binary', 'binaryBackward'],
    tensors: [inp('a', [5, 6]), inp('b', [6], POSITIVE), out('y', [5, 6]), out('y2', [5, 6]), inp('dy', [5, 6]), out('da', [5, 6]), out('db', [6])],
    gpuTol: TOL_EW,
    record: (be, t) => ({
      forward: [be.binary('sub', t.y, t.a, t.b), be.binary('div', t.y2, t.a, t.b)],
      backward: [...be.binaryBackward('sub', t.da, null, t.dy, t.a, t.b), ...be.binaryBackward('div', null, t.db, t.dy, t.a, t.b)],
    }),
  }),
];

export const MISC_CASES: OpCase[] = [
  mk({
    name: 'fill 1000 view',
    ops: ['fill'],
    tensors: [out('t', [1000], { view: true }), out('u', [7])],
    gpuTol: TOL_EXACT,
    record: (be, t) => ({ forward: [be.fill(t.t, 0.25), be.fill(t.u, -3.5)], backward: [] }),
    check: (v) => [...v.t].some((x) => x !== 0.25) || [...v.u].some((x) => x !== -3.5) ? ['fill left other values'] : [],
  }),
  mk({
    name: 'addInto 1000',
    ops: ['addInto'],
    tensors: [state('dst', [1000], NORMAL, { view: true }), inp('src', [1000])],
    gpuTol: TOL_EW,
    record: (be, t) => ({ forward: [be.addInto(t.dst, t.src)], backward: [] }),
  }),
];
