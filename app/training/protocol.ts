// Messages between the page (app/training/run.ts, looks.ts, tune.ts; sent through link.ts) and the
// training worker (worker.ts). Every message about a session carries the run id it belongs to, so
// events from a disposed session are dropped.
import type { BoundaryGrid, Confusion, ModelSpec, Showcase, StepProfile, TaskData, TrainEvent } from '../engine.ts';
import type { InsideData, ParamNorm } from '../inside/types.ts';

export type Backend = 'auto' | 'webgpu' | 'cpu';

/**
 * A hyperparameter change the live session takes from its next step on, sent by app/training/tune.ts
 * when the user makes it. Only the learning rate is live; other changes wait for a new run.
 */
export type Tune = { type: 'setLr'; run: number; lr: number };

export type ToWorker =
  /** saveKey: where the worker autosaves checkpoints; restore: a saved run or an uploaded file to load first. */
  | { type: 'create'; run: number; spec: ModelSpec; dataUrl: string; backend: Backend; then: 'start' | 'step' | 'none'; saveKey: string; restore?: 'saved' | Uint8Array; autosaveMs?: number; data?: TaskData }
  /** Start loading MNIST from `dataUrl` now, ahead of the first Train. */
  | { type: 'prefetch'; dataUrl: string }
  /** Test hook: destroys the session's GPU device, as a driver reset would. */
  | { type: 'loseDevice'; run: number }
  | { type: 'download'; run: number }
  | { type: 'upload'; run: number; bytes: Uint8Array }
  | { type: 'start'; run: number }
  | { type: 'pause'; run: number }
  | { type: 'step'; run: number }
  | Tune
  | { type: 'evaluate'; run: number }
  | { type: 'dispose'; run: number }
  /** "See inside": first-layer weights and test sample `sample`'s activations; answered by 'inside'. */
  | { type: 'inspect'; run: number; id: number; sample: number }
  /** One input sample (a drawn digit, 28×28 in [0, 1]) through the live model; answered by 'prediction'. */
  | { type: 'predict'; run: number; id: number; input: Float32Array }
  /** Confusion matrix and misclassified digits over the test split (MNIST); answered by 'confusion'. */
  | { type: 'confusion'; run: number; id: number }
  /** Continues `prompt` with `length` characters (char models); answered by 'text'. */
  | { type: 'generate'; run: number; id: number; prompt: string; length: number; temperature: number; seed: number }
  /** Weight and gradient norms per parameter tensor; answered by 'norms'. */
  | { type: 'norms'; run: number; id: number }
  /** The decision boundary of a playground model over a grid (with each hidden unit's picture); answered by 'boundary'. */
  | { type: 'boundary'; run: number; id: number; units: boolean }
  /** The live model's answers on the first `count` test samples (the Predictions region); answered by 'showcase'. */
  | { type: 'showcase'; run: number; id: number; count: number }
  /** The next training step, profiled (per-kernel times by layer and op), while paused; answered by 'profile', then 'stepped'. */
  | { type: 'profile'; run: number; id: number };

/** The requests answered beside the message chain (see worker.ts `look`), each by one reply with its id. */
export type Look = Extract<ToWorker, { type: 'inspect' | 'predict' | 'confusion' | 'generate' | 'norms' | 'boundary' | 'showcase' }>;

export type FromWorker =
  /** software: the adapter runs WGSL on the CPU (SwiftShader, a fallback adapter), slower than the CPU backend. */
  | { type: 'probe'; webgpu: boolean; adapter: string | null; reason: string | null; software: boolean }
  | { type: 'event'; run: number; event: TrainEvent }
  /** The session exists; `fallbackReason` says why it runs on the CPU when it does. */
  | { type: 'created'; run: number; fallbackReason: string | null }
  /** Acknowledges pause/step once every queued step has finished; `step` is the session's step count. */
  | { type: 'paused'; run: number; step: number }
  | { type: 'stepped'; run: number; step: number }
  | { type: 'weights'; run: number; bytes: Uint8Array; step: number }
  /** Weights were loaded; `resumed` when optimizer state came too (the run continues at `step`). */
  | { type: 'restored'; run: number; step: number; resumed: boolean; source: 'saved' | 'file' | 'checkpoint'; notes?: string[] }
  /** A weights file was refused; the session and its weights are unchanged. */
  | { type: 'weightsError'; run: number; message: string }
  /** The device was lost at `lostAt`; a new session resumed from the checkpoint at `step`. */
  | { type: 'recovered'; run: number; lostAt: number; step: number; backend: string }
  /** Answers 'inspect' (and 'predict' below): null data with the reason when there is no live session. */
  | { type: 'inside'; run: number; id: number; data: InsideData | null; error?: string }
  | { type: 'prediction'; run: number; id: number; probs: Float32Array | null; error?: string }
  | { type: 'confusion'; run: number; id: number; data: Confusion | null; step: number; error?: string }
  | { type: 'text'; run: number; id: number; text: string | null; error?: string }
  | { type: 'norms'; run: number; id: number; data: ParamNorm[] | null; step: number; error?: string }
  | { type: 'boundary'; run: number; id: number; grid: BoundaryGrid | null; step: number; error?: string }
  | { type: 'showcase'; run: number; id: number; data: Showcase | null; step: number; error?: string }
  | { type: 'profile'; run: number; id: number; data: StepProfile | null; error?: string };

export type Answer = Extract<FromWorker, { type: 'inside' | 'prediction' | 'confusion' | 'text' | 'norms' | 'boundary' | 'showcase' }>;
