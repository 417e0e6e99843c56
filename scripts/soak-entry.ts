// Browser side of the soak benchmark: trains without end and reports memory on request.
import { presetSpec } from '../kernels/model/presets.ts';
import { createSession, type Session } from '../kernels/train/session.ts';

const g = globalThis as unknown as { __ready: boolean; __stats: () => unknown; __session?: Session; __last?: number };
(async () => {
  const spec = presetSpec(new URLSearchParams(location.hash.slice(1)).get('preset') ?? 'mlp-mnist-small');
  spec.train.epochs = 1000;
  spec.train.evalEverySteps = 2000;
  const s = await createSession(spec, {
    backend: 'webgpu', dataUrl: new URL('mnist/', location.href).toString(),
    onEvent: (e) => { if (e.type === 'metrics') g.__last = e.loss; },
  });
  g.__session = s;
  g.__stats = () => ({
    step: s.step,
    loss: g.__last,
    gpuBytesInUse: s.backend.bytesInUse(),
    jsHeap: (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null,
    visibility: document.visibilityState,
  });
  void s.start();
  g.__ready = true;
})();
