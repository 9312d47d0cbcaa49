/**
 * What a debugger's screen panel is sent of the guest's screen (devices/screen.ts): a
 * whole frame when the scanout is new or resized, else only the rectangles the guest
 * flushed, at most one every `intervalMs` (QEMU's display refresh, 30 ms: 33 a second), with the cursor when it changed. Nothing is
 * sent while the guest draws nothing. Rectangles come out as RGBA (`RawFrame`) and go
 * as PNG (zlib level 1): a few KB for screen-like content where RGBA is 3 MB for
 * 1024 × 768, which measured slower in the editor (code-server) than the PNG's cost.
 * `png` deflates on libuv's thread pool, so the guest's thread pays only the scanline
 * copy (2-3 ms a full frame instead of 9-10).
 */
import type { Rect, Screen } from '../devices/screen';
import type { ScreenCursorState, ScreenFrame } from '../machine/debug-protocol';
import { encodePng, encodePngAsync } from './png';

/** A frame before encoding: its rectangles' pixels as RGBA. */
export interface RawFrame extends Omit<ScreenFrame, 'rects'> { rects: (Rect & { rgba: Uint8Array })[] }

const FAST = 1;
/**
 * QEMU's displays refresh every 30 ms (GUI_REFRESH_INTERVAL_DEFAULT, include/ui/console.h):
 * 33 frames a second at most. (A beat of exactly 1000/30 made every late frame a rate
 * below 30: the e2e animation measured 28.8.)
 */
export const REFRESH_MS = 30;

/** The frame as it is sent, each rectangle a PNG, deflated off the calling thread. */
export async function png(f: RawFrame): Promise<ScreenFrame> {
  const rects = await Promise.all(f.rects.map(async (r) => ({ x: r.x, y: r.y, width: r.width, height: r.height, png: await encodePngAsync(r.width, r.height, r.rgba, FAST) })));
  return { ...f, rects };
}

/** `png` at once, on this thread (a whole screen asked for once). */
export function pngNow(f: RawFrame): ScreenFrame {
  return { ...f, rects: f.rects.map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height, png: encodePng(r.width, r.height, r.rgba, FAST) })) };
}

export class ScreenFrames {
  private generation: number;
  /** When the next frame may go: on a fixed beat, so a frame a little late does not lower the rate. */
  private dueAt = -Infinity;
  private cursorKey = '';
  private imageVersion = -1;

  constructor(private readonly screen: Screen, private readonly intervalMs = REFRESH_MS) {
    this.generation = screen.generation; // nothing shown yet: no frame until the guest sets a scanout
  }

  /** A frame as it is sent (png): here, so the host-neutral worker needs no encoder of its own. */
  encode(f: RawFrame): Promise<ScreenFrame> { return png(f); }
  /** The same at once (pngNow). */
  encodeNow(f: RawFrame): ScreenFrame { return pngNow(f); }

  /**
   * Everything shown now, for a request of its own (a panel opening, a screenshot): it reads
   * and changes nothing the stream of `next` frames depends on, so a waiting panel still
   * gets the changes pending now (drawn twice by a panel that asked for both: the same pixels).
   */
  whole(): RawFrame {
    const s = this.screen, c = s.cursor;
    return { ...this.wholeScanout(),
      cursor: c === null ? null : { x: c.x, y: c.y, hotX: c.hotX, hotY: c.hotY, visible: c.visible, width: c.width, height: c.height, image: c.image.slice() } };
  }

  /** The stream starts again from a whole frame (a new or resized scanout): pending rectangles are part of it. */
  private restart(): RawFrame {
    this.screen.takeDirty();
    this.generation = this.screen.generation;
    return { ...this.wholeScanout(), cursor: this.cursor(true) };
  }

  private wholeScanout(): Omit<RawFrame, 'cursor'> {
    const s = this.screen;
    return { generation: s.generation, width: s.width, height: s.height, full: true,
      rects: s.width === 0 ? [] : [{ x: 0, y: 0, width: s.width, height: s.height, rgba: s.pixels() }] };
  }

  /**
   * The frame due at host time `now` (ms), or null; `waitMs` > 0 says a change waits for
   * the frame interval and `next` should be asked again then. `now === Infinity` sends
   * what is pending at once (the machine stopped: the panel shows where it stopped).
   */
  next(now: number): { frame: RawFrame | null; waitMs: number } {
    const s = this.screen;
    if (s.generation !== this.generation) { this.sent(now); return { frame: this.restart(), waitMs: 0 }; }
    const cursorChanged = this.cursorKeyNow() !== this.cursorKey;
    if (!s.hasDirty && !cursorChanged) return { frame: null, waitMs: 0 };
    const wait = this.dueAt - now;
    if (wait > 0) return { frame: null, waitMs: wait };
    this.sent(now);
    const rects = s.takeDirty().map((r) => ({ ...r, rgba: s.pixels(r) }));
    return { frame: { generation: s.generation, width: s.width, height: s.height, full: false, rects, cursor: this.cursor(false) }, waitMs: 0 };
  }

  /**
   * A frame went at `now`: the next is due one interval after this one was due, not after
   * it went (the worker answers between slices, so a frame goes a few ms late; counted
   * from when it went, 33 a second would become 27); after an idle spell, one interval
   * after this one (no burst).
   */
  private sent(now: number): void {
    if (!Number.isFinite(now)) return;
    this.dueAt += this.intervalMs;
    if (this.dueAt <= now) this.dueAt = now + this.intervalMs;
  }

  private cursorKeyNow(): string {
    const c = this.screen.cursor;
    return c === null ? '' : `${c.x},${c.y},${c.hotX},${c.hotY},${c.visible},${c.imageVersion}`;
  }

  /** The cursor's state; its image only when it changed since last sent (or `always`). */
  private cursor(always: boolean): ScreenCursorState | null {
    const c = this.screen.cursor;
    this.cursorKey = this.cursorKeyNow();
    if (c === null) return null;
    const withImage = always || c.imageVersion !== this.imageVersion;
    this.imageVersion = c.imageVersion;
    return { x: c.x, y: c.y, hotX: c.hotX, hotY: c.hotY, visible: c.visible, width: c.width, height: c.height,
      ...(withImage ? { image: c.image.slice() } : {}) };
  }
}
