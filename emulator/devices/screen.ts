/**
 * The guest's screen as the host sees it: what a display device (virtio-gpu) shows on
 * its one scanout, as RGBA, with the rectangles the guest flushed since the host last
 * looked, and the cursor. The CLI's screenshots and the editor's screen panel read it;
 * nothing here reaches back into the guest.
 */

export interface Rect { x: number; y: number; width: number; height: number }

export interface ScreenCursor {
  /** Position of the hot spot on the scanout, in pixels. */
  x: number; y: number;
  hotX: number; hotY: number;
  visible: boolean;
  width: number; height: number;
  /** RGBA, row-major, `width * height * 4` bytes (alpha as the guest gave it). */
  image: Uint8Array;
  /** Bumps when the image changes (a host caches it by this). */
  imageVersion: number;
}

export interface Screen {
  /** Scanout size in pixels; 0 × 0 while the guest shows nothing. */
  readonly width: number;
  readonly height: number;
  /** The size the display asks the guest for (GET_DISPLAY_INFO, EDID). */
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** RGBA bytes of `r` (default: the whole scanout), row-major, alpha 255. */
  pixels(r?: Rect): Uint8Array;
  /** Rectangles flushed since the last call, in scanout coordinates; a new or resized scanout reports all of it. */
  takeDirty(): Rect[];
  /** Whether takeDirty would return anything (a host throttling its frames asks first). */
  readonly hasDirty: boolean;
  readonly cursor: ScreenCursor | null;
  /** Bumps whenever the scanout is set, resized or disabled. */
  readonly generation: number;
}

/** Most rectangles kept between two reads; past that they merge into their bounding box. */
const MAX_DIRTY = 64;

/**
 * Pending dirty rectangles, bounded: a host that never reads costs a fixed amount, and
 * what it reads is never more pixels than the area that changed's bounding box (a guest
 * flushing the whole screen every frame leaves one rectangle, not one per frame).
 */
export class DirtyList {
  private rects: Rect[] = [];

  add(r: Rect): void {
    if (r.width <= 0 || r.height <= 0) return;
    if (this.rects.some((o) => contains(o, r))) return;
    this.rects = this.rects.filter((o) => !contains(r, o));
    this.rects.push(r);
    const box = boundingBox(this.rects);
    const area = this.rects.reduce((n, o) => n + o.width * o.height, 0);
    if (this.rects.length > MAX_DIRTY || area >= box.width * box.height) this.rects = [box];
  }

  take(): Rect[] {
    const out = this.rects;
    this.rects = [];
    return out;
  }

  get empty(): boolean { return this.rects.length === 0; }
}

const contains = (a: Rect, b: Rect) => a.x <= b.x && a.y <= b.y && a.x + a.width >= b.x + b.width && a.y + a.height >= b.y + b.height;

export function boundingBox(rs: readonly Rect[]): Rect {
  const x0 = Math.min(...rs.map((r) => r.x)), y0 = Math.min(...rs.map((r) => r.y));
  const x1 = Math.max(...rs.map((r) => r.x + r.width)), y1 = Math.max(...rs.map((r) => r.y + r.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The intersection of two rectangles, or null when they do not overlap. */
export function intersect(a: Rect, b: Rect): Rect | null {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}
