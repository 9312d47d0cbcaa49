/**
 * What the debug console shows about memory management (issue 4): a page-table walk of
 * a virtual address with every level's PTE decoded, and a hart's TLB contents. Reads
 * only: page tables are read from RAM without setting A/D bits (Priv §4.3.2's walk,
 * with the side effects left out), and no fault reaches the guest. Their text: inspect-text.ts.
 */
import { Bus } from '../bus/bus';
import { Hart } from '../hart/hart';
import { CSR, SATP_LAYOUT, SATP_MODE } from '../hart/csr';
import { TLB_SIZE } from '../mmu/tlb';
import { readCsr } from './debug-surface';
import { PageWalk, TlbEntry, WalkLevel } from './debug-protocol';

const FLAG_NAMES = ['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D'];

export function pageWalk(h: Hart, bus: Bus, va: bigint): PageWalk {
  const satp = readCsr(h, CSR.satp) ?? 0n;
  const satpField = ([hi, lo]: readonly [number, number]) => (satp >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
  const modeBits = Number(satpField(SATP_LAYOUT[h.xlen].MODE));
  const mode = modeBits === SATP_MODE.Sv32 && h.xlen === 32 ? 'Sv32'
    : modeBits === SATP_MODE.Sv39 && h.xlen === 64 ? 'Sv39' : modeBits === SATP_MODE.Sv48 && h.xlen === 64 ? 'Sv48' : 'Bare';
  if (mode === 'Bare') return { mode, levels: [], pa: va };
  const sv32 = mode === 'Sv32';
  const levelsTotal = sv32 ? 2 : mode === 'Sv39' ? 3 : 4;
  const vpnBits = sv32 ? 10n : 9n;
  const pteSize = sv32 ? 4 : 8;
  const vaBits = sv32 ? 32n : BigInt(12 + levelsTotal * 9);
  if (!sv32) {
    const top = va >> (vaBits - 1n);
    if (top !== 0n && top !== (1n << (65n - vaBits)) - 1n) return { mode, levels: [], pa: null, fault: `0x${va.toString(16)} is not canonical for ${mode}` };
  }
  let table = satpField(SATP_LAYOUT[h.xlen].PPN) * 4096n;
  const levels: WalkLevel[] = [];
  for (let level = levelsTotal - 1; level >= 0; level--) {
    const vpn = (va >> (12n + BigInt(level) * vpnBits)) & ((1n << vpnBits) - 1n);
    const pteAddress = table + vpn * BigInt(pteSize);
    const r = pteAddress < 1n << 53n ? bus.regionAt(Number(pteAddress), pteSize) : undefined;
    if (r === undefined) return { mode, levels, pa: null, fault: `level ${level} PTE at 0x${pteAddress.toString(16)} is not in RAM` };
    const off = Number(pteAddress) - r.base;
    const pte = pteSize === 8 ? r.dv.getBigUint64(off, true) : BigInt(r.dv.getUint32(off, true));
    const flags = FLAG_NAMES.filter((_, i) => (pte >> BigInt(i)) & 1n).join(' ');
    const ppn = (pte >> 10n) & (sv32 ? 0x3fffffn : (1n << 44n) - 1n);
    const valid = (pte & 1n) === 1n && !((pte & 2n) === 0n && (pte & 4n) !== 0n);
    const leaf = valid && (pte & 0xan) !== 0n;
    levels.push({ level, pteAddress, pte, flags, ppn, kind: !valid ? 'invalid' : leaf ? 'leaf' : 'pointer' });
    if (!valid) return { mode, levels, pa: null, fault: `level ${level} PTE is not valid: a page fault` };
    if (leaf) {
      const span = 1n << (BigInt(level) * vpnBits);
      if (ppn % span !== 0n) return { mode, levels, pa: null, fault: `misaligned superpage at level ${level}: a page fault` };
      const pageOffset = va & ((span << 12n) - 1n);
      return { mode, levels, pa: ppn * 4096n + pageOffset };
    }
    table = ppn * 4096n;
  }
  return { mode, levels, pa: null, fault: 'no leaf PTE at level 0: a page fault' };
}

/** The hart's TLB entries (4 KiB pages), as its loads, stores and fetches filled them. */
export function tlbEntries(h: Hart): TlbEntry[] {
  const out: TlbEntry[] = [];
  for (const [name, t] of [['read', h.tlbR], ['write', h.tlbW], ['fetch', h.tlbX]] as const) {
    for (let i = 0; i < TLB_SIZE; i++) {
      if (t.tagLo[i] < 0) continue;
      const va = BigInt.asUintN(h.xlen, (BigInt(t.tagHi[i]) << 32n) | (BigInt(t.tagLo[i]) << 12n));
      out.push({ tlb: name, va, pa: BigInt(t.pa[i]), ram: t.ram[i] >= 0 });
    }
  }
  return out;
}

