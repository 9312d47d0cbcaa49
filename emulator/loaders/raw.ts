/**
 * A raw binary image (`objcopy -O binary` output, a firmware .bin): bytes copied to one
 * physical address, entered at `entry`. Nothing in the file says where it goes, so the
 * caller supplies the address (QEMU's -kernel puts a non-ELF image at the start of DRAM,
 * or after the firmware).
 */

export interface RawImage {
  kind: 'raw';
  /** Physical address of bytes[0]. */
  loadAddress: number;
  bytes: Uint8Array;
  /** Where the hart starts; loadAddress unless told otherwise. */
  entry: number;
}

export type RawResult = { ok: true; value: RawImage } | { ok: false; error: string };

/** Wraps file bytes as a raw image after checking the numbers the user gave. */
export function rawImage(bytes: Uint8Array, loadAddress: number, entry: number = loadAddress): RawResult {
  if (bytes.length === 0) return { ok: false, error: 'raw image is empty' };
  if (!Number.isSafeInteger(loadAddress) || loadAddress < 0) {
    return { ok: false, error: `raw image load address ${loadAddress} is not a non-negative integer` };
  }
  if (!Number.isSafeInteger(loadAddress + bytes.length)) {
    return { ok: false, error: `raw image (${bytes.length} bytes at 0x${loadAddress.toString(16)}) ends beyond 2^53` };
  }
  if (!Number.isSafeInteger(entry) || entry < 0) {
    return { ok: false, error: `raw image entry ${entry} is not a non-negative integer` };
  }
  return { ok: true, value: { kind: 'raw', loadAddress, bytes, entry } };
}

/**
 * Whether `bytes` start with the RISC-V Linux image header (the kernel's
 * Documentation/riscv/boot-image-header.rst): "RISCV\0\0\0" at 0x30 or "RSC\x05" at 0x38.
 * Such an image runs in S-mode behind an SBI.
 */
export function isRiscvLinuxImage(bytes: Uint8Array): boolean {
  if (bytes.length < 0x40) return false;
  const at = (off: number, text: string) => [...text].every((c, i) => bytes[off + i] === c.charCodeAt(0));
  return at(0x30, 'RISCV\0\0\0') || at(0x38, 'RSC\x05');
}

/**
 * The firmware a kernel gets when none is named: the built-in SBI for an S-mode image (a
 * Linux `Image`), else none (an M-mode ELF runs from its own addresses).
 */
export function defaultBios(kernel: Uint8Array | undefined): 'none' | 'builtin' {
  return kernel !== undefined && isRiscvLinuxImage(kernel) ? 'builtin' : 'none';
}
