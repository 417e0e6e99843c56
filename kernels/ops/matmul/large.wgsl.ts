// Large-tile matmul for hardware GPUs: C = act(op(A)·op(B) + bias), the same bindings, uniforms,
// epilogues (bias, act, gradAct, accumulate) and implicit ones row as matmulWgsl, so the backend
// swaps one for the other.
//
// A workgroup of (bm/tm)·(bn/tn) threads owns a bm × bn tile of C; each thread owns tm × tn of it
// in registers (every loop over registers unrolled here, so nothing is indexed dynamically). K
// advances bk at a time through workgroup memory, staged as vec4 rows: As[k][m/4] (A transposed on
// the way in, so both operands are read as vec4 along the output's dims) and Bs[k][n/4].
// A thread's rows and columns are strided, vec4 group g of thread t at g·threads + t, so that
// neighbouring threads read neighbouring vec4s of workgroup memory (no bank conflicts) and
// neighbouring columns of C.
// With `double`, two staging buffers: the next K-slice is loaded from global memory into registers
// before the current one is multiplied, stored into the other buffer after, and one barrier per
// slice suffices (the single-buffer form needs two and exposes every load's latency).
//
// Eligible where every global load can be a vec4 (matmulRegisterEligible: K % 4 == 0, mA % 4 == 0
// with transA, N % 4 == 0 without transB). `aligned` (M, N multiples of the tile, K of bk, no
// ones row) drops every bounds check; otherwise loads past the edge read zeros and stores are
// skipped.
import { ACT, GRAD_ACT, matmulBindings, matmulHead, type MatmulFlags } from './tiled.wgsl.ts';
import { shader, type Shader } from '../bindings.ts';

/** Tile shape: C tile bm × bn, thread tile tm × tn, K-slice bk, one or two staging buffers. */
export interface LargeTile {
  bm: number;
  bn: number;
  bk: number;
  tm: number;
  tn: number;
  double: boolean;
}

export interface LargeVariant extends MatmulFlags {
  aligned: boolean;
  tile: LargeTile;
}

export const tileName = (t: LargeTile): string => `${t.bm}x${t.bn}x${t.bk}/${t.tm}x${t.tn}${t.double ? '/db' : ''}`;

/** Workgroup memory of a tile, in bytes. */
export const largeTileBytes = (t: LargeTile): number => (t.double ? 2 : 1) * (t.bm + t.bn) * t.bk * 4;

/** Why a tile shape cannot be generated under these limits, or null when it can. */
export function largeTileInvalid(t: LargeTile, limits: { invocations: number; workgroupBytes: number }): string | null {
  const threads = (t.bm / t.tm) * (t.bn / t.tn);
  if (t.tm % 4 || t.tn % 4 || t.bk % 4) return 'tm, tn and bk must be multiples of 4';
  if (t.bm % t.tm || t.bn % t.tn) return 'bm must be a multiple of tm, bn of tn';
  if (threads > limits.invocations) return `${threads} threads, over the limit of ${limits.invocations}`;
  const split = (v: number) => v % threads === 0 || threads % v === 0;
  if (!split((t.bm * t.bk) / 4) || !split((t.bn * t.bk) / 4)) return 'a slice must split evenly into vec4 loads per thread';
  if (largeTileBytes(t) > limits.workgroupBytes) return `${largeTileBytes(t)} bytes of workgroup memory, over ${limits.workgroupBytes}`;
  return null;
}

/** True when no bounds check is needed: whole tiles and whole K-slices, no ones row. */
export const largeAligned = (M: number, N: number, K: number, t: LargeTile, onesRow: boolean): boolean =>
  !onesRow && M % t.bm === 0 && N % t.bn === 0 && K % t.bk === 0;

const C4 = ['x', 'y', 'z', 'w'];
const range = (n: number): number[] => [...Array(n).keys()];

export function matmulLargeWgsl(o: LargeVariant): Shader {
  const { bm, bn, bk, tm, tn } = o.tile;
  const TX = bn / tn, TY = bm / tm, NT = TX * TY;
  const AV = bm / 4, BV = bn / 4; // vec4s per staged row of A and B
  const ASZ = bk * AV, BSZ = bk * BV; // vec4s per staging buffer
  // vec4 loads per thread per slice; where a slice has fewer vec4s than threads, the rest idle.
  const LA = Math.ceil(ASZ / NT), LB = Math.ceil(BSZ / NT);
  const guardA = (r: number, code: string) => ((r + 1) * NT > ASZ ? `if (lid + ${r * NT}u < ${ASZ}u) { ${code} }` : code);
  const guardB = (r: number, code: string) => ((r + 1) * NT > BSZ ? `if (lid + ${r * NT}u < ${BSZ}u) { ${code} }` : code);
  const chk = !o.aligned;
  const ones = (vec: string) => (o.onesRow ? ` else if (gk < d.K && gm == mA) { pa${vec} = ${o.transA ? 'vec4<f32>(1.0, 0.0, 0.0, 0.0)' : 'vec4<f32>(1.0)'}; }` : '');

  // Global → registers (pa{r}, pb{r}) for the slice starting at k0.
  const load: string[] = [];
  for (const r of range(LA)) {
    const e = `lid + ${r * NT}u`;
    const [mk, idx] = o.transA
      ? [`let lm = ((${e}) % ${AV}u) * 4u; let lk = (${e}) / ${AV}u;`, `(aBase + gk * mA + gm) / 4u`]
      : [`let lm = (${e}) / ${bk / 4}u; let lk = ((${e}) % ${bk / 4}u) * 4u;`, `(aBase + gm * d.K + gk) / 4u`];
    load.push(guardA(r, `{ ${mk} let gm = row0 + lm; let gk = k0 + lk;
      ${chk ? `pa${r} = vec4<f32>(0.0); if (gk < d.K && gm < mA) { pa${r} = A[${idx}]; }${ones(String(r))}` : `pa${r} = A[${idx}];`} }`));
  }
  for (const r of range(LB)) {
    const e = `lid + ${r * NT}u`;
    const [nk, idx] = o.transB
      ? [`let ln = (${e}) / ${bk / 4}u; let lk = ((${e}) % ${bk / 4}u) * 4u;`, `(bBase + gn * d.K + gk) / 4u`]
      : [`let ln = ((${e}) % ${BV}u) * 4u; let lk = (${e}) / ${BV}u;`, `(bBase + gk * d.N + gn) / 4u`];
    load.push(guardB(r, `{ ${nk} let gn = col0 + ln; let gk = k0 + lk;
      ${chk ? `pb${r} = vec4<f32>(0.0); if (gk < d.K && gn < d.N) { pb${r} = B[${idx}]; }` : `pb${r} = B[${idx}];`} }`));
  }
  // Registers → staging buffer `buf` (the same index arithmetic as the load, recomputed: cheaper
  // than holding it in registers across the multiply).
  const store = (buf: string): string[] => {
    const s: string[] = [];
    for (const r of range(LA)) {
      const e = `lid + ${r * NT}u`;
      s.push(guardA(r, o.transA
        ? `As[${buf} * ${ASZ}u + ${e}] = pa${r};`
        : `{ let m = (${e}) / ${bk / 4}u; let k = ((${e}) % ${bk / 4}u) * 4u; let at = ${buf} * ${ASZ}u + k * ${AV}u + m / 4u;
      ${range(4).map((j) => `As[at + ${j * AV}u][m % 4u] = pa${r}.${C4[j]};`).join(' ')} }`));
    }
    for (const r of range(LB)) {
      const e = `lid + ${r * NT}u`;
      s.push(guardB(r, o.transB
        ? `{ let n = (${e}) / ${bk / 4}u; let k = ((${e}) % ${bk / 4}u) * 4u; let at = ${buf} * ${BSZ}u + k * ${BV}u + n / 4u;
      ${range(4).map((j) => `Bs[at + ${j * BV}u][n % 4u] = pb${r}.${C4[j]};`).join(' ')} }`
        : `Bs[${buf} * ${BSZ}u + ${e}] = pb${r};`));
    }
    return s;
  };
  // Thread tile: rows (i·TY + ty)·4 + q for i < tm/4, q < 4; columns (j·TX + tx)·4 + e for j < tn/4.
  const I = range(tm / 4), J = range(tn / 4), Q = range(4);
  const mul = (buf: string): string => `for (var k = 0u; k < ${bk}u; k++) {
      let ab = ${buf} * ${ASZ}u + k * ${AV}u + ty;
      let bb = ${buf} * ${BSZ}u + k * ${BV}u + tx;
      ${I.map((i) => `let a${i} = As[ab + ${i * TY}u];`).join(' ')}
      ${J.map((j) => `let b${j} = Bs[bb + ${j * TX}u];`).join(' ')}
      ${I.flatMap((i) => Q.flatMap((q) => J.map((j) => `c${i}_${q}_${j} += a${i}.${C4[q]} * b${j};`))).join('\n      ')}
    }`;

  const epi: string[] = [];
  for (const i of I) for (const q of Q) {
    const row = `row0 + ${(i * TY) * 4 + q}u + ty * 4u`;
    epi.push(`{ let r = ${row};${chk ? ` if (r < d.M) {` : ''}`);
    for (const j of J) for (const e of Q) {
      const col = `col0 + ${(j * TX) * 4 + e}u + tx * 4u`;
      epi.push(`  { let c = ${col};${chk ? ` if (c < d.N) {` : ''}
    var v = c${i}_${q}_${j}.${C4[e]}${o.bias ? ' + bias[c]' : ''};
    v = ${ACT[o.act]};
    let ci = cBase + r * d.N + c;${o.gradAct !== 'none' ? `
    let y = Y[ci];
    v = ${GRAD_ACT[o.gradAct]};` : ''}
    ${o.accumulate ? 'C[ci] = C[ci] + v;' : 'C[ci] = v;'}${chk ? ' }' : ''} }`);
    }
    epi.push(`${chk ? '} ' : ''}}`);
  }

  const loop = o.tile.double
    ? `{
    let k0 = 0u;
    ${load.join('\n    ')}
    ${store('0u').join('\n    ')}
  }
  workgroupBarrier();
  var cur = 0u;
  for (var k0 = ${bk}u; ; k0 += ${bk}u) {
    let more = k0 < d.K;
    if (more) {
      ${load.join('\n      ')}
    }
    ${mul('cur')}
    if (more) {
      ${store('(cur ^ 1u)').join('\n      ')}
    }
    workgroupBarrier();
    if (!more) { break; }
    cur = cur ^ 1u;
  }`
    : `for (var k0 = 0u; k0 < d.K; k0 += ${bk}u) {
    ${load.join('\n    ')}
    ${store('0u').join('\n    ')}
    workgroupBarrier();
    ${mul('0u')}
    workgroupBarrier();
  }`;

  return shader(matmulBindings(o, true, true), /* wgsl */ `
${matmulHead()}

// ${tileName(o.tile)}: staged slices [k][m/4] and [k][n/4]${o.tile.double ? ', two of each' : ''}.
var<workgroup> As: array<vec4<f32>, ${(o.tile.double ? 2 : 1) * ASZ}>;
var<workgroup> Bs: array<vec4<f32>, ${(o.tile.double ? 2 : 1) * BSZ}>;

@compute @workgroup_size(${NT})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let z = wg.z;
  let mA = d.M${o.onesRow ? ' - 1u' : ''};
  let aBase = z * mA * d.K;
  let bBase = z * d.K * d.N;
  let cBase = z * d.M * d.N;
  let row0 = wg.y * ${bm}u;
  let col0 = wg.x * ${bn}u;
  let tx = lid % ${TX}u;
  let ty = lid / ${TX}u;
  ${range(LA).map((r) => `var pa${r}: vec4<f32>;`).join(' ')}
  ${range(LB).map((r) => `var pb${r}: vec4<f32>;`).join(' ')}
  ${I.flatMap((i) => Q.flatMap((q) => J.map((j) => `var c${i}_${q}_${j} = vec4<f32>(0.0);`))).join(' ')}
  ${loop}
  ${epi.join('\n  ')}
}`);
}
