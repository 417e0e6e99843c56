// The README's layer list, written from the registry: `npm run layers:readme` (scripts/layers-readme.ts)
// rewrites it and tests/registry.test.ts fails when it is stale.
import type { FieldDef } from './def.ts';
import { LAYERS } from './index.ts';

const FAMILIES = ['Core', 'Convolution', 'Sequence', 'Transformer', null] as const;

function fieldText(name: string, f: FieldDef): string {
  const range = f.type === 'enum' ? (f.options ?? []).map((o) => o.value).join(' | ')
    : f.min !== undefined && f.max !== undefined ? `${f.min}–${f.max}` : f.type;
  const dflt = f.required ? '' : f.hint && (f.unset !== undefined || f.defaultOf) ? `; ${f.hint}` : f.default !== undefined ? `, default ${f.default}` : '';
  return `\`${name}\` (${range}${dflt}): ${f.help}`;
}

/** One bullet per kind, by palette family, with its fields. */
export function layerListMarkdown(): string {
  const out: string[] = [];
  for (const fam of FAMILIES) {
    const defs = LAYERS.filter((d) => d.family === fam);
    if (!defs.length) continue;
    out.push(`- ${fam ?? 'Structure'}:`);
    for (const d of defs) {
      const fields = Object.entries(d.fields as Record<string, FieldDef>).map(([n, f]) => fieldText(n, f));
      out.push(`  - **${d.title}** ([\`${d.kind}\`](kernels/layers/${d.kind}.ts)): ${d.help}.${fields.length ? ` ${fields.join('; ')}.` : ''}`);
    }
  }
  return out.join('\n');
}

export const README_START = '<!-- layers: generated from kernels/layers by npm run layers:readme -->';
export const README_END = '<!-- /layers -->';

/** The README with its layer list replaced by the registry's. */
export function withLayerList(readme: string): string {
  const a = readme.indexOf(README_START), b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no layer list between ${README_START} and ${README_END}`);
  return `${readme.slice(0, a + README_START.length)}\n${layerListMarkdown()}\n${readme.slice(b)}`;
}
