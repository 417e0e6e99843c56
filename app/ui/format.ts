// Number and shape formatting for labels.

export const fmtShape = (s: readonly number[]) => (s.length ? s.join('×') : 'scalar');

export function fmtCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toLocaleString('en-US');
}

export function fmtBytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(2)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  if (b >= 1 << 10) return `${(b / (1 << 10)).toFixed(1)} KiB`;
  return `${b} B`;
}

export function fmtNum(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  const s = x.toPrecision(digits);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

export const fmtPct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A whole count with thousands separators: 1,850. */
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

/** "3 layers", "1 layer", "12,000 samples": a count with its noun, pluralised. */
export const plural = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${Math.round(n) === 1 ? one : many}`;

/** Seconds as m:ss, or h:mm:ss from an hour on. */
export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const t = Math.round(seconds);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
