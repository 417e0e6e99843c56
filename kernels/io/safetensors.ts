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

/**
 * Parses and checks the whole file as the reference safetensors parser does, and more: nothing is
 * returned unless every byte is accounted for. The header length lies within the file; the header
 * is one JSON object starting at its first byte, padded with spaces only; each tensor is F32 with
 * shape × 4 bytes equal to its byte span; sorted by offset the spans start at 0, follow each other
 * with no gap or overlap and end exactly where the file ends.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  const fail = (m: string): never => {
    throw new WeightsFileError(`Not a usable weights file: ${m}.`);
  };
  if (!(bytes instanceof Uint8Array)) fail('the saved data is not a byte array');
  if (bytes.length < 8) fail(`it is ${bytes.length} bytes long, too short for a safetensors header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = dv.getBigUint64(0, true);
  // A length beyond the file or the cap is no length at all: say so without repeating the number.
  if (headLen > BigInt(MAX_HEADER_BYTES)) fail('the header length field is not a valid length: the file is probably not a .safetensors file');
  const hl = Number(headLen);
  if (8 + hl > bytes.length) fail(`it is truncated: the header needs ${hl} bytes but only ${bytes.length - 8} follow`);
  if (hl < 2 || bytes[8] !== 0x7b) fail('its header does not start with "{": the file is probably not a .safetensors file');
  let end = 8 + hl;
  while (end > 9 && bytes[end - 1] === 0x20) end--; // the format pads its header with spaces, nothing else
  if (bytes[end - 1] !== 0x7d) fail('its header is not one JSON object followed only by spaces');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, end)));
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
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail('__metadata__ is not an object');
    for (const [k, v] of Object.entries(meta as object)) {
      if (typeof v !== 'string') fail(`metadata "${k.slice(0, 40)}" is not a string`);
      metadata[k] = v;
    }
  }
  const spans: { name: string; shape: number[]; b: number; e: number }[] = [];
  for (const [name, raw] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    const t = `tensor "${name.slice(0, 80)}"`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${t} is not described by an object`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== 'F32') fail(`${t} has dtype ${JSON.stringify(e.dtype)?.slice(0, 20)}; only F32 is supported`);
    if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31))
      fail(`${t} has an invalid shape`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0])
      fail(`${t} has invalid data_offsets`);
    const [b, en] = off as [number, number];
    const n = shape.reduce((a, c) => a * c, 1);
    if (en - b !== 4 * n) fail(`${t} spans ${en - b} bytes but its shape (${shape.join('×')}) needs ${4 * n}`);
    spans.push({ name, shape, b, e: en });
  }
  // Contiguous from 0 to the end of the file, as the reference parser demands: no gap a padded
  // header could shift the data into, no overlap, no bytes nobody reads.
  const sorted = [...spans].sort((x, y) => x.b - y.b || x.e - y.e);
  let at = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i];
    if (s.b < at) fail(`tensors "${sorted[i - 1].name.slice(0, 80)}" and "${s.name.slice(0, 80)}" overlap`);
    if (s.b > at) fail(`there is a gap of ${s.b - at} bytes before tensor "${s.name.slice(0, 80)}": the offsets must follow each other`);
    at = s.e;
  }
  if (at > dataLen) fail(`it is truncated: the tensors need ${at} bytes of data but ${dataLen} follow the header`);
  if (at < dataLen) fail(`it has ${dataLen - at} bytes after the last tensor: the header does not describe the whole file`);
  // Only now, with every span checked, copy into aligned buffers (the data need not be 4-byte aligned in the file).
  const tensors = spans.map(({ name, shape, b, e }): NamedTensor => {
    const data = new Float32Array((e - b) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + b, dataStart + e));
    return { name, shape, data };
  });
  return { tensors, metadata };
}
