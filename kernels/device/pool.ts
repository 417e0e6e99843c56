// Buffer pool: every GPU buffer of the engine comes from here, so bytes in use are accounted and
// released buffers are reused instead of re-created. Buffers are bucketed by usage and by size
// rounded up to a power of two (min 256 bytes); a tensor binds only the bytes it needs.

export class BufferPool {
  private free = new Map<string, GPUBuffer[]>();
  private sizes = new WeakMap<GPUBuffer, number>();
  inUse = 0;
  held = 0;
  created = 0;

  constructor(private device: GPUDevice) {}

  static bucket(bytes: number): number {
    return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = BufferPool.bucket(bytes);
    const key = `${usage}:${size}`;
    let buf = this.free.get(key)?.pop();
    if (!buf) {
      buf = this.device.createBuffer({ size, usage, label });
      this.sizes.set(buf, size);
      this.held += size;
      this.created++;
    }
    this.inUse += size;
    return buf;
  }

  release(buf: GPUBuffer): void {
    const size = this.sizes.get(buf);
    if (size === undefined) throw new Error('BufferPool.release: buffer not from this pool');
    this.inUse -= size;
    const key = `${buf.usage}:${size}`;
    const list = this.free.get(key) ?? [];
    list.push(buf);
    this.free.set(key, list);
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
