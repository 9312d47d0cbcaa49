/**
 * A fuzzer for the virtio transport and devices: random and adversarial register
 * writes, descriptor tables, ring indices and notifications, from a seed. It checks
 * what DESIGN.md idea 3 promises: no host exception, no backend access outside the
 * image, and a device status that stays coherent. `fuzz.test.ts` runs a bounded number
 * of iterations; `npm run fuzz:virtio` a long run.
 */
import { BlockBackend, loopbackNetBackend, memoryBlockBackend, overlayBlockBackend } from '../../backends';
import { parseMac, VirtioNet } from './net';
import { VirtioBlk } from './blk';
import { VirtioConsole } from './console';
import { STATUS, VirtioDevice, VirtioMmio, VIRTIO_MMIO_MODEL } from './mmio';
import { seededEntropy, VirtioRng } from './rng';
import { GPU_CMD, VirtioGpu } from './gpu';
import { keyEvents, pointerEvents, VirtioInput } from './input';
import { bringUp, GuestQueue, makeRam, R, RAM_BASE, wr } from './test-driver';

const GPU_COMMANDS = Object.values(GPU_CMD);

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `used`: chains the devices completed (used ring entries), so the run reached the devices' request paths. */
export interface FuzzStats { iterations: number; operations: number; needsReset: number; requests: number; used: number }

const RAM_SIZE = 256 * 1024;
const IMAGE_BYTES = 32 * 512;
const KNOWN_STATUS = STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK | STATUS.DRIVER_OK | STATUS.DEVICE_NEEDS_RESET | STATUS.FAILED;

/** A block backend that fails the run on any access outside [0, size). */
function guarded(base: BlockBackend, violations: string[]): BlockBackend {
  const check = (what: string, off: number, len: number) => {
    if (!(Number.isInteger(off) && off >= 0 && off + len <= base.size)) violations.push(`${what} at ${off}+${len} outside the ${base.size}-byte image`);
  };
  return {
    size: base.size,
    read: (off, dst) => { check('read', off, dst.length); return base.read(off, dst); },
    write: (off, src) => { check('write', off, src.length); return base.write(off, src); },
    flush: () => base.flush(),
  };
}

/** Run `iterations` fuzz cases from `seed`; returns statistics, throws (a host bug) on a violated invariant. */
export function fuzzVirtio(seed: number, iterations: number): FuzzStats {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const stats: FuzzStats = { iterations, operations: 0, needsReset: 0, requests: 0, used: 0 };
  const regs = VIRTIO_MMIO_MODEL.registers.map((r) => r.offset);

  for (let it = 0; it < iterations; it++) {
    const ram = makeRam(RAM_SIZE);
    const violations: string[] = [];
    const image = new Uint8Array(IMAGE_BYTES);
    const input: number[] = [1, 2, 3];
    const kind = int(7);
    const device: VirtioDevice = kind === 4 ? new VirtioGpu(ram, { width: 64, height: 48 })
      : kind === 5 ? new VirtioInput(int(2) === 0 ? 'keyboard' : 'tablet')
      : kind === 6 ? new VirtioGpu(ram)
      : kind === 0
      ? new VirtioBlk(guarded(int(2) === 0 ? memoryBlockBackend(image) : overlayBlockBackend(memoryBlockBackend(image)), violations), { readOnly: int(2) === 0 })
      : kind === 1 ? new VirtioRng(seededEntropy(it))
        : kind === 3 ? new VirtioNet(loopbackNetBackend(), { mac: parseMac('52:54:00:12:34:56') as Uint8Array })
        : new VirtioConsole({ get length() { return input.length; }, take: (n) => input.splice(0, n) }, () => undefined);
    const t = new VirtioMmio(`fuzz${it}`, ram, device, () => undefined, () => undefined, { legacy: int(4) === 0 });
    const sizes = [1, 2, 4, 8, 16];
    const queues = device.queueMaxSizes.map((_, i) => new GuestQueue(ram, pick(sizes), RAM_BASE + 0x1000 * (i + 1)));
    if (int(4) !== 0) bringUp(t, queues, int(3) === 0 ? [rnd() * 2 ** 32 >>> 0, rnd() * 2 ** 32 >>> 0] : undefined);

    // Addresses: mostly inside RAM (often near the rings), sometimes anywhere.
    const addr = (): number => {
      switch (int(6)) {
        case 0: return int(2 ** 32) + (int(4) === 0 ? int(16) * 2 ** 32 : 0);
        case 1: return RAM_BASE + RAM_SIZE - int(64);
        case 2: return RAM_BASE + 0x1000 * (1 + int(3)) + int(256);
        default: return RAM_BASE + 0x10000 + int(RAM_SIZE - 0x10000);
      }
    };
    const len = (): number => pick([0, 1, 15, 16, 17, 512, 513, 1024, 0xffff_ffff, int(4096), int(2 ** 32)]);
    const ops = 5 + int(60);
    for (let op = 0; op < ops; op++) {
      stats.operations++;
      const q = queues[int(queues.length)];
      switch (int(10)) {
        case 0: case 1: {
          // A descriptor, sometimes a header for blk requests.
          const i = int(q.size + 2);
          q.setDesc(Math.min(i, q.size - 1), addr(), len(), int(8), int(4) === 0 ? int(0x10000) : int(q.size + 1));
          if (int(3) === 0) {
            const h = addr();
            if (h >= RAM_BASE && h + 16 <= RAM_BASE + RAM_SIZE) {
              ram.dv.setUint32(h - RAM_BASE, pick([0, 1, 4, 8, 11, 13, ...GPU_COMMANDS, int(2 ** 32)]), true);
              ram.dv.setUint32(h - RAM_BASE + 8, pick([0, 1, 31, 32, int(2 ** 32)]), true);
              ram.dv.setUint32(h - RAM_BASE + 12, int(3) === 0 ? int(2 ** 32) : 0, true);
              // GPU payloads: small resource ids, formats, sizes and rectangles, sometimes anything.
              for (let w = 24; w < 56 && h + w + 4 <= RAM_BASE + RAM_SIZE; w += 4) {
                ram.dv.setUint32(h - RAM_BASE + w, pick([0, 1, 2, 16, 64, 134, 0x1_0000 - 1, RAM_BASE, int(2 ** 32)]), true);
              }
            }
          }
          break;
        }
        case 2: case 3: q.offer(int(4) === 0 ? int(0x10000) : int(q.size)); break;
        case 4: q.setAvailIdx(int(0x10000)); break;
        case 5: q.setUsedEvent(int(0x10000)); q.setAvailFlags(int(2)); break;
        case 6: case 7: wr(t, R.QueueNotify, int(4) === 0 ? int(2 ** 32) : int(queues.length)); stats.requests++; break;
        case 8: t.write(pick(regs), pick([1, 2, 4]), int(2 ** 32)); break;
        default:
          t.read(int(0x200), pick([1, 2, 4]));
          if (device instanceof VirtioInput) device.push(int(2) === 0 ? keyEvents(int(0x300), int(2) === 0) : pointerEvents(int(0x10000), int(0x10000)));
          if (int(8) === 0) t.write(0x100 + int(0x100), pick([1, 2, 4]), int(2 ** 32));
          (t as { poll(): void }).poll();
          break;
      }
      const s = t.statusValue;
      if ((s & ~KNOWN_STATUS) !== 0) throw new Error(`seed ${seed} iteration ${it}: status 0x${s.toString(16)} has unknown bits`);
      if ((s & STATUS.DEVICE_NEEDS_RESET) !== 0 && t.live) throw new Error(`seed ${seed} iteration ${it}: live while needing reset`);
      if ((t.read(R.InterruptStatus, 4) & ~3) !== 0) throw new Error(`seed ${seed} iteration ${it}: InterruptStatus has unknown bits`);
      if (violations.length > 0) throw new Error(`seed ${seed} iteration ${it}: ${violations[0]}`);
    }
    if ((t.statusValue & STATUS.DEVICE_NEEDS_RESET) !== 0) stats.needsReset++;
    for (let i = 0; i < queues.length; i++) stats.used += t.queue(i).usedIdx;
  }
  return stats;
}
