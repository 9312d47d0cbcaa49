/**
 * virtio-gpu, 2D only (virtio 1.2 §5.7), answering as QEMU 7.2's virtio-gpu-device:
 * controlq and cursorq, one scanout, the EDID feature, no 3D capability sets. Resources
 * are host images in the guest's pixel format; the guest's backing is a checked list of
 * RAM segments, read only when the guest transfers. Every bad request gets the
 * VIRTIO_GPU_RESP_ERR_* QEMU sends for it (checked against QEMU by the virtio-gpu
 * guest), never an exception. The scanout is the host's `Screen` (devices/screen.ts).
 */
import { DescriptorChain, GuestRam, inRam, Segment } from './queue';
import { serveChains, VirtioDevice, VirtioTransport, VIRTIO_ID } from './mmio';
import { DirtyList, intersect, Rect, Screen, ScreenCursor } from '../screen';
import { EDID_BYTES, edidBlock } from './edid';
import { list, record, Saved, SavedRecord } from '../../snapshot/saved';

/** §5.7.3 feature bits. */
export const VIRTIO_GPU_F = { VIRGL: 0, EDID: 1 } as const;

/** §5.7.6.7 command types. */
export const GPU_CMD = {
  GET_DISPLAY_INFO: 0x100, RESOURCE_CREATE_2D: 0x101, RESOURCE_UNREF: 0x102, SET_SCANOUT: 0x103,
  RESOURCE_FLUSH: 0x104, TRANSFER_TO_HOST_2D: 0x105, RESOURCE_ATTACH_BACKING: 0x106, RESOURCE_DETACH_BACKING: 0x107,
  GET_EDID: 0x10a, UPDATE_CURSOR: 0x300, MOVE_CURSOR: 0x301,
} as const;

/** §5.7.6.7 response types. */
export const GPU_RESP = {
  OK_NODATA: 0x1100, OK_DISPLAY_INFO: 0x1101, OK_EDID: 0x1104,
  ERR_UNSPEC: 0x1200, ERR_OUT_OF_MEMORY: 0x1201, ERR_INVALID_SCANOUT_ID: 0x1202,
  ERR_INVALID_RESOURCE_ID: 0x1203, ERR_INVALID_PARAMETER: 0x1205,
} as const;

export const VIRTIO_GPU_FLAG_FENCE = 1;
/** §5.7.4 events_read bit: the display configuration changed. */
export const VIRTIO_GPU_EVENT_DISPLAY = 1;

/**
 * §5.7.6.8 formats: where red, green, blue and alpha sit in each pixel's four bytes
 * (alpha -1: an X format). QEMU 7.2 takes all eight.
 */
export const GPU_FORMATS: Readonly<Record<number, { name: string; r: number; g: number; b: number; a: number }>> = {
  1: { name: 'B8G8R8A8', b: 0, g: 1, r: 2, a: 3 },
  2: { name: 'B8G8R8X8', b: 0, g: 1, r: 2, a: -1 },
  3: { name: 'A8R8G8B8', a: 0, r: 1, g: 2, b: 3 },
  4: { name: 'X8R8G8B8', a: -1, r: 1, g: 2, b: 3 },
  67: { name: 'R8G8B8A8', r: 0, g: 1, b: 2, a: 3 },
  68: { name: 'X8B8G8R8', a: -1, b: 1, g: 2, r: 3 },
  121: { name: 'A8B8G8R8', a: 0, b: 1, g: 2, r: 3 },
  134: { name: 'R8G8B8X8', r: 0, g: 1, b: 2, a: -1 },
};

/** QEMU's default display size (virtio-gpu xres/yres) and its one output. */
export const DEFAULT_DISPLAY = { width: 1280, height: 800 } as const;
/** The sides a display may have: QEMU's smallest scanout, and a bound of ours (QEMU takes any 32-bit size). */
export const MIN_DISPLAY = 16, MAX_DISPLAY = 8192;
const MAX_SCANOUTS = 16;
const NUM_SCANOUTS = 1;
/** QEMU's max_hostmem: resources together stay below this many bytes of host memory. */
export const MAX_HOSTMEM = 256 * 1024 * 1024;
/** QEMU's limit on ATTACH_BACKING entries. */
const MAX_BACKING_ENTRIES = 16384;
/** QEMU's cursor images are 64 × 64; a cursor resource of another size leaves the image as it was. */
const CURSOR_SIZE = 64;
const HDR = 24;
const CTRL_QUEUE = 256, CURSOR_QUEUE = 16;
/** Bytes of each command (header included), from §5.7.6.8's structs. */
const CMD_BYTES: Readonly<Record<number, number>> = {
  [GPU_CMD.GET_DISPLAY_INFO]: HDR, [GPU_CMD.RESOURCE_CREATE_2D]: HDR + 16, [GPU_CMD.RESOURCE_UNREF]: HDR + 8,
  [GPU_CMD.SET_SCANOUT]: HDR + 24, [GPU_CMD.RESOURCE_FLUSH]: HDR + 24, [GPU_CMD.TRANSFER_TO_HOST_2D]: HDR + 32,
  [GPU_CMD.RESOURCE_ATTACH_BACKING]: HDR + 8, [GPU_CMD.RESOURCE_DETACH_BACKING]: HDR + 8, [GPU_CMD.GET_EDID]: HDR + 8,
};
const CURSOR_CMD_BYTES = HDR + 32;

interface Resource {
  id: number;
  format: number;
  width: number;
  height: number;
  /** The image, 4 bytes a pixel in the guest's format, rows of `width * 4`. */
  data: Uint8Array;
  /** Guest RAM segments (offsets into RAM), in order; null without backing. */
  backing: Segment[] | null;
}

interface Scanout { resource: Resource; x: number; y: number; width: number; height: number }

const rect = (dv: DataView, at: number): Rect => ({ x: dv.getUint32(at, true), y: dv.getUint32(at + 4, true), width: dv.getUint32(at + 8, true), height: dv.getUint32(at + 12, true) });
/** QEMU's bounds check for transfer, flush and scanout rectangles (each part, then the sums). */
const outside = (r: Rect, res: Resource) =>
  r.x > res.width || r.y > res.height || r.width > res.width || r.height > res.height ||
  r.x + r.width > res.width || r.y + r.height > res.height;

export class VirtioGpu implements VirtioDevice, Screen {
  readonly deviceId = VIRTIO_ID.gpu;
  readonly features = [1 << VIRTIO_GPU_F.EDID, 0] as const;
  readonly queueMaxSizes = [CTRL_QUEUE, CURSOR_QUEUE];
  readonly featureNames = { [VIRTIO_GPU_F.EDID]: 'EDID' };
  /** §5.7.4: events_read, events_clear, num_scanouts, num_capsets. */
  private readonly cfg = new Uint8Array(16);
  private t: VirtioTransport | null = null;
  private readonly resources = new Map<number, Resource>();
  private hostmem = 0;
  private scanout: Scanout | null = null;
  private readonly dirty = new DirtyList();
  cursor: ScreenCursor | null = null;
  generation = 0;
  displayWidth: number;
  displayHeight: number;

  constructor(private readonly ram: GuestRam, display: { width: number; height: number } = DEFAULT_DISPLAY) {
    this.displayWidth = display.width;
    this.displayHeight = display.height;
    new DataView(this.cfg.buffer).setUint32(8, NUM_SCANOUTS, true);
  }

  /* ---- VirtioDevice ---- */

  config(): Uint8Array { return this.cfg; }

  /** §5.7.4: a 1 written to events_clear clears that bit of events_read. */
  writeConfig(offset: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      if (at >= 4 && at < 8) this.cfg[at - 4] &= ~bytes[i];
    }
  }

  activate(t: VirtioTransport): string | null { this.t = t; return null; }

  /**
   * Snapshots (snapshot/saved.ts): the resources with their images and backing, the
   * scanout (by resource id), the cursor and the display size; the screen is redrawn whole.
   */
  saveState(): Saved {
    const resources = [...this.resources.values()].map((r) => ({
      id: r.id, format: r.format, width: r.width, height: r.height, data: r.data.slice(),
      backing: r.backing === null ? null : r.backing.map((g) => ({ off: g.off, len: g.len })),
    }));
    const sc = this.scanout;
    const scanout = sc === null ? null : { id: sc.resource.id, x: sc.x, y: sc.y, width: sc.width, height: sc.height };
    const c = this.cursor;
    return {
      cfg: this.cfg.slice(), hostmem: this.hostmem, resources, scanout, displayWidth: this.displayWidth, displayHeight: this.displayHeight,
      cursor: c === null ? null : { ...c, image: c.image.slice() } as unknown as SavedRecord,
    };
  }

  restoreState(s: Saved, t: VirtioTransport | null): void {
    const r = record(s);
    this.t = t;
    this.cfg.set(r.cfg as Uint8Array);
    this.hostmem = r.hostmem as number;
    this.displayWidth = r.displayWidth as number;
    this.displayHeight = r.displayHeight as number;
    this.resources.clear();
    for (const e of list(r.resources)) {
      const x = record(e);
      this.resources.set(x.id as number, {
        id: x.id as number, format: x.format as number, width: x.width as number, height: x.height as number,
        data: (x.data as Uint8Array).slice(),
        backing: x.backing === null ? null : list(x.backing).map((g) => ({ off: record(g).off as number, len: record(g).len as number })),
      });
    }
    const sc = r.scanout === null ? null : record(r.scanout);
    const res = sc === null ? undefined : this.resources.get(sc.id as number);
    this.setScanout(sc === null || res === undefined ? null
      : { resource: res, x: sc.x as number, y: sc.y as number, width: sc.width as number, height: sc.height as number });
    const c = r.cursor === null ? null : record(r.cursor);
    this.cursor = c === null ? null : { ...(c as unknown as ScreenCursor), image: (c.image as Uint8Array).slice() };
  }

  /** QEMU's reset drops every resource and turns the scanout off. */
  reset(): void {
    this.t = null;
    this.resources.clear();
    this.hostmem = 0;
    if (this.scanout !== null) this.setScanout(null);
    this.cursor = null;
    this.cfg.fill(0, 0, 4);
  }

  notify(q: number): void {
    const t = this.t;
    if (t === null) return;
    if (q === 0) serveChains(t, 0, (chain) => this.control(chain, t));
    else if (q === 1) {
      serveChains(t, 1, (chain) => {
        const cmd = new Uint8Array(CURSOR_CMD_BYTES);
        if (!chain.read(0, cmd)) t.log(`cursor command of ${chain.readableLen} bytes is shorter than ${CURSOR_CMD_BYTES}: ignored`);
        else this.cursorCommand(new DataView(cmd.buffer));
        return 0; // the cursor queue answers nothing (QEMU pushes length 0)
      });
    }
  }

  /**
   * The host display changed size, as QEMU's virtio_gpu_ui_info takes a resized window:
   * GET_DISPLAY_INFO and GET_EDID answer the new size from now on, `events_read` gets
   * VIRTIO_GPU_EVENT_DISPLAY and a configuration change interrupt is raised (§5.7.4; none
   * before the driver activated the device, as QEMU's virtio_notify_config waits for DRIVER_OK). An unchanged size is no event (QEMU's
   * console drops an unchanged ui_info). Returns whether it was one.
   */
  resizeDisplay(width: number, height: number): boolean {
    if (width === this.displayWidth && height === this.displayHeight) return false;
    this.displayWidth = width;
    this.displayHeight = height;
    this.cfg[0] |= VIRTIO_GPU_EVENT_DISPLAY;
    this.t?.configChanged();
    return true;
  }

  /* ---- Screen ---- */

  get width(): number { return this.scanout?.width ?? 0; }
  get height(): number { return this.scanout?.height ?? 0; }

  pixels(r?: Rect): Uint8Array {
    const s = this.scanout;
    if (s === null) return new Uint8Array(0);
    const area = intersect(r ?? { x: 0, y: 0, width: s.width, height: s.height }, { x: 0, y: 0, width: s.width, height: s.height });
    if (area === null) return new Uint8Array(0);
    const out = new Uint8Array(area.width * area.height * 4);
    const res = s.resource, f = GPU_FORMATS[res.format], src = res.data, stride = res.width * 4;
    let o = 0;
    for (let y = 0; y < area.height; y++) {
      let i = (s.y + area.y + y) * stride + (s.x + area.x) * 4;
      for (let x = 0; x < area.width; x++, i += 4) {
        out[o++] = src[i + f.r]; out[o++] = src[i + f.g]; out[o++] = src[i + f.b]; out[o++] = 255;
      }
    }
    return out;
  }

  takeDirty(): Rect[] { return this.dirty.take(); }

  get hasDirty(): boolean { return !this.dirty.empty; }

  /* ---- the control queue ---- */

  /** One control request; returns the bytes written into its chain. */
  private control(chain: DescriptorChain, t: VirtioTransport): number {
    const head = new Uint8Array(HDR);
    if (!chain.read(0, head)) {
      // QEMU keeps such a request forever; handing the buffer back empty frees the driver's slot.
      t.log(`control request of ${chain.readableLen} bytes has no ${HDR}-byte header: returned unanswered`);
      return 0;
    }
    const hv = new DataView(head.buffer);
    const type = hv.getUint32(0, true);
    const need = CMD_BYTES[type] as number | undefined;
    let answer: { type: number; body?: Uint8Array };
    if (need === undefined) {
      t.log(`unknown control command 0x${type.toString(16)}`);
      answer = { type: GPU_RESP.ERR_UNSPEC };
    } else {
      const bytes = new Uint8Array(need);
      if (!chain.read(0, bytes)) {
        // QEMU 7.2 (VIRTIO_GPU_FILL_CMD) skips such a command and answers OK_NODATA.
        t.log(`command 0x${type.toString(16)} of ${chain.readableLen} bytes is shorter than its ${need}: ignored`);
        answer = { type: GPU_RESP.OK_NODATA };
      } else {
        answer = this.execute(type, new DataView(bytes.buffer), chain, t);
      }
    }
    const resp = new Uint8Array(HDR + (answer.body?.length ?? 0));
    const rv = new DataView(resp.buffer);
    rv.setUint32(0, answer.type, true);
    if ((hv.getUint32(4, true) & VIRTIO_GPU_FLAG_FENCE) !== 0) {
      rv.setUint32(4, VIRTIO_GPU_FLAG_FENCE, true);
      resp.set(head.subarray(8, 20), 8); // fence_id and ctx_id
    }
    if (answer.body !== undefined) resp.set(answer.body, HDR);
    const n = Math.min(resp.length, chain.writableLen);
    if (n < resp.length) t.log(`response 0x${answer.type.toString(16)} of ${resp.length} bytes cut to the ${n} the driver offered`);
    chain.write(0, resp.subarray(0, n));
    return chain.written;
  }

  private execute(type: number, c: DataView, chain: DescriptorChain, t: VirtioTransport): { type: number; body?: Uint8Array } {
    const err = (code: number, why: string) => { t.log(why); return { type: code }; };
    const ok = { type: GPU_RESP.OK_NODATA };
    const res = (id: number) => this.resources.get(id);
    switch (type) {
      case GPU_CMD.GET_DISPLAY_INFO: {
        // §5.7.6.8: pmodes[16] of { rect, enabled, flags }.
        const body = new Uint8Array(MAX_SCANOUTS * 24);
        const dv = new DataView(body.buffer);
        dv.setUint32(8, this.displayWidth, true);
        dv.setUint32(12, this.displayHeight, true);
        dv.setUint32(16, 1, true);
        return { type: GPU_RESP.OK_DISPLAY_INFO, body };
      }
      case GPU_CMD.GET_EDID: {
        const scanout = c.getUint32(HDR, true);
        if (scanout >= NUM_SCANOUTS) return err(GPU_RESP.ERR_INVALID_PARAMETER, `GET_EDID for scanout ${scanout}, which does not exist`);
        // §5.7.6.8 virtio_gpu_resp_edid: size, padding, edid[1024]; QEMU gives the whole array's size.
        const edid = edidBlock(this.displayWidth, this.displayHeight);
        const body = new Uint8Array(8 + EDID_BYTES);
        new DataView(body.buffer).setUint32(0, EDID_BYTES, true);
        body.set(edid, 8);
        return { type: GPU_RESP.OK_EDID, body };
      }
      case GPU_CMD.RESOURCE_CREATE_2D: {
        const id = c.getUint32(HDR, true), format = c.getUint32(HDR + 4, true);
        const width = c.getUint32(HDR + 8, true), height = c.getUint32(HDR + 12, true);
        if (id === 0) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, 'RESOURCE_CREATE_2D: resource id 0 is not allowed');
        if (res(id) !== undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `RESOURCE_CREATE_2D: resource ${id} already exists`);
        if (GPU_FORMATS[format] === undefined) return err(GPU_RESP.ERR_INVALID_PARAMETER, `RESOURCE_CREATE_2D: format ${format} is not one of §5.7.6.8's`);
        // Exact arithmetic (QEMU's 32-bit product wraps for huge sizes and then allocates them).
        const bytes = width * height * 4;
        if (this.hostmem + bytes >= MAX_HOSTMEM) {
          return err(GPU_RESP.ERR_OUT_OF_MEMORY, `RESOURCE_CREATE_2D: ${width}x${height} would take the resources past ${MAX_HOSTMEM} bytes`);
        }
        this.resources.set(id, { id, format, width, height, data: new Uint8Array(bytes), backing: null });
        this.hostmem += bytes;
        return ok;
      }
      case GPU_CMD.RESOURCE_UNREF: {
        const r = res(c.getUint32(HDR, true));
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `RESOURCE_UNREF: no resource ${c.getUint32(HDR, true)}`);
        if (this.scanout?.resource === r) this.setScanout(null);
        this.resources.delete(r.id);
        this.hostmem -= r.data.length;
        return ok;
      }
      case GPU_CMD.RESOURCE_ATTACH_BACKING: {
        const id = c.getUint32(HDR, true), n = c.getUint32(HDR + 4, true);
        const r = res(id);
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `RESOURCE_ATTACH_BACKING: no resource ${id}`);
        if (r.backing !== null) return err(GPU_RESP.ERR_UNSPEC, `RESOURCE_ATTACH_BACKING: resource ${id} already has backing`);
        if (n > MAX_BACKING_ENTRIES) return err(GPU_RESP.ERR_UNSPEC, `RESOURCE_ATTACH_BACKING: ${n} entries (at most ${MAX_BACKING_ENTRIES})`);
        const entries = new Uint8Array(16 * n);
        if (!chain.read(CMD_BYTES[type], entries)) return err(GPU_RESP.ERR_UNSPEC, `RESOURCE_ATTACH_BACKING: the request holds fewer than its ${n} entries`);
        const ev = new DataView(entries.buffer);
        const backing: Segment[] = [];
        for (let i = 0; i < n; i++) {
          const addr = ev.getUint32(16 * i, true) + ev.getUint32(16 * i + 4, true) * 0x1_0000_0000;
          const len = ev.getUint32(16 * i + 8, true);
          // QEMU 7.2 cannot map an empty entry either.
          if (len === 0 || !inRam(this.ram, addr, len)) {
            return err(GPU_RESP.ERR_UNSPEC, `RESOURCE_ATTACH_BACKING: entry ${i} (0x${addr.toString(16)}+${len}) is not in guest RAM`);
          }
          backing.push({ off: addr - this.ram.base, len });
        }
        r.backing = backing;
        return ok;
      }
      case GPU_CMD.RESOURCE_DETACH_BACKING: {
        const r = res(c.getUint32(HDR, true));
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `RESOURCE_DETACH_BACKING: no resource ${c.getUint32(HDR, true)}`);
        if (r.backing === null) return err(GPU_RESP.ERR_UNSPEC, `RESOURCE_DETACH_BACKING: resource ${r.id} has no backing`);
        r.backing = null;
        return ok;
      }
      case GPU_CMD.TRANSFER_TO_HOST_2D: {
        const box = rect(c, HDR);
        const offset = c.getUint32(HDR + 16, true) + c.getUint32(HDR + 20, true) * 0x1_0000_0000;
        const id = c.getUint32(HDR + 24, true);
        const r = res(id);
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `TRANSFER_TO_HOST_2D: no resource ${id}`);
        if (r.backing === null) return err(GPU_RESP.ERR_UNSPEC, `TRANSFER_TO_HOST_2D: resource ${id} has no backing`);
        if (outside(box, r)) return err(GPU_RESP.ERR_INVALID_PARAMETER, `TRANSFER_TO_HOST_2D: ${show(box)} is outside resource ${id} (${r.width}x${r.height})`);
        this.transfer(r, r.backing, box, offset);
        return ok;
      }
      case GPU_CMD.SET_SCANOUT: {
        const box = rect(c, HDR), sid = c.getUint32(HDR + 16, true), id = c.getUint32(HDR + 20, true);
        if (sid >= NUM_SCANOUTS) return err(GPU_RESP.ERR_INVALID_SCANOUT_ID, `SET_SCANOUT: scanout ${sid} does not exist`);
        if (id === 0) { this.setScanout(null); return ok; }
        const r = res(id);
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `SET_SCANOUT: no resource ${id}`);
        if (r.backing === null) return err(GPU_RESP.ERR_UNSPEC, `SET_SCANOUT: resource ${id} has no backing`);
        // QEMU 7.2 wants a scanout of at least 16 x 16.
        if (outside(box, r) || box.width < 16 || box.height < 16) {
          return err(GPU_RESP.ERR_INVALID_PARAMETER, `SET_SCANOUT: ${show(box)} is not a 16x16-or-larger part of resource ${id} (${r.width}x${r.height})`);
        }
        this.setScanout({ resource: r, ...box });
        return ok;
      }
      case GPU_CMD.RESOURCE_FLUSH: {
        const box = rect(c, HDR), id = c.getUint32(HDR + 16, true);
        const r = res(id);
        if (r === undefined) return err(GPU_RESP.ERR_INVALID_RESOURCE_ID, `RESOURCE_FLUSH: no resource ${id}`);
        if (outside(box, r)) return err(GPU_RESP.ERR_INVALID_PARAMETER, `RESOURCE_FLUSH: ${show(box)} is outside resource ${id} (${r.width}x${r.height})`);
        const s = this.scanout;
        if (s !== null && s.resource === r) {
          const seen = intersect(box, s);
          if (seen !== null) this.dirty.add({ x: seen.x - s.x, y: seen.y - s.y, width: seen.width, height: seen.height });
        }
        return ok;
      }
      default: return { type: GPU_RESP.ERR_UNSPEC };
    }
  }

  /**
   * §5.7.6.8 TRANSFER_TO_HOST_2D: row h of the box comes from backing byte
   * `offset + h * stride` (stride: the resource's row), as QEMU reads it; bytes past the
   * end of the backing leave the image as it was.
   */
  private transfer(r: Resource, backing: Segment[], box: Rect, offset: number): void {
    const stride = r.width * 4;
    if (offset === 0 && box.x === 0 && box.y === 0 && box.width === r.width) {
      this.gather(backing, 0, r.data.subarray(0, stride * r.height));
      return;
    }
    for (let h = 0; h < box.height; h++) {
      const dst = (box.y + h) * stride + box.x * 4;
      this.gather(backing, offset + stride * h, r.data.subarray(dst, dst + box.width * 4));
    }
  }

  /** Copy backing bytes from `from` into `dst`, as many as the backing has. */
  private gather(backing: Segment[], from: number, dst: Uint8Array): void {
    let pos = 0, skip = from;
    for (const s of backing) {
      if (pos === dst.length) break;
      if (skip >= s.len) { skip -= s.len; continue; }
      const n = Math.min(s.len - skip, dst.length - pos);
      dst.set(this.ram.u8.subarray(s.off + skip, s.off + skip + n), pos);
      this.ram.dmaTouched(s.off + skip, n, false, this.t?.name ?? 'virtio-gpu');
      pos += n; skip = 0;
    }
  }

  private setScanout(s: Scanout | null): void {
    this.scanout = s;
    this.generation++;
    this.dirty.take();
    if (s !== null) this.dirty.add({ x: 0, y: 0, width: s.width, height: s.height });
  }

  /* ---- the cursor queue (§5.7.6.10) ---- */

  private cursorCommand(c: DataView): void {
    const type = c.getUint32(0, true);
    const sid = c.getUint32(HDR, true), x = c.getUint32(HDR + 4, true), y = c.getUint32(HDR + 8, true);
    const id = c.getUint32(HDR + 16, true);
    if (sid >= NUM_SCANOUTS) { this.t?.log(`cursor command for scanout ${sid}, which does not exist: ignored`); return; }
    const cur = this.cursor ?? { x: 0, y: 0, hotX: 0, hotY: 0, visible: false, width: CURSOR_SIZE, height: CURSOR_SIZE, image: new Uint8Array(CURSOR_SIZE * CURSOR_SIZE * 4), imageVersion: 0 };
    if (type === GPU_CMD.UPDATE_CURSOR) {
      cur.hotX = c.getUint32(HDR + 20, true);
      cur.hotY = c.getUint32(HDR + 24, true);
      const r = id === 0 ? undefined : this.resources.get(id);
      if (r !== undefined && r.width === CURSOR_SIZE && r.height === CURSOR_SIZE) {
        const f = GPU_FORMATS[r.format];
        for (let i = 0; i < CURSOR_SIZE * CURSOR_SIZE * 4; i += 4) {
          cur.image[i] = r.data[i + f.r]; cur.image[i + 1] = r.data[i + f.g]; cur.image[i + 2] = r.data[i + f.b];
          cur.image[i + 3] = f.a < 0 ? 255 : r.data[i + f.a];
        }
        cur.imageVersion++;
      } else if (id !== 0) {
        this.t?.log(`UPDATE_CURSOR: resource ${id} is not a ${CURSOR_SIZE}x${CURSOR_SIZE} resource: the image stays`);
      }
    } else if (type !== GPU_CMD.MOVE_CURSOR) {
      this.t?.log(`cursor queue: command 0x${type.toString(16)} is not a cursor command: ignored`);
      return;
    }
    // QEMU shows the cursor while the command names a resource, for moves too.
    cur.x = x; cur.y = y; cur.visible = id !== 0;
    this.cursor = cur;
  }
}

const show = (r: Rect) => `(${r.x},${r.y})+${r.width}x${r.height}`;
