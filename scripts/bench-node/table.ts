// bench:node's JSON lines (--out FILE) as the Markdown rows BENCHMARKS.md takes, so a GPU run's
// figures are pasted, not retyped:
//   node --import tsx scripts/bench-node/table.ts FILE.jsonl …     (here)
//   node dist-bench/table.mjs FILE.jsonl …                         (on the GPU machine: the bundle)
//   … --summary FILE.jsonl                                         one line: rows, refused, failures, seconds
// Each file's lines follow its meta line, which says how ours ran: kernel paths (--paths) and
// Dawn's robustness (off where dawn_flags holds `enable-dawn-features=…disable_robustness…`, or
// the meta line says `robustness: false | 'off'` / `no_robustness: true`). Printed: (1) training rows as run by default,
// per model and batch, against PyTorch eager and CUDA graph; (2) matmul against cuBLAS; (3) ours
// with the fallback kernel forms against ours by default on the same adapter (ratio above 1: the
// default forms are faster); (4) ours with robustness off against ours with it on; (5) ours with
// conv + max pool unfused (meta `conv_pool_fusion: false`) against the fused kernel. A refused or
// failed side prints as — with the reason in the last column. Nothing is computed that the lines
// do not carry, except ratios of two figures from them.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { num } from '../bench/format.ts';

type Row = Record<string, unknown>;
interface Config { paths: string; robust: boolean; convPool: boolean }
interface Line { row: Row; cfg: Config; meta: Row }

const MODEL_ORDER = ['mlp-mnist', 'cnn-mnist', 'lstm', 'transformer'];

export function configOf(meta: Row): Config {
  const flags = Array.isArray(meta.dawn_flags) ? meta.dawn_flags.map(String) : [];
  const off = flags.some((f) => /^enable-dawn-features=.*disable_robustness/.test(f)) || meta.robustness === false || meta.robustness === 'off' || meta.no_robustness === true;
  return { paths: typeof meta.paths === 'string' ? meta.paths : 'auto', robust: !off, convPool: meta.conv_pool_fusion !== false };
}

/** Every result line of the files, with the meta line it follows. */
export function readLines(texts: string[]): { lines: Line[]; metas: Row[] } {
  const lines: Line[] = [], metas: Row[] = [];
  for (const text of texts) {
    let meta: Row = {};
    for (const l of text.split('\n')) {
      if (!l.trim()) continue;
      let r: Row;
      try {
        r = JSON.parse(l) as Row;
      } catch {
        continue; // a line cut off by a timeout
      }
      if (r.meta) {
        meta = r;
        metas.push(r);
      } else if (typeof r.name === 'string' && typeof r.unit === 'string') lines.push({ row: r, cfg: configOf(meta), meta });
    }
  }
  return { lines, metas };
}

const isDefault = (c: Config): boolean => c.paths === 'auto' && c.robust && c.convPool;
const peerKind = (r: Row): string => {
  const b = String(r.peer_backend ?? '');
  return b.startsWith('tfjs') ? 'tfjs' : b.endsWith('graph') ? 'graph' : 'eager';
};
const modelOf = (name: string): string => name.replace(/^train /, '').replace(/ batch=\d+$/, '');
const ratio = (a: unknown, b: unknown): string => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `${num(a / b)}×` : '—');
const why = (r: Row | undefined): string[] => (r ? [r.ours_error, r.peer_error].filter(Boolean).map(String) : []);

/** The first line per (name, peer kind) among those matching `keep`. */
function index(lines: Line[], keep: (l: Line) => boolean): Map<string, Row> {
  const m = new Map<string, Row>();
  for (const l of lines) {
    if (!keep(l)) continue;
    const k = `${l.row.name}|${peerKind(l.row)}`;
    if (!m.has(k)) m.set(k, l.row);
  }
  return m;
}

const trainOrder = (a: string, b: string): number => {
  const ma = MODEL_ORDER.indexOf(modelOf(a)), mb = MODEL_ORDER.indexOf(modelOf(b));
  if (ma !== mb) return ma - mb;
  return Number(/batch=(\d+)/.exec(a)?.[1] ?? 0) - Number(/batch=(\d+)/.exec(b)?.[1] ?? 0);
};

export function tables(texts: string[]): string {
  const { lines, metas } = readLines(texts);
  const out: string[] = [];
  const m0 = metas.find((m) => isDefault(configOf(m))) ?? metas[0];
  if (m0) {
    const t = m0.torch as Row | undefined;
    out.push(`Adapter ${m0.adapter}${m0.software_adapter ? ' (software)' : ''}; Dawn ${m0.dawn}; node ${m0.node}; ` +
      `PyTorch ${t?.torch ?? `unavailable (${t?.error ?? '?'})`}${t?.cuda ? ` CUDA ${t.cuda_version}, cuDNN ${t.cudnn}, ${t.device}` : ''}; ` +
      `${metas.length} run(s): ${metas.map((m) => { const c = configOf(m); return `paths ${c.paths}, robustness ${c.robust ? 'on' : 'off'}${c.convPool ? '' : ', conv + pool unfused'}${m.quick ? ', --quick' : ''}`; }).join('; ')}.`, '');
  }
  const def = index(lines, (l) => isDefault(l.cfg));
  const names = [...new Set(lines.map((l) => String(l.row.name)))];

  const batchOf = (n: string): number => Number(def.get(`${n}|eager`)?.batch ?? 0);
  const train = names.filter((n) => n.startsWith('train ') && def.has(`${n}|eager`))
    .sort((x, y) => MODEL_ORDER.indexOf(modelOf(x)) - MODEL_ORDER.indexOf(modelOf(y)) || batchOf(x) - batchOf(y));
  if (train.length) {
    out.push('| model | batch | ours (samples/s) | PyTorch eager | ratio | PyTorch CUDA graph | ratio | dispatches / submits per step | loss ours (start → end) | notes |',
      '|---|---|---|---|---|---|---|---|---|---|');
    for (const n of train) {
      const e = def.get(`${n}|eager`)!, g = def.get(`${n}|graph`);
      const loss = e.loss_start != null ? `${num(e.loss_start)} → ${num(e.loss_end)}` : '—';
      const notes = [...new Set([...why(e), ...why(g)])].join('; ');
      out.push(`| ${modelOf(n)} | ${e.batch ?? '?'} | ${num(e.ours)} | ${num(e.peer)} | ${ratio(e.ours, e.peer)} | ${num(g?.peer)} | ${ratio(g?.ours, g?.peer)} | ${num(e.dispatches)} / ${num(e.submits)} | ${loss} | ${notes} |`);
    }
    out.push('');
  }
  const mm = names.filter((n) => n.startsWith('matmul ') && def.has(`${n}|eager`)).sort((a, b) => Number(a.split('=')[1]) - Number(b.split('=')[1]));
  if (mm.length) {
    out.push('| matmul | ours (GFLOP/s) | PyTorch fp32 (cuBLAS on CUDA) | ratio | notes |', '|---|---|---|---|---|');
    for (const n of mm) {
      const e = def.get(`${n}|eager`)!;
      out.push(`| ${n.replace('matmul ', '')} | ${num(e.ours)} | ${num(e.peer)} | ${ratio(e.ours, e.peer)} | ${why(e).join('; ')} |`);
    }
    out.push('');
  }
  // Ours only, against ours by default: any peer line carries ours.
  const oursOf = (idx: Map<string, Row>, n: string): Row | undefined => idx.get(`${n}|eager`) ?? idx.get(`${n}|graph`) ?? idx.get(`${n}|tfjs`);
  const ab = (title: string, keep: (c: Config) => boolean, head: string): void => {
    const alt = index(lines, (l) => keep(l.cfg));
    const ns = names.filter((n) => oursOf(alt, n) && oursOf(def, n)).sort((a, b) => (a.startsWith('matmul') === b.startsWith('matmul') ? trainOrder(a, b) : a.startsWith('matmul') ? 1 : -1));
    if (!ns.length) return;
    out.push(title, '', `| item | ours by default | ${head} | default / ${head} | notes |`, '|---|---|---|---|---|');
    for (const n of ns) {
      const d = oursOf(def, n)!, x = oursOf(alt, n)!;
      out.push(`| ${n} | ${num(d.ours)} | ${num(x.ours)} | ${ratio(d.ours, x.ours)} | ${[d.ours_error, x.ours_error].filter(Boolean).join('; ')} |`);
    }
    out.push('');
  };
  ab('Kernel paths: ours with the fallback forms (--paths fallback) against ours by default (the hardware forms on a GPU):', (c) => c.paths === 'fallback' && c.robust && c.convPool, 'fallback forms');
  ab('Robustness: ours with Dawn\'s robustness off against ours with it on:', (c) => !c.robust && c.paths === 'auto' && c.convPool, 'robustness off');
  ab('Conv + max pool: ours with the plain pair (--no-convpool) against the fused kernel:', (c) => !c.convPool && c.paths === 'auto' && c.robust, 'plain conv, pool');
  return out.join('\n');
}

/** One line about a file: its rows, refusals, failures and seconds (from its `done` line), or that it has none. */
export function summary(file: string, text: string): string {
  const rows = text.split('\n').filter((l) => l.trim()).map((l) => { try { return JSON.parse(l) as Row; } catch { return null; } }).filter((r): r is Row => !!r);
  const done = rows.find((r) => r.done), fatal = rows.find((r) => r.fatal);
  const items = rows.filter((r) => typeof r.name === 'string');
  const count = (f: (r: Row) => unknown): number => items.filter(f).length;
  const peerFailed = count((r) => r.peer_error && !/^not run/.test(String(r.peer_error)) && !/^refused/.test(String(r.peer_error)));
  return `${file}: ${items.length} row(s); refused ${count((r) => Array.isArray(r.refused) && r.refused.length)}, ours failed ${count((r) => r.ours_error && !/^refused/.test(String(r.ours_error)))}, peer failed ${peerFailed}` +
    (done ? `, done in ${done.seconds} s (failures ${done.failures ?? done.wrong ?? 0}, refused ${done.refused ?? 0})` : ', NOT finished') +
    (fatal ? `; fatal: ${String(fatal.fatal).split('\n')[0].slice(0, 200)}` : '');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const sum = args.includes('--summary');
  const files = args.filter((f) => f !== '--summary');
  if (!files.length) {
    console.error('usage: table.ts [--summary] FILE.jsonl …');
    process.exit(2);
  }
  const texts = files.map((f) => { try { return readFileSync(f, 'utf8'); } catch (e) { console.error(`${f}: ${(e as Error).message}`); return ''; } });
  if (sum) files.forEach((f, i) => console.log(summary(f, texts[i])));
  else console.log(tables(texts));
}
