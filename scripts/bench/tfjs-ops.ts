// The peer's side of the kernel items: tf.matMul and the three conv2d kernels (forward,
// Conv2DBackpropInput, Conv2DBackpropFilter: the kernels tf.grads of tf.conv2d runs), on the
// current tfjs backend. Each iteration disposes the previous result; sync reads one element of the
// latest, which waits for everything queued before it.
import * as tf from '@tensorflow/tfjs-core';
import type { ConvCase } from './ours.ts';
import type { Work } from './measure.ts';

function opWork(make: () => tf.Tensor[], inputs: tf.Tensor[]): Work {
  let last: tf.Tensor[] = [];
  return {
    batch: 0,
    iter() {
      for (const t of last) t.dispose();
      last = make();
    },
    async sync() {
      const probe = tf.tidy(() => tf.concat(last.map((t) => tf.slice(tf.reshape(t, [-1]), 0, 1))));
      await probe.data();
      probe.dispose();
    },
    dispose() {
      for (const t of [...last, ...inputs]) t.dispose();
      last = [];
    },
  };
}

export function tfMatmul(n: number): Work {
  const a = tf.randomUniform([n, n], -1, 1), b = tf.randomUniform([n, n], -1, 1);
  return opWork(() => [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)], [a, b]);
}

export function tfConv(c: ConvCase, pass: 'forward' | 'backward'): Work {
  const x = tf.randomUniform([c.N, c.H, c.W, c.C], -1, 1) as tf.Tensor4D;
  const w = tf.randomUniform([c.K, c.K, c.C, c.F], -1, 1) as tf.Tensor4D;
  const dy = tf.randomUniform([c.N, c.H, c.W, c.F], -1, 1) as tf.Tensor4D;
  if (pass === 'forward') return opWork(() => [tf.conv2d(x, w, 1, 'same')], [x, w, dy]);
  const common = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
  return opWork(() => [
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: x.shape } as never) as tf.Tensor,
    tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, dilations: [1, 1], filterShape: w.shape } as never) as tf.Tensor,
  ], [x, w, dy]);
}
