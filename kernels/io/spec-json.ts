// A spec's JSON text from the outside (a share link, a --spec file) read with its size and nesting
// bounded BEFORE JSON.parse, and its version checked as written: one linear scan, no recursion, so
// a short link nested 10,000 deep gets a message instead of "Maximum call stack size exceeded",
// and `1e0`, `01`, `1.0` or `"1"` are not taken for version 1.

export const SPEC_TEXT_LIMITS = { chars: 262_144, depth: 24 };

export type SpecText = { ok: true; value: unknown } | { ok: false; error: string };

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The raw text of the value after the ':' at `i` (a scalar: up to the next ',' '}' or space). */
function rawValue(text: string, i: number): string {
  let j = i + 1;
  while (j < text.length && WS.has(text.charCodeAt(j))) j++;
  if (text[j] === '"') {
    let k = j + 1;
    while (k < text.length && text[k] !== '"') k += text[k] === '\\' ? 2 : 1;
    return text.slice(j, k + 1);
  }
  let k = j;
  while (k < text.length && !/[,}\]\s]/.test(text[k])) k++;
  return text.slice(j, k);
}

/**
 * Checks `text` (what = "the link's spec", "spec.json") within limits and parses it. Never
 * throws; the error says which limit and by how much, in words.
 */
export function parseSpecText(text: string, what: string, limits = SPEC_TEXT_LIMITS): SpecText {
  if (text.length > limits.chars)
    return { ok: false, error: `${what} is ${text.length.toLocaleString('en-US')} characters long; at most ${limits.chars.toLocaleString('en-US')} are accepted` };
  let depth = 0;
  let inString = false;
  let start = 0; // of the string being read
  let lastKey: string | null = null; // the last string read directly inside the top-level object
  const versions: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) {
        inString = false;
        if (depth === 1) {
          const raw = text.slice(start, i + 1);
          try {
            lastKey = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          } catch {
            lastKey = null; // JSON.parse below names the fault
          }
        }
      }
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      start = i;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limits.depth)
        return { ok: false, error: `${what} nests deeper than ${limits.depth} levels (objects and lists inside each other); no model needs more, so it was not read` };
    } else if (ch === 0x7d || ch === 0x5d) depth--;
    else if (ch === 0x3a && depth === 1 && lastKey === 'version') versions.push(rawValue(text, i));
    else if (ch === 0x2c) lastKey = null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: `${what} is corrupt (not valid JSON)` };
  }
  if (versions.length > 1) return { ok: false, error: `version: ${what} gives the version ${versions.length} times` };
  if (versions.length && !/^[1-9][0-9]{0,5}$/.test(versions[0]))
    return { ok: false, error: `version: must be written as a whole number such as 1, but ${what} has ${versions[0].slice(0, 24)}` };
  return { ok: true, value };
}
