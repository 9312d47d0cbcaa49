/**
 * Placing firmware, kernel, initrd, device tree and reset vector in a fresh machine,
 * where QEMU 7.2's virt board puts them (hw/riscv/boot.c): firmware at the start of
 * DRAM, a raw kernel at the next 2 MiB (RV64) / 4 MiB (RV32) boundary after it, an
 * ELF wherever its program headers say, the initrd min(RAM/2, 128 MiB) above the
 * kernel, the FDT at the top of the first 3 GiB, 2 MiB aligned.
 */
import { parseElf, ElfImage, elfAddressToNumber, hasElfMagic } from '../loaders/elf';
import { buildVirtFdt } from './fdt';
import { bootRom } from '../firmware/boot-rom';
import { Machine } from './machine';
import { withChosen } from './chosen';
import { BuiltinSbi } from '../firmware/sbi';

export interface ImageFile { name: string; bytes: Uint8Array }

export interface BootConfig {
  kernel?: ImageFile;
  /**
   * 'none': the kernel runs from its own addresses in M-mode, as `-bios none`.
   * 'builtin': the emulator's own SBI (firmware/sbi.ts); the kernel is entered in S-mode.
   */
  bios: 'none' | 'builtin' | ImageFile;
  initrd?: ImageFile;
}

export interface BootInfo {
  startAddr: number;
  kernelEntry: number;
  fdtAddr: number;
  fdt: Uint8Array;
  kernelElf?: ElfImage;
  firmwareElf?: ElfImage;
}

export type BootResult = { ok: true; value: BootInfo } | { ok: false; error: string };

const MiB = 1024 * 1024;
function hex(v: number): string { return '0x' + (v < 0 ? (BigInt(v) & 0xffffffffffffffffn).toString(16) : v.toString(16)); }

interface Loaded { entry: number; end: number; elf?: ElfImage; regions: Region[] }

/** A range of guest memory an image fills, [start, end), and the image's name. */
interface Region { start: number; end: number; image: string }

function range(r: Region): string { return `${hex(r.start)}-${hex(r.end - 1)}`; }

/**
 * Adds `added` to `placed` unless it overlaps one of them: QEMU refuses overlapping ROM
 * blobs ("Some ROM regions are overlapping") rather than let one image overwrite another.
 */
function place(placed: Region[], added: readonly Region[]): string | null {
  for (const r of added) {
    const o = placed.find((p) => r.start < p.end && p.start < r.end);
    if (o !== undefined) {
      const shared = { start: Math.max(r.start, o.start), end: Math.min(r.end, o.end), image: '' };
      return `${r.image} (${range(r)}) and ${o.image} (${range(o)}) overlap at ${range(shared)}: one would overwrite the other`;
    }
    placed.push(r);
  }
  return null;
}

function loadImage(m: Machine, file: ImageFile, rawAt: number, what: string): { ok: true; value: Loaded } | { ok: false; error: string } {
  const dramBase = m.board.dramBase;
  const dramEnd = dramBase + m.desc.memoryBytes;
  if (!hasElfMagic(file.bytes)) {
    if (file.bytes.length === 0) return { ok: false, error: `${what} ${file.name}: file is empty` };
    if (rawAt + file.bytes.length > dramEnd) {
      return { ok: false, error: `${what} ${file.name}: ${file.bytes.length} bytes at ${hex(rawAt)} do not fit in RAM (ends ${hex(dramEnd)}); give more memory with -m` };
    }
    m.writePhys(rawAt, file.bytes);
    return { ok: true, value: { entry: rawAt, end: rawAt + file.bytes.length, regions: [{ start: rawAt, end: rawAt + file.bytes.length, image: `${what} ${file.name}` }] } };
  }
  const parsed = parseElf(file.bytes);
  if (!parsed.ok) return { ok: false, error: `${what} ${file.name}: ${parsed.error}` };
  const elf = parsed.value;
  if (elf.xlen !== m.desc.xlen) {
    return { ok: false, error: `${what} ${file.name}: a ${elf.xlen}-bit ELF cannot run on a ${m.desc.xlen}-bit machine (use --xlen ${elf.xlen})` };
  }
  let end = 0;
  const regions: Region[] = [];
  for (const s of elf.segments) {
    if (s.memSize === 0) continue;
    const pa = s.paddr;
    const inRam = pa >= dramBase && pa + s.memSize <= dramEnd;
    if (!inRam) {
      return { ok: false, error: `${what} ${file.name}: segment at ${hex(pa)} (${s.memSize} bytes) is outside RAM ${hex(dramBase)}-${hex(dramEnd)}` };
    }
    m.writePhys(pa, s.fileBytes);
    if (s.memSize > s.fileBytes.length) m.writePhys(pa + s.fileBytes.length, new Uint8Array(s.memSize - s.fileBytes.length));
    end = Math.max(end, pa + s.memSize);
    regions.push({ start: pa, end: pa + s.memSize, image: `${what} ${file.name}` });
  }
  if (end === 0) return { ok: false, error: `${what} ${file.name}: no loadable segments` };
  return { ok: true, value: { entry: elf.entry, end, elf, regions } };
}

export function boot(m: Machine, cfg: BootConfig): BootResult {
  const xlen = m.desc.xlen;
  const dramBase = m.board.dramBase;
  const dramEnd = dramBase + m.desc.memoryBytes;
  let startAddr: number = dramBase;
  let kernelEntry = 0;
  let firmwareEnd: number = dramBase;
  let firmwareElf: ElfImage | undefined;
  const placed: Region[] = [];
  const overlap = (regions: readonly Region[]): BootResult | null => {
    const err = place(placed, regions);
    return err === null ? null : { ok: false, error: err };
  };
  if (cfg.bios === 'builtin' && cfg.kernel === undefined) return { ok: false, error: 'the built-in SBI (--bios builtin) needs a kernel to enter' };
  if (cfg.bios !== 'none' && cfg.bios !== 'builtin') {
    const fw = loadImage(m, cfg.bios, dramBase, 'firmware');
    if (!fw.ok) return fw;
    const bad = overlap(fw.value.regions);
    if (bad !== null) return bad;
    startAddr = fw.value.entry;
    firmwareEnd = fw.value.end;
    firmwareElf = fw.value.elf;
  }
  let kernelElf: ElfImage | undefined;
  if (cfg.kernel !== undefined) {
    const align = xlen === 64 ? 2 * MiB : 4 * MiB;
    // The built-in SBI takes no RAM; a raw kernel (a Linux Image) still goes where it goes
    // behind OpenSBI: its header's text_offset, 2 MiB (RV64) / 4 MiB (RV32) into RAM.
    const rawAt = cfg.bios === 'none' ? dramBase : cfg.bios === 'builtin' ? dramBase + align : Math.ceil(firmwareEnd / align) * align;
    const k = loadImage(m, cfg.kernel, rawAt, 'kernel');
    if (!k.ok) return k;
    const bad = overlap(k.value.regions);
    if (bad !== null) return bad;
    kernelEntry = k.value.entry;
    kernelElf = k.value.elf;
    if (cfg.bios === 'none' || cfg.bios === 'builtin') startAddr = kernelEntry;
  }
  if (cfg.initrd !== undefined) {
    const start = kernelEntry + Math.min(m.desc.memoryBytes / 2, 128 * MiB);
    const end = start + cfg.initrd.bytes.length;
    if (start < dramBase || end > dramEnd) {
      return { ok: false, error: `initrd ${cfg.initrd.name}: ${cfg.initrd.bytes.length} bytes at ${hex(start)} do not fit in RAM (ends ${hex(dramEnd)})` };
    }
    const bad = overlap([{ start, end, image: `initrd ${cfg.initrd.name}` }]);
    if (bad !== null) return bad;
    m.writePhys(start, cfg.initrd.bytes);
    m.desc.initrd = { start, end };
  }
  let fdt: Uint8Array;
  try {
    // A board from a DTS hands the guest that source's blob (DESIGN.md idea 4), completed at /chosen.
    fdt = m.desc.dtb !== undefined ? withChosen(m.desc.dtb, m.desc) : buildVirtFdt(m.desc);
  } catch (e) {
    return { ok: false, error: `device tree: ${(e as Error).message}` };
  }
  // QEMU 7.2 riscv_load_fdt: below the first 3 GiB when DRAM starts there, else at the top of DRAM.
  const top = dramBase < 3072 * MiB ? Math.min(dramEnd, 3072 * MiB) : dramEnd;
  const fdtAddr = Math.floor((top - fdt.length) / (2 * MiB)) * (2 * MiB);
  if (fdtAddr < dramBase) return { ok: false, error: 'memory is too small for the device tree' };
  const bad = overlap([{ start: fdtAddr, end: fdtAddr + fdt.length, image: 'the device tree' }]);
  if (bad !== null) return bad;
  m.writePhys(fdtAddr, fdt);
  m.rom.u8.set(bootRom(xlen, startAddr, fdtAddr, kernelEntry));
  m.rom.code.clear();
  for (const h of m.harts) h.firmware = null;
  if (cfg.bios === 'builtin') {
    const clint = m.board.clint;
    const sbi = new BuiltinSbi({
      harts: m.harts, bus: m.bus, ram: m.dram, uartBase: m.board.uarts[0]?.base,
      clint: clint === undefined ? undefined : { base: clint.base, size: clint.size },
      power: (e) => m.signalPower(e),
    });
    sbi.boot(kernelEntry, fdtAddr);
    m.firmware = sbi;
  }
  const tohost = kernelElf?.findSymbol('tohost');
  if (tohost !== undefined) {
    const at = elfAddressToNumber(tohost.value, xlen);
    const from = kernelElf?.findSymbol('fromhost');
    const fromAt = from !== undefined ? elfAddressToNumber(from.value, xlen) : undefined;
    if (at !== undefined) m.attachHtif(at, fromAt);
  }
  return { ok: true, value: { startAddr, kernelEntry, fdtAddr, fdt, kernelElf, firmwareElf } };
}
