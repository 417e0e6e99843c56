// Seeded randomness shared by both backends.
// - `hashU32` is the counter-based generator behind dropout masks: a PCG output permutation of a
//   32-bit counter, so any element's draw is a pure function of (seed, salt, index) and the GPU and
//   CPU backends produce the same mask without storing it.
// - `Rng` (splitmix32) drives weight init and shuffling on the host.

export function pcg(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> (((state >>> 28) + 4) >>> 0)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

export function hashU32(seed: number, salt: number, index: number): number {
  return pcg((seed ^ pcg((salt ^ pcg(index >>> 0)) >>> 0)) >>> 0);
}

/** Uniform in [0, 1) with 24 bits, from a hash. */
export function hashUniform(seed: number, salt: number, index: number): number {
  return (hashU32(seed, salt, index) >>> 8) / 16777216;
}

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  nextU32(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.nextU32() % (i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
