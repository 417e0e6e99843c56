// CpuBackend.unary / unaryBackward / binary / binaryBackward on the WebAssembly kernels
// and addInto (kernels/wasm/as/elementwise.ts), in place in the WASM heap.
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type Tensor, type UnaryOp } from '../backend.ts';
import { addressOf, Scratch, wasm } from './runtime.ts';

const at = (t: Tensor | null) => (t ? addressOf(t.store, t.offset) : 0);

export function wasmUnary(op: UnaryOp, out: Tensor, x: Tensor, alpha: number): () => boolean {
  const code = UNARY_OPS.indexOf(op);
  return () => {
    const k = wasm(), px = at(x), py = at(out);
    if (!k || Math.min(px, py) < 0) return false;
    k.unary(code, x.size, px, py, alpha);
    return true;
  };
}

export function wasmUnaryBackward(op: UnaryOp, dx: Tensor, dy: Tensor, x: Tensor, y: Tensor, alpha: number): () => boolean {
  const code = UNARY_OPS.indexOf(op);
  return () => {
    const k = wasm(), p = [at(x), at(y), at(dy), at(dx)];
    if (!k || Math.min(...p) < 0) return false;
    k.unaryBackward(code, x.size, p[0], p[1], p[2], p[3], alpha);
    return true;
  };
}

export function wasmBinary(op: BinaryOp, out: Tensor, a: Tensor, b: Tensor): () => boolean {
  const code = BINARY_OPS.indexOf(op);
  return () => {
    const k = wasm(), p = [at(a), at(b), at(out)];
    if (!k || Math.min(...p) < 0) return false;
    k.binary(code, a.size, b.size, p[0], p[1], p[2]);
    return true;
  };
}

export function wasmBinaryBackward(op: BinaryOp, da: Tensor | null, db: Tensor | null, dy: Tensor, a: Tensor, b: Tensor): () => boolean {
  const code = BINARY_OPS.indexOf(op);
  return () => {
    const k = wasm(), p = [at(a), at(b), at(dy), at(da), at(db)];
    if (!k || Math.min(...p) < 0) return false;
    const s = new Scratch();
    try {
      const acc = s.alloc(2 * b.size); // b.size f64
      if (acc < 0) return false;
      k.binaryBackward(code, a.size, b.size, p[0], p[1], p[2], p[3], p[4], acc);
      return true;
    } finally {
      s.done();
    }
  };
}

export function wasmAddInto(dst: Tensor, src: Tensor): () => boolean {
  return () => {
    const k = wasm(), pd = at(dst), ps = at(src);
    if (!k || Math.min(pd, ps) < 0) return false;
    k.addInto(dst.size, pd, ps);
    return true;
  };
}
