// The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw little-endian data), written and read with strict
// checks: a file from the outside is hostile until every field has been validated.

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

/** Headers larger than this are refused before parsing (the format's own reference caps at 100 MB). */
export const MAX_HEADER_BYTES = 8 * 1024 * 1024;

export class WeightsFileError extends Error {}

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape ${t.shape}`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8); // align the data to 8 bytes, as the reference writer does
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let o = 8 + head.length;
  for (const t of tensors) {
    // Little-endian on every platform we run on; copy bytes rather than aliasing the source.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
    o += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (m: string): never => {
    throw new WeightsFileError(`Not a usable weights file: ${m}.`);
  };
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes long, too short for a safetensors header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = dv.getBigUint64(0, true);
  if (headLen > BigInt(MAX_HEADER_BYTES)) fail(`its header claims ${headLen} bytes (at most ${MAX_HEADER_BYTES} are accepted)`);
  const hl = Number(headLen);
  if (8 + hl > bytes.length) fail(`it is truncated: the header needs ${hl} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + hl)));
  } catch {
    fail('its header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('its header is not a JSON object');
  const h = header as Record<string, unknown>;
  const dataStart = 8 + hl;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const meta = h.__metadata__;
  if (meta !== undefined) {
    if (typeof meta !== 'object' || meta === null) fail('__metadata__ is not an object');
    for (const [k, v] of Object.entries(meta as object)) {
      if (typeof v !== 'string') fail(`metadata "${k}" is not a string`);
      metadata[k] = v;
    }
  }
  const tensors: NamedTensor[] = [];
  const ranges: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(`entry "${name}" is not an object`);
    if (e.dtype !== 'F32') fail(`tensor "${name}" has dtype ${JSON.stringify(e.dtype)}; only F32 is supported`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31))
      fail(`tensor "${name}" has an invalid shape`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isInteger(x) && x >= 0)) fail(`tensor "${name}" has invalid data_offsets`);
    const [b, en] = off as [number, number];
    const n = shape.reduce((a, c) => a * c, 1);
    if (en - b !== 4 * n) fail(`tensor "${name}" spans ${en - b} bytes but its shape needs ${4 * n}`);
    if (en > dataLen) fail(`it is truncated: tensor "${name}" ends at byte ${en} of ${dataLen}`);
    ranges.push([b, en, name]);
    // Copy into an aligned buffer: the data section need not be 4-byte aligned in the file.
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + b, dataStart + en));
    tensors.push({ name, shape, data });
  }
  ranges.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < ranges.length; i++)
    if (ranges[i][0] < ranges[i - 1][1]) fail(`tensors "${ranges[i - 1][2]}" and "${ranges[i][2]}" overlap`);
  return { tensors, metadata };
}
