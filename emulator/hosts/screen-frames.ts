/**
 * What a debugger's screen panel is sent of the guest's screen (devices/screen.ts): a
 * whole frame when the scanout is new or resized, else only the rectangles the guest
 * flushed, at most `fps` times a second, with the cursor when it changed. Nothing is
 * sent while the guest draws nothing. Each rectangle is a PNG (zlib level 1: a full
 * 1024 × 768 frame in about 10 ms here, mostly a few KB to a few hundred KB instead of
 * 3 MB of RGBA), which a browser decodes natively and every client can read.
 */
import type { Screen } from '../devices/screen';
import type { ScreenCursorState, ScreenFrame } from '../machine/debug-protocol';
import { encodePng } from './png';

const FAST = 1;

export class ScreenFrames {
  private generation: number;
  private lastAt = -Infinity;
  private cursorKey = '';
  private imageVersion = -1;

  constructor(private readonly screen: Screen, private readonly fps = 30) {
    this.generation = screen.generation; // nothing shown yet: no frame until the guest sets a scanout
  }

  /** Everything shown now (the panel opening, a screenshot); pending rectangles are part of it. */
  full(): ScreenFrame {
    this.screen.takeDirty();
    this.generation = this.screen.generation;
    const s = this.screen;
    return { generation: s.generation, width: s.width, height: s.height, full: true,
      rects: s.width === 0 ? [] : [{ x: 0, y: 0, width: s.width, height: s.height, png: encodePng(s.width, s.height, s.pixels(), FAST) }], cursor: this.cursor(true) };
  }

  /**
   * The frame due at host time `now` (ms), or null; `waitMs` > 0 says a change waits for
   * the frame interval and `next` should be asked again then. `now === Infinity` sends
   * what is pending at once (the machine stopped: the panel shows where it stopped).
   */
  next(now: number): { frame: ScreenFrame | null; waitMs: number } {
    const s = this.screen;
    if (s.generation !== this.generation) { if (Number.isFinite(now)) this.lastAt = now; return { frame: this.full(), waitMs: 0 }; }
    const cursorChanged = this.cursorKeyNow() !== this.cursorKey;
    if (!s.hasDirty && !cursorChanged) return { frame: null, waitMs: 0 };
    const wait = this.lastAt + 1000 / this.fps - now;
    if (wait > 0) return { frame: null, waitMs: wait };
    if (Number.isFinite(now)) this.lastAt = now;
    const rects = s.takeDirty().map((r) => ({ ...r, png: encodePng(r.width, r.height, s.pixels(r), FAST) }));
    return { frame: { generation: s.generation, width: s.width, height: s.height, full: false, rects, cursor: this.cursor(false) }, waitMs: 0 };
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
