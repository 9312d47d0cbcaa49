/**
 * Register numbers as QEMU 7.2's riscv gdbstub gives them (probed with `p N`, and read
 * from its target description): x0-x31 are 0-31, pc 32, f0-f31 33-64 when the hart has
 * F, then `priv` (the org.gnu.gdb.riscv.virtual feature), then every CSR at
 * csrBase + its CSR number. So `p $mstatus` is `p` 834 on an rv64 hart with F, as on QEMU.
 */
import { Hart } from '../../hart/hart';
import { CSR_AT } from '../../hart/csr-table';
import { Priv } from '../../hart/csr';
import { readCsr, readRegisters, writeCsr, writeRegister } from '../../machine/debug-surface';
import { fromLittleEndianHex, littleEndianHex } from './packets';

const FP_CSRS = new Set([1, 2, 3]); // fflags, frm, fcsr

export interface RegisterLayout {
  xlen: 32 | 64;
  /** Width of f0-f31 in bits, 0 without F. */
  fBits: 0 | 32 | 64;
  /** The `priv` register's number. */
  priv: number;
  /** The number of CSR 0; CSR n is csrBase + n. */
  csrBase: number;
  /** The CSRs the hart has, by number and name, in number order. */
  csrs: { num: number; name: string }[];
}

export function layoutOf(h: Hart): RegisterLayout {
  const fBits = !h.hasF ? 0 : h.hasD ? 64 : 32;
  const priv = fBits === 0 ? 33 : 65;
  const csrs: { num: number; name: string }[] = [];
  for (const d of CSR_AT) {
    if (d === undefined || (d.xlen !== undefined && d.xlen !== h.xlen)) continue;
    // As QEMU 7.2: the CSRs this hart can read when gdb connects (fflags & co. only with F).
    if (FP_CSRS.has(d.num) ? fBits !== 0 : readCsr(h, d.num) !== null) csrs.push({ num: d.num, name: d.name });
  }
  return { xlen: h.xlen, fBits, priv, csrBase: priv + 1, csrs };
}

/** The `g` packet's registers: x0-x31 and pc, as QEMU's (its g holds the core feature only). */
export function readCoreRegisters(h: Hart): string {
  const r = readRegisters(h);
  const bytes = h.xlen / 8;
  return r.x.map((v) => littleEndianHex(v, bytes)).join('') + littleEndianHex(r.pc, bytes);
}

/** Register `n` in hex, or null when there is no such register. */
export function readRegisterHex(h: Hart, l: RegisterLayout, n: number): string | null {
  const bytes = l.xlen / 8;
  const r = readRegisters(h);
  if (n < 32) return littleEndianHex(r.x[n], bytes);
  if (n === 32) return littleEndianHex(r.pc, bytes);
  if (l.fBits !== 0 && n < 65 && r.f !== undefined) return littleEndianHex(r.f[n - 33], l.fBits / 8);
  if (n === l.priv) return littleEndianHex(BigInt(h.priv), bytes);
  const csr = n - l.csrBase;
  if (csr < 0 || csr > 0xfff) return null;
  // The debugger sees the FP CSRs whatever mstatus.FS says (QEMU reads them so too).
  if (FP_CSRS.has(csr) && r.fcsr !== undefined) return littleEndianHex(BigInt(csr === 1 ? r.fcsr & 0x1f : csr === 2 ? r.fcsr >> 5 : r.fcsr), bytes);
  const v = readCsr(h, csr);
  return v === null ? null : littleEndianHex(v, bytes);
}

/** Writes register `n` from hex; false when it does not exist, is read-only, or the value is not hex. */
export function writeRegisterHex(h: Hart, l: RegisterLayout, n: number, hex: string): boolean {
  const v = fromLittleEndianHex(hex);
  if (v === null) return false;
  if (n < 32) { writeRegister(h, n, v); return true; }
  if (n === 32) { writeRegister(h, 'pc', v); return true; }
  if (l.fBits !== 0 && n < 65) { writeRegister(h, `f${n - 33}`, v); return true; }
  if (n === l.priv) {
    const p = Number(v & 3n);
    if (p !== Priv.U && p !== Priv.S && p !== Priv.M) return false;
    h.priv = p;
    return true;
  }
  const csr = n - l.csrBase;
  if (csr < 0 || csr > 0xfff) return false;
  if (FP_CSRS.has(csr) && l.fBits !== 0) {
    const old = BigInt(readRegisters(h).fcsr ?? 0);
    const fcsr = csr === 1 ? (old & ~0x1fn) | (v & 0x1fn) : csr === 2 ? (old & 0x1fn) | ((v & 7n) << 5n) : v & 0xffn;
    h.fflags = Number(fcsr & 0x1fn);
    h.frm = Number(fcsr >> 5n);
    return true;
  }
  return writeCsr(h, csr, v);
}

/** Writes x0-x31 and pc from a `G` packet; false when it is not that many hex digits. */
export function writeCoreRegisters(h: Hart, hex: string): boolean {
  const digits = h.xlen / 4;
  if (hex.length !== digits * 33 || !/^[0-9a-fA-F]*$/.test(hex)) return false;
  for (let n = 0; n <= 32; n++) writeRegisterHex(h, layoutOf0(h), n, hex.slice(n * digits, (n + 1) * digits));
  return true;
}

/** A layout good for x0-x31 and pc only (they do not depend on the CSRs). */
function layoutOf0(h: Hart): RegisterLayout {
  return { xlen: h.xlen, fBits: 0, priv: 33, csrBase: 34, csrs: [] };
}
