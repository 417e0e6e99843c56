// The text form of a benchmark item, shared by `npm run bench` (browser) and `npm run bench:node`:
// one line per item: name, ours, peer, ratio, unit, the peer's backend, and our dispatches,
// submissions and bytes uploaded per step (training items), then for training items both sides'
// loss at the first step and after the timed ones, and a line per failed or refused side.

/** Three significant digits (whole numbers from 1,000 on). */
export const num = (v: unknown): string => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 1000 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
  return v === 0 ? '0' : Number(v.toPrecision(3)).toString();
};

export function headerLine(nameWidth = 34, peerWidth = 13): string {
  return `${'item'.padEnd(nameWidth)} ${'ours'.padStart(9)} ${'peer'.padStart(9)} ${'ratio'.padStart(7)}  ${'unit'.padEnd(10)} ${'peer backend'.padEnd(peerWidth)} ${'disp/step'.padStart(9)} ${'subm/step'.padStart(9)} ${'bytes up/step'.padStart(13)}`;
}

/** The item's line, then one indented line per failed side. */
export function itemLines(r: Record<string, unknown>, nameWidth = 34, peerWidth = 13): string[] {
  const step = r.unit === 'samples/s';
  const cols = [
    String(r.name).padEnd(nameWidth), num(r.ours).padStart(9), num(r.peer).padStart(9),
    (r.ratio == null ? '—' : `${num(r.ratio)}×`).padStart(7), ` ${String(r.unit).padEnd(10)}`, (String(r.peer_backend) + (r.threads_peer ? ` ×${r.threads_peer}` : '')).padEnd(peerWidth),
    (step ? num(r.dispatches) : '').padStart(9), (step ? num(r.submits) : '').padStart(9), (step ? num(r.bytes_uploaded) : '').padStart(13),
  ];
  const out = [cols.join(' ').trimEnd()];
  const why = (e: unknown) => (String(e).startsWith('refused: ') ? String(e) : `failed: ${e}`);
  if (r.ours_error) out.push(`    ours ${why(r.ours_error)}`);
  if (r.peer_error) out.push(`    peer ${why(r.peer_error)}`);
  if (r.loss_start !== undefined) {
    const l = (a: unknown, b: unknown) => `${num(a)} → ${num(b)}`;
    out.push(`    loss ours ${l(r.loss_start, r.loss_end)}${r.peer_loss_start != null ? `, peer ${l(r.peer_loss_start, r.peer_loss_end)}` : ''}${r.threads_ours != null ? `; threads ours ${r.threads_ours}, peer ${r.threads_peer ?? '—'}` : ''}`);
  }
  return out;
}
