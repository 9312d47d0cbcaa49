/**
 * Data watchpoints (DAP data breakpoints) on physical addresses: RAM, device registers
 * and what devices reach by DMA. Harts meet them in their slow path: a page holding a
 * watched byte is never put in a TLB, so every access to it goes through
 * `Hart.translate`, which asks `check`. Device DMA reports its buffers through
 * MemoryRegion.dmaTouched. With no watchpoint set nothing here runs (the hooks are null).
 */

export interface Watch { id: number; base: number; size: number; read: boolean; write: boolean }

export interface WatchHit {
  id: number;
  /** Physical address and size of the access that hit. */
  address: number;
  size: number;
  write: boolean;
  /** Hart id, or the device name for DMA. */
  by: number | string;
}

export class Watchpoints {
  private list: Watch[] = [];
  private pages = new Set<number>();
  /** The first hit since the last stop; the machine stops on it. */
  hit: WatchHit | null = null;
  /** Called on a DMA hit, so the hart whose store set the device going stops after that store. */
  onDmaHit: (() => void) | null = null;

  set(list: Watch[]): void {
    this.list = list;
    this.pages.clear();
    for (const w of list) for (let p = Math.floor(w.base / 4096); p <= Math.floor((w.base + w.size - 1) / 4096); p++) this.pages.add(p);
  }

  get empty(): boolean { return this.list.length === 0; }

  /** Whether the 4 KiB page at physical `page` (an address) holds a watched byte: it must stay out of the TLBs. */
  coversPage(page: number): boolean { return this.pages.has(Math.floor(page / 4096)); }

  /** An access to [pa, pa+size): records the first hit; true when this access hit. */
  check(pa: number, size: number, write: boolean, by: number | string): boolean {
    for (const w of this.list) {
      if (pa < w.base + w.size && w.base < pa + size && (write ? w.write : w.read)) {
        if (this.hit === null) this.hit = { id: w.id, address: pa, size, write, by };
        if (typeof by === 'string') this.onDmaHit?.();
        return true;
      }
    }
    return false;
  }

  take(): WatchHit | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }
}
