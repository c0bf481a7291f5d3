// A size-class allocator over wasm linear memory. Blocks are 64-byte aligned; a request is rounded up
// to a size class (multiples of 64 B up to 4 KiB, then eighths of a power of two) and freed blocks go to
// an exact-class free list, so a training loop that allocates the same shapes every step reaches a
// steady state where memory stops growing. Memory grows geometrically; views are never cached here.

const ALIGN = 64;
const PAGE = 65536;

export function sizeClass(bytes: number): number {
  if (bytes <= 0) return ALIGN;
  if (bytes <= 4096) return Math.ceil(bytes / ALIGN) * ALIGN;
  const step = 2 ** Math.floor(Math.log2(bytes)) / 8;
  return Math.ceil(bytes / step) * step;
}

export interface AllocatorStats {
  /** Bytes in live blocks (size classes, not requested sizes). */
  inUse: number;
  /** High-water mark of `inUse`. */
  peak: number;
  /** Size of the wasm memory in bytes. */
  memoryBytes: number;
  /** Number of live blocks. */
  blocks: number;
}

export class Allocator {
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  private readonly sizes = new Map<number, number>();
  private inUse = 0;
  private peak = 0;

  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`alloc: invalid byte count ${bytes}`);
    const size = sizeClass(bytes);
    const list = this.freeLists.get(size);
    let ptr = list?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      this.ensure(ptr + size);
      this.top = ptr + size;
    }
    this.sizes.set(ptr, size);
    this.inUse += size;
    if (this.inUse > this.peak) this.peak = this.inUse;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`free: ${ptr} is not a live block (double free?)`);
    this.sizes.delete(ptr);
    this.inUse -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  isLive(ptr: number): boolean {
    return this.sizes.has(ptr);
  }

  stats(): AllocatorStats {
    return { inUse: this.inUse, peak: this.peak, memoryBytes: this.memory.buffer.byteLength, blocks: this.sizes.size };
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const needPages = Math.ceil((end - have) / PAGE);
    // Grow by at least a quarter of the current size so that growth is rare.
    const pages = Math.max(needPages, Math.ceil(have / PAGE / 4));
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(needPages);
      } catch (e) {
        throw new RangeError(
          `ecgrad: out of wasm memory (have ${have} bytes, need ${end}); wasm32 allows at most 4 GiB: ` +
            `use smaller batches or release tensors you keep (${(e as Error).message})`,
        );
      }
    }
  }
}
