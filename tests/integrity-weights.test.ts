// Issue 19, property test: weights files mutated by the thousand (truncate, extend, flip bytes, lie
// in the header length or offsets, reshape, drop, duplicate, rename, NaN, ±Inf, negative
// variances, a bad step) against a live CPU session. Each case ends one of two ways: refused with
// a named reason and every byte of the state (parameters, Adam m and v, BatchNorm statistics,
// step) unchanged, or accepted and equal to what a plain, trusting reference decoder reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../kernels/io/safetensors.ts';
import { presetSpec } from '../kernels/model/presets.ts';
import { createSession } from '../kernels/train/session.ts';
import { mnistNode } from './lib/mnist-node.ts';

const data = mnistNode(256, 64);
const RUNS = Number(process.env.INTEGRITY_RUNS ?? 2000);

const spec = () => {
  const s = presetSpec('mlp-mnist-small');
  s.layers = [{ kind: 'flatten' }, { kind: 'dense', units: 6, activation: 'relu' }, { kind: 'batchnorm' }, { kind: 'dense', units: 10 }];
  s.train = { ...s.train, batchSize: 16, optimizer: { kind: 'adam' } };
  return s;
};

/** The reference: read the header and the spans, trusting all of it (only ever given files the engine accepted). */
function reference(bytes: Uint8Array): { tensors: Map<string, Float32Array>; meta: Record<string, string> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { data_offsets: [number, number] }>;
  const tensors = new Map<string, Float32Array>();
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const [b, e] = v.data_offsets;
    tensors.set(k, new Float32Array(bytes.slice(8 + n + b, 8 + n + e).buffer));
  }
  return { tensors, meta: (header.__metadata__ ?? {}) as unknown as Record<string, string> };
}

type Mut = (f: Uint8Array) => Uint8Array;
const viaTensors = (g: (t: NamedTensor[], m: Record<string, string>) => NamedTensor[]): Mut => (f) => {
  const d = decodeSafetensors(f);
  return encodeSafetensors(g(d.tensors.map((t) => ({ ...t, data: t.data.slice() })), d.metadata), d.metadata);
};
const headerLen = (f: Uint8Array) => Number(new DataView(f.buffer, f.byteOffset).getBigUint64(0, true));
/** Rewrites the header JSON in place of the old one (offsets as given: the data is not moved). */
const viaHeader = (g: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void, pad = 0): Mut => (f) => {
  const n = headerLen(f);
  const h = JSON.parse(new TextDecoder().decode(f.subarray(8, 8 + n)));
  g(h);
  const j = new TextEncoder().encode(JSON.stringify(h) + ' '.repeat(pad));
  const out = new Uint8Array(8 + j.length + f.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
  out.set(j, 8);
  out.set(f.subarray(8 + n), 8 + j.length);
  return out;
};

const mutation = (names: string[]): fc.Arbitrary<[string, Mut]> => {
  const name = fc.constantFrom(...names);
  const value = fc.oneof(fc.constant(NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.double({ min: -10, max: -1e-6, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }));
  return fc.oneof(
    fc.nat().map((k): [string, Mut] => ['truncate', (f) => f.subarray(0, k % f.length)]),
    fc.uint8Array({ minLength: 1, maxLength: 12 }).map((x): [string, Mut] => ['extend', (f) => Uint8Array.from([...f, ...x])]),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((fl): [string, Mut] => ['flip bytes', (f) => {
      const g = f.slice();
      for (const [i, x] of fl) g[i % g.length] ^= x;
      return g;
    }]),
    fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: -16, max: 16 }).map((d) => BigInt(d))).map((v): [string, Mut] => ['lie in the header length', (f) => {
      const g = f.slice();
      const dv = new DataView(g.buffer);
      const cur = dv.getBigUint64(0, true);
      dv.setBigUint64(0, v < 64n && v > -64n ? BigInt.asUintN(64, cur + v) : v, true);
      return g;
    }]),
    fc.tuple(name, fc.integer({ min: -8, max: 8 })).map(([t, d]): [string, Mut] => ['lie in the offsets', viaHeader((h) => { h[t].data_offsets[d % 2 ? 0 : 1] += d; })]),
    fc.integer({ min: 1, max: 7 }).map((p): [string, Mut] => ['pad the header', viaHeader(() => {}, p)]),
    fc.tuple(name, fc.constantFrom('swap', 'grow', 'shrink', 'flatten')).map(([t, how]): [string, Mut] => ['reshape', viaTensors((ts) => ts.map((x) => {
      if (x.name !== t) return x;
      const s = x.shape;
      if (how === 'swap') return { ...x, shape: [...s].reverse() };
      if (how === 'flatten') return { ...x, shape: [x.data.length] };
      const k = how === 'grow' ? s[0] + 1 : Math.max(0, s[0] - 1);
      const m = s.slice(1).reduce((a, b) => a * b, 1);
      return { ...x, shape: [k, ...s.slice(1)], data: Float32Array.from({ length: k * m }, (_, i) => x.data[i % Math.max(1, x.data.length)] ?? 0) };
    }))]),
    name.map((t): [string, Mut] => ['drop', viaTensors((ts) => ts.filter((x) => x.name !== t))]),
    fc.constantFrom('optimizer.m.', 'optimizer.v.', 'optimizer.').map((p): [string, Mut] => ['drop a group', viaTensors((ts) => ts.filter((x) => !x.name.startsWith(p)))]),
    fc.tuple(name, fc.constantFrom('copy', 'x.')).map(([t, how]): [string, Mut] => ['duplicate', viaTensors((ts) => [...ts, { ...ts.find((x) => x.name === t)!, name: how === 'copy' ? `${t}.copy` : `x.${t}` }])]),
    fc.tuple(name, fc.nat(), value).map(([t, i, v]): [string, Mut] => ['set a value', viaTensors((ts) => ts.map((x) => (x.name === t && x.data.length ? { ...x, data: x.data.map((y, j) => (j === i % x.data.length ? v : y)) } : x)))]),
    fc.oneof(fc.constant(undefined), fc.constantFrom('abc', '-1', '1e3', '3.5', '', '7', '100000')).map((st): [string, Mut] => ['step', viaTensors((ts, m) => {
      if (st === undefined) delete m.step;
      else m.step = st;
      return ts;
    })]),
  );
};

test(`${RUNS} mutated weights files: refused by name with the state byte-identical, or equal to the reference decode`, { timeout: 120_000 }, async () => {
  const src = await createSession(spec(), { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 3; i++) await src.stepOnce();
  const file = await src.checkpoint();
  const dst = await createSession({ ...spec(), seed: 5 }, { backend: 'cpu', data, onEvent: () => {} });
  for (let i = 0; i < 2; i++) await dst.stepOnce();
  const home = await dst.checkpoint();
  const c = dst.c;
  const read = async () => [await dst.backend.read(c.paramsFlat), await dst.backend.read(c.state1), await dst.backend.read(c.state2), ...(await Promise.all(c.buffers.map((b) => dst.backend.read(b)))), Float32Array.of(dst.step)] as Float32Array[];
  const before = await read();
  const names = decodeSafetensors(file).tensors.map((t) => t.name);
  const tally = { refused: 0, accepted: 0, kinds: new Map<string, number>() };
  await fc.assert(fc.asyncProperty(mutation(names), async ([kind, mutate]) => {
    const bytes = mutate(file);
    tally.kinds.set(kind, (tally.kinds.get(kind) ?? 0) + 1);
    let info;
    try {
      info = dst.restore(bytes);
    } catch (e) {
      tally.refused++;
      assert.match((e as Error).message, /^(Not a usable weights file: .+\.|These weights do not fit the current model, so nothing was changed: .+|The optimizer state in this file is incomplete, so nothing was changed: .+|These weights hold values that cannot be right, so nothing was changed: .+)$/);
      assert.deepEqual(await read(), before, `${kind}: refused, but the state changed`);
      return;
    }
    tally.accepted++;
    const ref = reference(bytes);
    const flat = (prefix: string) => {
      const out = new Float32Array(c.paramsFlat.size);
      c.paramInfo.forEach((p, i) => out.set(ref.tensors.get(prefix + p.name)!, c.params[i].offset));
      return out;
    };
    const got = await read();
    assert.deepEqual(got[0], flat(''), `${kind}: parameters differ from the reference decode`);
    const hasOpt = [...ref.tensors.keys()].some((k) => k.startsWith('optimizer.'));
    assert.equal(info.hasOptimizer, hasOpt);
    assert.deepEqual(got[1], hasOpt ? flat('optimizer.m.') : new Float32Array(c.state1.size), `${kind}: m`);
    assert.deepEqual(got[2], hasOpt ? flat('optimizer.v.') : new Float32Array(c.state2.size), `${kind}: v`);
    assert.deepEqual(got[3], ref.tensors.get('layers.2.running_mean'), `${kind}: running mean`);
    assert.deepEqual(got[4], ref.tensors.get('layers.2.running_var'), `${kind}: running variance`);
    assert.equal(dst.step, hasOpt ? Math.min(Number(ref.meta.step), dst.totalSteps) : 0);
    dst.restore(home); // back to the state every case starts from
    assert.deepEqual(await read(), before);
  }), { numRuns: RUNS, seed: 19 });
  console.log(`weights: ${tally.refused} refused, ${tally.accepted} accepted; ${[...tally.kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  assert.ok(tally.refused > RUNS / 3 && tally.accepted > RUNS / 20, 'both endings exercised');
  for (const s of [src, dst]) await s.dispose();
});
