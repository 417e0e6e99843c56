// The headless trainer's spec: a preset or a JSON file, the command line's overrides, then the
// same validator as the builder and the share links. A function, so tests load spec files exactly
// as `npm run train -- --spec FILE` does without starting a browser.
import { readFileSync, statSync } from 'node:fs';
import { presetSpec } from '../../kernels/model/presets.ts';
import type { ModelSpec } from '../../kernels/model/types.ts';
import { validateSpec } from '../../kernels/model/validate.ts';
import { inferShapes } from '../../kernels/model/shapes.ts';
import { DEFAULT_BINDING_LIMIT, DEFAULT_MEMORY_BUDGET, memoryProblem } from '../../kernels/model/memory.ts';
import { parseSpecText, SPEC_TEXT_LIMITS } from '../../kernels/io/spec-json.ts';

export interface SpecOverrides { epochs?: number; batchSize?: number; lr?: number; evalEverySteps?: number; seed?: number }

/** Throws an Error whose message is the reason, ready to print. */
export function loadSpec(src: { preset?: string; file?: string }, o: SpecOverrides = {}): ModelSpec {
  let spec: ModelSpec;
  if (src.preset) spec = presetSpec(src.preset);
  else {
    // The same size and depth bounds and version check as a share link, before JSON.parse.
    let text: string;
    try {
      if (statSync(src.file!).size > SPEC_TEXT_LIMITS.chars * 4)
        throw new Error(`is over ${SPEC_TEXT_LIMITS.chars.toLocaleString('en-US')} characters`);
      text = readFileSync(src.file!, 'utf8');
    } catch (e) {
      throw new Error(`cannot read spec ${src.file}: ${(e as Error).message}`);
    }
    const parsed = parseSpecText(text, `spec ${src.file}`);
    if (!parsed.ok) throw new Error(parsed.error);
    spec = parsed.value as ModelSpec;
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
  const shapes = inferShapes(spec);
  if (shapes.errors.length) throw new Error(`invalid spec:\n${shapes.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  // The session's default budget; the device's own per-buffer limit is checked again in the browser.
  const tooBig = memoryProblem(spec, shapes, { memoryBudgetBytes: DEFAULT_MEMORY_BUDGET, maxBindingBytes: DEFAULT_BINDING_LIMIT });
  if (tooBig) throw new Error(tooBig);
  return spec;
}
