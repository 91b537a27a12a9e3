/**
 * Readback through a pool of MAP_READ staging buffers: created on first need,
 * reused afterwards, so reading the loss every chunk allocates nothing new.
 */
import { GpuError, lostError } from './device.js';

export interface Range {
  buffer: GPUBuffer;
  /** Byte offset, a multiple of 4. */
  offset: number;
  /** Bytes, a multiple of 4. */
  size: number;
}

export class StagingPool {
  private readonly free: GPUBuffer[] = [];
  private readonly all: GPUBuffer[] = [];
  private lost: GPUDeviceLostInfo | null = null;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
  ) {
    void device.lost.then((info) => (this.lost = info));
  }

  /**
   * Copies each range into a staging buffer with one submit (after everything
   * already submitted, in queue order), then maps them all and returns copies.
   */
  async read(ranges: readonly Range[]): Promise<ArrayBuffer[]> {
    if (this.lost) throw lostError(this.lost);
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.readback` });
    const staging = ranges.map((r) => {
      const s = this.acquire(r.size);
      encoder.copyBufferToBuffer(r.buffer, r.offset, s, 0, r.size);
      return s;
    });
    this.device.queue.submit([encoder.finish()]);
    try {
      await Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ)));
    } catch (e) {
      throw await this.failure(e);
    }
    const out = staging.map((s, i) => s.getMappedRange(0, ranges[i]!.size).slice(0));
    for (const s of staging) {
      s.unmap();
      this.free.push(s);
    }
    return out;
  }

  /**
   * Why a map failed, in words: the trainer was destroyed meanwhile, the device
   * was lost (its loss may be reported just after the map's rejection), or the
   * underlying error, by name where its message is empty (an AbortError has none).
   */
  private async failure(e: unknown): Promise<GpuError> {
    const failed = `${this.label}: reading back failed`;
    if (this.destroyed) return new GpuError('destroyed', `${failed}: the trainer was destroyed while reading back`);
    const lost =
      this.lost ?? (await Promise.race([this.device.lost, new Promise<null>((r) => setTimeout(() => r(null), 0))]));
    if (lost) return lostError(lost);
    return new GpuError('internal', `${failed}: ${readbackCause(e)}`);
  }

  destroy(): void {
    this.destroyed = true;
    for (const b of this.all) b.destroy();
    this.all.length = 0;
    this.free.length = 0;
  }

  private acquire(size: number): GPUBuffer {
    const i = this.free.findIndex((b) => b.size >= size);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    const b = this.device.createBuffer({
      label: `${this.label}.staging${this.all.length}`,
      size: Math.max(4, size),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.all.push(b);
    return b;
  }
}

/** An error as a cause in words: "name: message", the name alone if the message is empty (a DOMException's may be). */
export function readbackCause(e: unknown): string {
  const { name, message } = e instanceof Error || e instanceof DOMException ? e : { name: '', message: String(e) };
  return [name, message].filter(Boolean).join(': ') || 'no reason given';
}
