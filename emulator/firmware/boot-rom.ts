/**
 * The reset vector at 0x1000, laid out as QEMU's virt writes it (hw/riscv/boot.c) so
 * firmware sees identical registers and instruction traces agree: a0 = mhartid,
 * a1 = FDT address, a2 = fw_dynamic_info (OpenSBI docs/firmware/fw_dynamic.md).
 */

const FW_DYNAMIC_MAGIC = 0x4942534f; // "OSBI"
const FW_DYNAMIC_VERSION = 2;
const NEXT_MODE_S = 1;

export function bootRom(xlen: 32 | 64, startAddr: number, fdtAddr: number, kernelEntry: number): Uint8Array {
  const words = [
    0x00000297, // auipc t0, 0
    0x02828613, // addi  a2, t0, 40        (fw_dynamic_info below)
    0xf1402573, // csrr  a0, mhartid
    xlen === 32 ? 0x0202a583 : 0x0202b583, // lw/ld a1, 32(t0)   (fdt address)
    xlen === 32 ? 0x0182a283 : 0x0182b283, // lw/ld t0, 24(t0)   (start address)
    0x00028067, // jr    t0
    lo(startAddr), hi(startAddr),
    lo(fdtAddr), hi(fdtAddr),
  ];
  const info = [FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, kernelEntry, NEXT_MODE_S, 0, 0];
  const wordBytes = xlen === 32 ? 4 : 8;
  const rom = new Uint8Array(words.length * 4 + info.length * wordBytes);
  const dv = new DataView(rom.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  info.forEach((v, i) => {
    const at = words.length * 4 + i * wordBytes;
    dv.setUint32(at, lo(v), true);
    if (wordBytes === 8) dv.setUint32(at + 4, hi(v), true);
  });
  return rom;
}

function lo(v: number): number { return (v % 4294967296) >>> 0; }
function hi(v: number): number { return Math.floor(v / 4294967296) >>> 0; }
