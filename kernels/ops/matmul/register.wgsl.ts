// Register-tiled matmul without workgroup memory, for CPU-backed adapters (SwiftShader): each
// thread computes a ROWS × 8 block of C = act(op(A)·op(B) + bias) from vec4 loads straight out of
// the storage buffers, K advancing 4 at a time, every loop unrolled so the accumulators stay in
// registers. On a CPU the operands already sit in its caches, and the tiled kernel's staging and
// two barriers per K-slice (a fiber switch per invocation on SwiftShader) cost more than they save:
// measured 2–4× faster at 512³, 128×1024×784 and 128×784×1024. A real GPU keeps the tiled kernel.
//
// Eligible when every load can be a vec4: K % 4 == 0, the stored rows of Aᵀ (mA) a multiple of 4
// when transA, N % 4 == 0 without transB. Rows and columns past the edge are loaded clamped (never
// out of bounds) and not stored. Same bindings, uniforms, epilogues (bias, act, gradAct,
// accumulate) and implicit ones row as matmulWgsl, so the backend swaps one for the other.
import { ACT, GRAD_ACT, matmulBindings, matmulHead, type MatmulFlags } from './tiled.wgsl.ts';
import { shader, type Shader } from '../bindings.ts';

export interface RegisterVariant extends MatmulFlags {
  rows: 4 | 8; // rows of C per thread
}

/** Threads per workgroup side; each thread owns rows × REG_COLS of C. */
export const REG_WG = 8;
export const REG_COLS = 8;

export function matmulRegisterEligible(M: number, N: number, K: number, transA: boolean, transB: boolean, onesRow: boolean): boolean {
  const mA = onesRow ? M - 1 : M;
  return K % 4 === 0 && K > 0 && mA >= 4 && (!transA || mA % 4 === 0) && (transB || N % 4 === 0);
}

const C4 = ['x', 'y', 'z', 'w'];

export function matmulRegisterWgsl(o: RegisterVariant): Shader {
  const RM = o.rows, CN = REG_COLS / 4;
  const I = [...Array(RM).keys()], J = [...Array(CN).keys()], Q = [0, 1, 2, 3], KK = [0, 1, 2, 3];
  const G = [...Array(RM / 4).keys()]; // groups of 4 rows (transA loads)
  const pre: string[] = [], body: string[] = [];
  // A: a{i} (vec4 over kk) without transA; v{g}_{kk} (vec4 over 4 rows) with it.
  if (!o.transA) {
    for (const i of I) pre.push(`let ar${i} = aBase + min(r0 + ${i}u, mA - 1u) * d.K;`);
    for (const i of I) {
      const load = `A[(ar${i} + k) / 4u]`;
      body.push(o.onesRow ? `let a${i} = select(${load}, vec4<f32>(1.0), r0 + ${i}u == mA);` : `let a${i} = ${load};`);
    }
  } else {
    for (const g of G) {
      pre.push(`let ag${g} = aBase + min(r0 + ${4 * g}u, mA - 4u);`);
      // Past the stored rows: zeros, or the ones row (its first lane) right after them.
      pre.push(`let aout${g} = r0 + ${4 * g}u >= mA;`);
      pre.push(`let afill${g} = ${o.onesRow ? `select(vec4<f32>(0.0), vec4<f32>(1.0, 0.0, 0.0, 0.0), r0 + ${4 * g}u == mA)` : 'vec4<f32>(0.0)'};`);
      for (const kk of KK) body.push(`let v${g}_${kk} = select(A[(ag${g} + (k + ${kk}u) * mA) / 4u], afill${g}, aout${g});`);
    }
  }
  const aAt = (i: number, kk: number) => (o.transA ? `v${i >> 2}_${kk}.${C4[i & 3]}` : `a${i}.${C4[kk]}`);
  // B: b{kk}_{j} (vec4 over 4 columns).
  if (!o.transB) {
    for (const j of J) pre.push(`let bc${j} = bBase + min(c0 + ${4 * j}u, d.N - 4u);`);
    for (const kk of KK) for (const j of J) body.push(`let b${kk}_${j} = B[(bc${j} + (k + ${kk}u) * d.N) / 4u];`);
  } else {
    for (const j of J) for (const q of Q) pre.push(`let bn${j}_${q} = bBase + min(c0 + ${4 * j + q}u, d.N - 1u) * d.K;`);
    for (const j of J) for (const q of Q) body.push(`let w${j}_${q} = B[(bn${j}_${q} + k) / 4u];`);
    for (const kk of KK) for (const j of J) body.push(`let b${kk}_${j} = vec4<f32>(${Q.map((q) => `w${j}_${q}.${C4[kk]}`).join(', ')});`);
  }
  for (const kk of KK) for (const j of J) for (const i of I) body.push(`acc${i}_${j} += ${aAt(i, kk)} * b${kk}_${j};`);
  const epi: string[] = [];
  for (const i of I) for (const j of J) for (const q of Q) {
    epi.push(`if (r0 + ${i}u < d.M && c0 + ${4 * j + q}u < d.N) {
    let c = c0 + ${4 * j + q}u;
    var v = acc${i}_${j}.${C4[q]}${o.bias ? ' + bias[c]' : ''};
    v = ${ACT[o.act]};
    let ci = cBase + (r0 + ${i}u) * d.N + c;${o.gradAct !== 'none' ? `
    let y = Y[ci];
    v = ${GRAD_ACT[o.gradAct]};` : ''}
    ${o.accumulate ? 'C[ci] = C[ci] + v;' : 'C[ci] = v;'}
  }`);
  }
  return shader(matmulBindings(o, true, true), /* wgsl */ `
${matmulHead()}

@compute @workgroup_size(${REG_WG}, ${REG_WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let z = gid.z;
  let mA = d.M${o.onesRow ? ' - 1u' : ''};
  let aBase = z * mA * d.K;
  let bBase = z * d.K * d.N;
  let cBase = z * d.M * d.N;
  let r0 = gid.y * ${RM}u;
  let c0 = gid.x * ${REG_COLS}u;
  if (r0 >= d.M || c0 >= d.N) { return; }
  ${pre.join('\n  ')}
  ${I.flatMap((i) => J.map((j) => `var acc${i}_${j} = vec4<f32>(0.0);`)).join(' ')}
  for (var k = 0u; k < d.K; k += 4u) {
    ${body.join('\n    ')}
  }
  ${epi.join('\n  ')}
}`);
}
