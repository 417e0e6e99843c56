// Issue 19, property test: share links mutated by the thousand, in their JSON text (truncate,
// extend, flip characters, nest up to 20,000 deep, rewrite the version, insert unknown keys
// __proto__ among them, duplicate keys, replace numbers with NaN-like, negative, huge or tiny
// values) and in the fragment itself. Each case ends one of two ways: refused with named reasons
// (no stack overflow, nothing polluted), or accepted and equal to a plain JSON.parse of the link
// less exactly the fields the notices name; an accepted spec passes the validator and the
// memory check, and round-trips through a fresh link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeShare, encodeShare } from '../app/share/codec.ts';
import { PRESETS, presetSpec } from '../kernels/model/presets.ts';
import { validateSpec } from '../kernels/model/validate.ts';
import { inferShapes } from '../kernels/model/shapes.ts';
import { DEFAULT_MEMORY_BUDGET } from '../kernels/model/memory.ts';

const RUNS = Number(process.env.INTEGRITY_RUNS ?? 2000);
const pack = (text: string) => `m=1.${deflateRawSync(Buffer.from(text)).toString('base64url')}`;

type Edit = [string, (text: string) => string];
const at = (text: string, k: number) => k % (text.length + 1);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.nat().map((k): Edit => [`truncate ${k}`, (t) => t.slice(0, at(t, k))]),
  fc.string({ maxLength: 12 }).map((s): Edit => [`extend ${JSON.stringify(s)}`, (t) => t + s]),
  fc.array(fc.tuple(fc.nat(), fc.constantFrom(...'{}[]":,0123456789-.eE aZ\\\u00e9')), { minLength: 1, maxLength: 3 }).map((fl): Edit => [`flip characters ${JSON.stringify(fl)}`, (t) => {
    const c = t.split('');
    for (const [i, ch] of fl) c[i % c.length] = ch;
    return c.join('');
  }]),
  fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 30, max: 20_000 })).map((d): Edit => [`nest ${d}`, (t) => t.replace('{', `{"deep":${'['.repeat(d)}${']'.repeat(d)},`)]),
  fc.constantFrom('1', '01', '1e0', '1.0', '"1"', '1.5', '-1', '2', '0x1', ' 1 ', '1E0', '10', 'null', 'true', '[1]').map((v): Edit => [`version ${v}`, (t) => t.replace('"version":1', `"version":${v}`)]),
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'glow', 'future_field'), fc.constantFrom('spec', 'layer', 'train', 'optimizer')).map(([k, where]): Edit => [`unknown key ${k} in ${where}`, (t) => {
    const v = `"${k}":{"polluted":1},`;
    if (where === 'spec') return t.replace('{', `{${v}`);
    if (where === 'layer') return t.replace('"layers":[{', `"layers":[{${v}`);
    if (where === 'train') return t.replace('"train":{', `"train":{${v}`);
    return t.replace('"optimizer":{', `"optimizer":{${v}`);
  }]),
  fc.constantFrom('"lr":1', '"seed":3', '"version":1', '"name":"x"').map((dup): Edit => [`duplicate key ${dup}`, (t) => t.replace('{', `{${dup},`)]),
  fc.tuple(fc.nat(), fc.constantFrom('-1', '1e309', '-1e309', '0', '1e-400', '4096', '99999999', '0.5', '-0', '1.5', '2147483648')).map(([k, v]): Edit => [`number ${k} → ${v}`, (t) => {
    const nums = [...t.matchAll(/(?<=:)-?\d+(\.\d+)?(e[-+]?\d+)?/gi)];
    if (!nums.length) return t;
    const m = nums[k % nums.length];
    return t.slice(0, m.index) + v + t.slice(m.index! + m[0].length);
  }]),
);

/** The reference decode: JSON.parse, then remove exactly the fields the notices name. */
function reference(text: string, notices: string[]): unknown {
  const obj = JSON.parse(text) as Record<string, unknown>;
  for (const n of notices) {
    const m = /^ignored unknown field (.+)$/.exec(n);
    assert.ok(m, `a notice that names no field: ${n}`);
    const path = m[1].replace(/^spec\./, '').match(/[^.[\]]+|\[\d+\]/g)!;
    let o: Record<string, unknown> = path[0] === 'train' || path[0] === 'dataset' || path[0].startsWith('layers') ? obj : obj;
    for (const p of path.slice(0, -1)) o = o[p.startsWith('[') ? Number(p.slice(1, -1)) : p] as Record<string, unknown>;
    delete o[path[path.length - 1]];
  }
  return obj;
}

const polluted = () => ({} as Record<string, unknown>).polluted !== undefined || Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted');

test(`${RUNS} mutated links: refused with named reasons, or equal to the reference decode`, { timeout: 120_000 }, async () => {
  const names = Object.keys(PRESETS);
  const base = await Promise.all(names.map(async (n) => JSON.stringify(presetSpec(n))));
  const tally = { refused: 0, accepted: 0, withNotices: 0 };
  await fc.assert(fc.asyncProperty(fc.nat({ max: names.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 2 }), fc.boolean(), async (i, edits, viaFragment) => {
    let text = base[i];
    for (const [, e] of edits) text = e(text);
    let frag = pack(text);
    if (viaFragment) frag = frag.slice(0, 4 + ((text.length * 7) % Math.max(1, frag.length - 4))); // cut the compressed data too
    try {
      await check(frag);
    } catch (e) {
      throw new Error(`${edits.map(([what]) => what).join(' + ')} on ${names[i]}: ${(e as Error).message}\n${text.slice(0, 400)}`);
    }
  }), { numRuns: RUNS, seed: 19 });
  console.log(`links: ${tally.refused} refused, ${tally.accepted} accepted (${tally.withNotices} with notices)`);
  // Unknown keys are refused (the registry's validator), so most edits end refused; both endings still run.
  assert.ok(tally.refused > RUNS / 4 && tally.accepted > RUNS / 40, `both endings exercised: ${JSON.stringify(tally)}`);

  async function check(frag: string) {
    const r = await decodeShare(frag);
    assert.ok(!polluted(), 'Object.prototype was polluted');
    if (r.kind === 'error') {
      tally.refused++;
      assert.ok(r.errors.length > 0 && r.errors.every((e) => typeof e === 'string' && e.length > 0 && e.length < 4000), JSON.stringify(r.errors));
      assert.ok(!r.errors.some((e) => /Maximum call stack|RangeError|TypeError|\[object Object\]/.test(e)), r.errors.join('\n'));
      return;
    }
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    tally.accepted++;
    if (r.notices.length) tally.withNotices++;
    const inflated = inflateRawSync(Buffer.from(frag.slice(4), 'base64url')).toString('utf8');
    assert.deepEqual(r.spec, reference(inflated, r.notices), 'the spec differs from the reference decode');
    assert.match(inflated, /"version"\s*:\s*1\s*[,}]/, 'accepted a version not written as 1');
    assert.ok(validateSpec(r.spec).ok);
    const shapes = inferShapes(r.spec);
    assert.deepEqual(shapes.errors, []);
    assert.ok(shapes.memoryBytes <= DEFAULT_MEMORY_BUDGET);
    const again = await decodeShare(await encodeShare(r.spec));
    assert.ok(again.kind === 'ok' && again.notices.length === 0);
    // As JSON: a -0 in the link is written back as 0, the same number to every consumer.
    if (again.kind === 'ok') assert.equal(JSON.stringify(again.spec), JSON.stringify(r.spec));
  }
});

test('fragments themselves mutated: never an exception, always a reason', { timeout: 60_000 }, async () => {
  const good = await encodeShare(presetSpec('cnn-mnist-small'));
  await fc.assert(fc.asyncProperty(fc.oneof(
    fc.nat().map((k) => good.slice(0, k % good.length)),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 4 })).map(([k, s]) => good.slice(0, k % good.length) + s + good.slice(k % good.length)),
    fc.constantFrom('01', '0x1', '1e0', '+1', '1.0', '', '-1', '9999999').map((v) => `m=${v}.${good.slice(4)}`),
    fc.string({ maxLength: 80 }),
  ), async (frag) => {
    const r = await decodeShare(frag);
    if (r.kind === 'error') assert.ok(r.errors.length > 0 && r.errors.every((e) => e.length > 0));
    else if (r.kind === 'ok') assert.ok(validateSpec(r.spec).ok);
  }), { numRuns: Math.ceil(RUNS / 4), seed: 19 });
});
