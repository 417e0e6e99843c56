// TensorFlow.js's WebGPU backend on Dawn in Node, the peer the browser benchmark uses, here on the
// same adapter as ours. Imported only after loadDawn has installed navigator.gpu and the GPU*
// globals: tfjs-backend-webgpu registers itself at import only where navigator.gpu exists.
import type { BenchData } from '../bench/data.ts';
import { errText, type Work } from '../bench/measure.ts';
import type { ModelName } from '../bench/ours.ts';

export type TfjsPeer =
  | { version: string; matmul(n: number): Work; model(m: ModelName, d: BenchData): Work }
  | { error: string };

export async function tfjsOnDawn(): Promise<TfjsPeer> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) return { error: "tf.setBackend('webgpu') failed" };
    await tf.ready();
    const { tfMatmul } = await import('../bench/tfjs-ops.ts');
    const { tfModel, tfWork } = await import('../bench/tfjs-models.ts');
    return { version: tf.version_core, matmul: tfMatmul, model: (m, d) => tfWork(tfModel(m, d)) };
  } catch (e) {
    return { error: errText(e) };
  }
}
