// The WASM heap that CPU tensors live in (kernels/wasm/runtime.ts): blocks are returned and
// reused, zeroed on allocation, and a matmul over tensors outside the heap (plain arrays: what a
// full heap hands out) still takes the WASM path by copying, with the reference's result.
// Run: node --import tsx --test tests/wasm-heap.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newTensorId, type Tensor } from '../kernels/backend.ts';
import { CpuBackend } from '../kernels/cpu/backend.ts';
import { heapF32, heapFree, setWasmEnabled, wasm } from '../kernels/wasm/index.ts';

test('heap blocks are zeroed, returned on free and reused first-fit', () => {
  const a = heapF32(1000)!, b = heapF32(10)!;
  assert.ok(a && b, 'the heap refused 4 KB');
  assert.notEqual(a.byteOffset, b.byteOffset);
  a.fill(7);
  heapFree(a);
  const c = heapF32(900)!;
  assert.equal(c.byteOffset, a.byteOffset, 'a freed block is not reused');
  assert.ok(c.every((v) => v === 0), 'a reused block is not zeroed');
  heapFree(b);
  heapFree(c);
});

test('CpuBackend f32 tensors live in the heap and free() gives their bytes back', () => {
  const be = new CpuBackend('f32');
  const t = be.tensor([33, 7], 't');
  const at = (t.store as Float32Array).byteOffset;
  assert.equal((t.store as Float32Array).buffer, heapF32(1)!.buffer, 'tensor is not in the WASM heap');
  be.free(t);
  assert.equal(be.bytesInUse(), 0);
  const u = be.tensor([33, 7], 'u');
  assert.equal((u.store as Float32Array).byteOffset, at, 'freed tensor bytes were not reused');
  be.free(u);
  assert.ok(!(new CpuBackend('f64').tensor([3], 'x').store instanceof Float32Array), 'f64 tensors must stay Float64Array');
});

test('matmul over tensors outside the heap copies them in and matches the reference', () => {
  assert.ok(wasm());
  const be = new CpuBackend('f32');
  const plain = (shape: number[], name: string, fill: (i: number) => number): Tensor => {
    const size = shape.reduce((x, y) => x * y, 1);
    return { id: newTensorId(), name, shape, size, dtype: 'f32', offset: 0, store: Float32Array.from({ length: size }, (_, i) => fill(i)) };
  };
  const a = plain([17, 9], 'a', (i) => Math.sin(i)), b = plain([13, 9], 'b', (i) => Math.cos(i * 0.7));
  const outs = [true, false].map((on) => {
    setWasmEnabled(on);
    const out = plain([17, 13], 'out', () => 0.5);
    be.run(be.program('mm', [be.matmul(out, a, b, { transB: true, accumulate: true })]), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: 1 });
    return out.store as Float32Array;
  });
  setWasmEnabled(true);
  let worst = 0;
  for (let i = 0; i < outs[1].length; i++) worst = Math.max(worst, Math.abs(outs[0][i] - outs[1][i]));
  assert.ok(worst < 1e-5, `copy path differs from the reference by ${worst}`);
  assert.ok(outs[0].some((v, i) => v !== outs[1][i]), 'identical to the last bit: did the WASM path run?');
});

test('an op that a subclass overrides (a fault injected by a test) is not replaced by its WASM kernel', () => {
  class Doubled extends CpuBackend {
    override addInto(dst: Tensor, src: Tensor) {
      const k = super.addInto(dst, src) as { label: string; exec(p: unknown): void };
      return { label: k.label, exec: (p: unknown) => { k.exec(p); k.exec(p); } };
    }
  }
  const be = new Doubled('f32');
  const d = be.tensor([5], 'd'), s = be.tensor([5], 's');
  be.write(s, Float32Array.from([1, 2, 3, 4, 5]));
  be.run(be.program('add', [be.addInto(d, s)]), { step: 1, batchStart: 0, lr: 0, seed: 0, rows: 1 });
  assert.deepEqual([...(d.store as Float32Array).subarray(d.offset, d.offset + 5)], [2, 4, 6, 8, 10]);
});
