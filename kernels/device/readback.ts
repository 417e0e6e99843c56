// Asynchronous readback through a small ring of MAP_READ staging buffers. A snapshot copy is
// encoded into the step's own submission; mapping resolves later, so the step never waits. When
// every slot is still in flight the ring grows (and counts it) rather than stalling.

export interface StagingSlot {
  buffer: GPUBuffer;
  busy: boolean;
}

export class StagingRing {
  private slots: StagingSlot[] = [];
  grown = 0;

  constructor(private device: GPUDevice, initial = 4, private slotBytes = 256) {
    for (let i = 0; i < initial; i++) this.slots.push(this.create());
  }

  private create(): StagingSlot {
    const buffer = this.device.createBuffer({
      size: this.slotBytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      label: 'staging ring',
    });
    return { buffer, busy: false };
  }

  get inFlight(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  take(bytes: number): StagingSlot {
    if (bytes > this.slotBytes) throw new Error(`snapshot of ${bytes} bytes exceeds the ring's ${this.slotBytes}-byte slots`);
    let slot = this.slots.find((s) => !s.busy);
    if (!slot) {
      slot = this.create();
      this.slots.push(slot);
      this.grown++;
    }
    slot.busy = true;
    return slot;
  }

  async map(slot: StagingSlot, bytes: number): Promise<Float32Array> {
    try {
      await slot.buffer.mapAsync(GPUMapMode.READ, 0, bytes);
      const out = new Float32Array(slot.buffer.getMappedRange(0, bytes).slice(0));
      slot.buffer.unmap();
      return out;
    } finally {
      slot.busy = false;
    }
  }

  destroy(): void {
    for (const s of this.slots) s.buffer.destroy();
    this.slots = [];
  }
}
