// A validation issue in people's words.
import type { SpecIssue } from './validate.ts';

const FIELD_NAMES: Record<string, string> = {
  lr: 'learning rate', batchSize: 'batch size', clipNorm: 'clip norm', weightDecay: 'weight decay',
  everySteps: 'step interval', totalSteps: 'total steps', minLr: 'minimum lr', fn: 'function',
};

/** "units must be …": the issue's message prefixed by the field it is about. */
export function issueText(e: SpecIssue): string {
  const field = e.path.match(/\.([A-Za-z]+)$/)?.[1] ?? (e.path === 'seed' ? 'seed' : null);
  return field ? `${FIELD_NAMES[field] ?? field} ${e.message}` : e.message;
}
