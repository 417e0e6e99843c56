// The fields a ModelSpec may carry, per object. A shared link may come from a newer version or be
// hand-edited: fields not listed here are dropped with a notice instead of reaching the engine.
// Add a field here when it is added to kernels/model/types.ts (the preset round-trip test fails
// if a preset uses a field missing from this table).

export const SPEC_FIELDS = ['version', 'name', 'dataset', 'layers', 'loss', 'train', 'seed'];
export const TRAIN_FIELDS = ['optimizer', 'lr', 'schedule', 'warmupSteps', 'batchSize', 'epochs', 'clipNorm', 'evalEverySteps', 'earlyStopPatience'];
export const OPTIMIZER_FIELDS = ['kind', 'momentum', 'nesterov', 'beta1', 'beta2', 'eps', 'weightDecay'];
export const SCHEDULE_FIELDS = ['kind', 'everySteps', 'gamma', 'totalSteps', 'minLr'];
export const DATASET_FIELDS = ['kind', 'name', 'length', 'symbols', 'horizon', 'trainSize', 'testSize']; // task fields: data/tasks.ts
export const LAYER_FIELDS: Record<string, string[]> = {
  dense: ['kind', 'units', 'activation'],
  activation: ['kind', 'fn'],
  dropout: ['kind', 'rate'],
  flatten: ['kind'],
  residual: ['kind', 'layers'],
  embedding: ['kind', 'vocab', 'dim'],
  lstm: ['kind', 'hidden', 'layers', 'returnSequences', 'forgetBias', 'learnInitialState'],
  gru: ['kind', 'hidden', 'layers', 'returnSequences', 'learnInitialState'],
  rnn: ['kind', 'hidden', 'layers', 'returnSequences', 'learnInitialState'],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pick(o: Obj, fields: string[], where: string, notices: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (fields.includes(k)) out[k] = v;
    else notices.push(`ignored unknown field ${where}.${k}`);
  }
  return out;
}

function layers(ls: unknown, where: string, notices: string[]): unknown {
  if (!Array.isArray(ls)) return ls;
  return ls.map((l, i) => {
    if (!isObj(l) || typeof l.kind !== 'string' || !LAYER_FIELDS[l.kind]) return l; // validation names it
    const out = pick(l, LAYER_FIELDS[l.kind], `${where}[${i}]`, notices);
    if (l.kind === 'residual') out.layers = layers(out.layers, `${where}[${i}].layers`, notices);
    return out;
  });
}

/** A copy holding only known fields; what was dropped goes to `notices`. */
export function stripUnknown(spec: unknown, notices: string[]): unknown {
  if (!isObj(spec)) return spec;
  const s = pick(spec, SPEC_FIELDS, 'spec', notices);
  if (isObj(s.dataset)) s.dataset = pick(s.dataset, DATASET_FIELDS, 'dataset', notices);
  s.layers = layers(s.layers, 'layers', notices);
  if (isObj(s.train)) {
    const t = pick(s.train, TRAIN_FIELDS, 'train', notices);
    if (isObj(t.optimizer)) t.optimizer = pick(t.optimizer, OPTIMIZER_FIELDS, 'train.optimizer', notices);
    if (isObj(t.schedule)) t.schedule = pick(t.schedule, SCHEDULE_FIELDS, 'train.schedule', notices);
    s.train = t;
  }
  return s;
}
