// The bounds of every spec field: the validator, the builder's inputs and the layer registry read them here.
export const LIMITS = {
  layers: 64,
  units: 8192,
  batchSize: 4096,
  epochs: 1_000_000, // a playground run goes on until paused, as in TensorFlow Playground
  lr: 10,
  nameLength: 80,
  residualDepth: 4,
  vocab: 65536,
  hidden: 2048,
  recurrentLayers: 8,
  seqLength: 256, // timesteps of a task's input
  taskSize: 200000,
  filters: 1024,
  kernel: 15, // also the largest pooling window
  stride: 8,
  dilation: 8,
  padding: 16,
  augShift: 8, // pixels
  augRotate: 45, // degrees
  augScale: 0.5, // ×[0.5, 1.5] at most
  heads: 64,
  blocks: 24, // transformer blocks in one layer
  patch: 28,
  dropout: 0.95, // the largest dropout rate (layers and transformer branches)
  forgetBias: 10, // an LSTM forget-gate bias lies in [−10, 10]
  epsMin: 1e-12, // the smallest normalisation epsilon
};
