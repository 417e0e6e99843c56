// A validation issue in people's words.
import type { SpecIssue } from './validate.ts';
import { findLayerDef } from '../layers/index.ts';

const FIELD_NAMES: Record<string, string> = {
  lr: 'learning rate', batchSize: 'batch size', clipNorm: 'clip norm', weightDecay: 'weight decay',
  everySteps: 'step interval', totalSteps: 'total steps', minLr: 'minimum lr', fn: 'function',
};

// Top-level fields whose issues read after their name; 'layers' issues speak for themselves.
const TOP_FIELDS = ['version', 'name', 'loss', 'seed'];

/** "units must be …": the issue's message prefixed by the field it is about. */
export function issueText(e: SpecIssue): string {
  const field = e.path.match(/\.([A-Za-z]+)(?:\[\d+\])?$/)?.[1] ?? (TOP_FIELDS.includes(e.path) ? e.path : null);
  return field ? `${FIELD_NAMES[field] ?? field} ${e.message}` : e.message;
}

const SECTIONS: [string, string][] = [
  ['train.optimizer.', 'optimizer'], ['train.schedule.', 'schedule'], ['train.augment.', 'augmentation'],
  ['dataset.text.', 'your text file'], ['dataset.', 'dataset'],
];

/**
 * The issue as a sentence standing alone (a link's or the CLI's error list): led by the layer in
 * people's words ("Layer 2, inner layer 1 (Activation): …") or the section ("optimizer: beta1 must
 * be …"), never by a machine path like "layers[1] (dense).units". `layers` names a layer whose
 * path does not carry its kind (shape issues).
 */
export function issueLine(e: SpecIssue, layers?: readonly { kind: string }[]): string {
  // Unknown-field messages already lead with their subject ("Layer 2 (Dense): unknown field 'x'").
  if (/^[^:]+: unknown field '/.test(e.message)) return e.message;
  if (e.layer !== undefined) {
    const chain = [...e.path.matchAll(/layers\[(\d+)\]/g)].map((m) => Number(m[1]) + 1);
    const kind = e.path.match(/\((\w+)\)/)?.[1] ?? (chain.length <= 1 ? layers?.[e.layer]?.kind : undefined);
    const title = kind ? findLayerDef(kind)?.title : undefined;
    const who = (chain.length ? chain : [e.layer + 1]).map((n, i) => (i ? `inner layer ${n}` : `Layer ${n}`)).join(', ');
    return `${who}${title ? ` (${title})` : ''}: ${issueText(e)}`;
  }
  const section = SECTIONS.find(([p]) => e.path.startsWith(p))?.[1];
  return section ? `${section}: ${issueText(e)}` : issueText(e);
}
