// What a training session reports. The page, the worker and the headless trainer all consume these.

export type TrainEvent =
  | { type: 'progress'; phase: 'loading' | 'compiling'; done: number; total: number; message: string }
  | { type: 'ready'; backend: 'webgpu' | 'cpu'; adapter: string; isFallbackAdapter: boolean; params: number; dispatchesPerStep: number; stepsPerEpoch: number }
  | {
      type: 'metrics';
      step: number;
      epoch: number; // fractional epochs done
      loss: number; // mean training loss since the last metrics event
      train_accuracy: number | null; // null for regression; token accuracy for sequence tasks
      train_seq_accuracy?: number | null; // sequence tasks: fraction of sequences with every counted token right
      lr: number;
      samples_per_s: number;
      dispatches_per_step: number;
      submits_per_step: number;
    }
  | { type: 'eval'; step: number; epoch: number; test_loss: number; test_accuracy: number | null; test_seq_accuracy?: number | null }
  | { type: 'done'; reason: 'finished' | 'stopped' | 'early-stop' | 'diverged'; message: string; step: number }
  /** code 'device-lost': the GPU went away; a caller holding a checkpoint can rebuild and resume. */
  | { type: 'error'; message: string; code?: 'device-lost' };

export type TrainEventHandler = (e: TrainEvent) => void;
