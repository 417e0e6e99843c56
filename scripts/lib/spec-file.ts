// The headless trainer's spec: a preset or a JSON file, the command line's overrides, then the
// same validator as the builder and the share links. A function, so tests load spec files exactly
// as `npm run train -- --spec FILE` does without starting a browser.
import { readFileSync } from 'node:fs';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { ModelSpec } from '../../kernels/model/types.ts';
import { validateSpec } from '../../kernels/model/validate.ts';

export interface SpecOverrides { epochs?: number; batchSize?: number; lr?: number; evalEverySteps?: number; seed?: number }

/** Throws an Error whose message is the reason, ready to print. */
export function loadSpec(src: { preset?: string; file?: string }, o: SpecOverrides = {}): ModelSpec {
  let spec: ModelSpec;
  if (src.preset) spec = presetSpec(src.preset);
  else {
    try {
      spec = JSON.parse(readFileSync(src.file!, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read spec ${src.file}: ${(e as Error).message}`);
    }
  }
  if (spec.train) {
    if (o.epochs !== undefined) spec.train.epochs = o.epochs;
    if (o.batchSize !== undefined) spec.train.batchSize = o.batchSize;
    if (o.lr !== undefined) spec.train.lr = o.lr;
    if (o.evalEverySteps !== undefined) spec.train.evalEverySteps = o.evalEverySteps;
  }
  if (o.seed !== undefined) spec.seed = o.seed;
  const v = validateSpec(spec);
  if (!v.ok) throw new Error(`invalid spec:\n${v.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  return spec;
}
