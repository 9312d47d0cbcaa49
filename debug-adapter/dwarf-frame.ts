/**
 * Call frame information from .debug_frame (DWARF 5 §6.4) and .eh_frame (the same
 * rules in the Linux Standard Base's layout: CIE ids relative to the FDE, augmentation
 * strings, encoded pc pointers; what builds without -g still carry): for a pc, where
 * the caller's frame is (the CFA, a register plus an offset) and where each saved
 * register sits relative to it. .debug_frame wins where both cover a pc. The stack trace unwinds with these rules. Untrusted input: a
 * broken entry is skipped with a warning, an instruction we do not implement (DWARF
 * expressions) makes that pc unwindable, never an exception.
 */
import { ElfImage } from '../emulator';
import { DwarfError, DwarfReader } from './dwarf-reader';

export interface FrameRules {
  cfaRegister: number;
  cfaOffset: number;
  /** Register → offset from the CFA where the caller's value is saved. */
  saved: Map<number, number>;
  /** Registers the caller cannot get back (DW_CFA_undefined): the return address ends the stack. */
  undefinedRegs: Set<number>;
  returnRegister: number;
}

interface Cie {
  codeAlign: number; dataAlign: number; returnRegister: number; initial: Uint8Array; addressSize: number;
  /** .eh_frame: how FDE pc fields are encoded, and whether FDEs carry augmentation data. */
  pointerEncoding: number; augmented: boolean;
}
interface Fde { cie: Cie; start: bigint; end: bigint; instructions: Uint8Array }

export class CallFrameInfo {
  private readonly fdes: Fde[] = [];
  readonly warnings: string[] = [];

  /** `offset`: where the image was loaded relative to its link addresses (launch.json `symbols`). */
  constructor(elf: ElfImage | undefined, file: Uint8Array, readonly offset = 0n) {
    if (elf === undefined) return;
    for (const name of ['.debug_frame', '.eh_frame'] as const) {
      const s = elf.findSection(name);
      if (s === undefined || s.type === 8 || s.offset + s.size > file.length) continue;
      this.readSection(file.subarray(s.offset, s.offset + s.size), name, BigInt(s.addr), elf.xlen / 8);
    }
  }

  private readSection(b: Uint8Array, name: '.debug_frame' | '.eh_frame', sectionAddr: bigint, addressSize: number): void {
    const eh = name === '.eh_frame';
    const cies = new Map<number, Cie>();
    let at = 0;
    while (at + 4 <= b.length) {
      const start = at;
      try {
        const r = new DwarfReader(b, at, b.length);
        const length = r.u32();
        if (length === 0 && eh) break; // .eh_frame's terminator
        if (length === 0xffffffff) throw new DwarfError('64-bit DWARF frames are not read');
        const end = r.at + length;
        if (end > b.length) throw new DwarfError('entry runs past the section end');
        const body = new DwarfReader(b, r.at, end);
        const idAt = body.at;
        const id = body.u32();
        if (id === (eh ? 0 : 0xffffffff)) cies.set(start, readCie(body, addressSize, end, eh));
        else {
          // .eh_frame: the id is the distance back from this field to the CIE.
          const cieAt = eh ? idAt - id : id;
          const cie = cies.get(cieAt);
          if (cie === undefined) throw new DwarfError(`FDE names CIE 0x${cieAt.toString(16)}, which is not before it`);
          let lo: bigint, range: bigint;
          if (eh) {
            const fieldAddr = sectionAddr + BigInt(body.at);
            lo = readEncoded(body, cie.pointerEncoding, fieldAddr, addressSize);
            range = readEncoded(body, cie.pointerEncoding & 0x0f, 0n, addressSize);
            if (cie.augmented) body.skip(body.uleb());
          } else {
            lo = body.addr(cie.addressSize);
            range = body.addr(cie.addressSize);
          }
          const wrap = (v: bigint) => BigInt.asUintN(addressSize * 8, v);
          this.fdes.push({ cie, start: wrap(lo), end: wrap(lo) + range, instructions: b.subarray(body.at, end) });
        }
        at = end;
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        this.warnings.push(`${name} entry at 0x${start.toString(16)}: ${e.message}; the rest is skipped`);
        break;
      }
    }
  }

  get size(): number { return this.fdes.length; }

  /** The unwind rules in effect at `pc`, or undefined when no FDE covers it or it needs what we do not implement. */
  rulesAt(loadedPc: bigint): FrameRules | undefined {
    const pc = loadedPc - this.offset;
    const fde = this.fdes.find((f) => pc >= f.start && pc < f.end);
    if (fde === undefined) return undefined;
    const rules: FrameRules = { cfaRegister: 2, cfaOffset: 0, saved: new Map(), undefinedRegs: new Set(), returnRegister: fde.cie.returnRegister };
    try {
      const initial = cloneRules(rules);
      run(fde.cie.initial, fde.cie, rules, fde.start, undefined, undefined);
      Object.assign(initial, cloneRules(rules));
      return run(fde.instructions, fde.cie, rules, fde.start, pc, initial) ? rules : undefined;
    } catch (e) {
      if (e instanceof DwarfError) return undefined;
      throw e;
    }
  }
}

/**
 * One step of unwinding: the caller's x0..x31 from the rules at the callee's pc (saved
 * registers read from the stack, sp the CFA) and the pc the call returns to. Undefined
 * when the rules end the stack or a saved register cannot be read.
 */
export function callerRegisters(rules: FrameRules, x: readonly bigint[], xlen: 32 | 64,
  readWord: (address: bigint) => bigint | undefined): { x: bigint[]; cfa: bigint; returnPc: bigint } | undefined {
  if (rules.undefinedRegs.has(rules.returnRegister) || rules.cfaRegister >= 32) return undefined;
  const cfa = BigInt.asUintN(xlen, x[rules.cfaRegister] + BigInt(rules.cfaOffset));
  const caller = [...x];
  for (const [reg, offset] of rules.saved) {
    if (reg >= 32) continue;
    const v = readWord(BigInt.asUintN(xlen, cfa + BigInt(offset)));
    if (v === undefined) return undefined;
    caller[reg] = v;
  }
  caller[2] = cfa;
  return { x: caller, cfa, returnPc: rules.returnRegister < 32 ? caller[rules.returnRegister] : 0n };
}

/** DW_EH_PE pointer encodings (LSB 5.0 §10.5.1): low nibble the format, bit 4 pc-relative. */
function readEncoded(r: DwarfReader, enc: number, fieldAddr: bigint, addressSize: number): bigint {
  if (enc === 0xff) throw new DwarfError('omitted pointer');
  let v: bigint;
  switch (enc & 0x0f) {
    case 0x00: v = r.addr(addressSize); break;
    case 0x01: v = BigInt(r.uleb()); break;
    case 0x02: v = BigInt(r.u16()); break;
    case 0x03: v = BigInt(r.u32()); break;
    case 0x04: v = r.u64(); break;
    case 0x09: v = BigInt(r.sleb()); break;
    case 0x0a: v = BigInt((r.u16() << 16) >> 16); break;
    case 0x0b: v = BigInt(r.u32() | 0); break;
    case 0x0c: v = BigInt.asIntN(64, r.u64()); break;
    default: throw new DwarfError(`pointer encoding 0x${enc.toString(16)}`);
  }
  switch (enc & 0x70) {
    case 0x00: return v;
    case 0x10: return fieldAddr + v;
    default: throw new DwarfError(`pointer application 0x${(enc & 0x70).toString(16)} is not read`);
  }
}

function readCie(r: DwarfReader, defaultAddressSize: number, end: number, eh: boolean): Cie {
  const version = r.u8();
  if (version !== 1 && version !== 3 && version !== 4) throw new DwarfError(`CIE version ${version}`);
  const augmentation = r.cstring();
  if (!eh && augmentation !== '') throw new DwarfError(`CIE augmentation '${augmentation}' is not read`);
  if (eh && augmentation !== '' && !/^z[RPLS]*$/.test(augmentation)) throw new DwarfError(`CIE augmentation '${augmentation}' is not read`);
  let addressSize = defaultAddressSize;
  if (version === 4) { addressSize = r.u8(); r.u8(); }
  const codeAlign = r.uleb();
  const dataAlign = r.sleb();
  const returnRegister = version === 1 ? r.u8() : r.uleb();
  let pointerEncoding = 0; // absptr
  if (augmentation.startsWith('z')) {
    const len = r.uleb();
    const data = new DwarfReader(r.b, r.at, r.at + len);
    for (const c of augmentation.slice(1)) {
      if (c === 'R') pointerEncoding = data.u8();
      else if (c === 'L') data.u8();
      else if (c === 'P') { const enc = data.u8(); readEncoded(data, enc & 0x0f, 0n, addressSize); }
    }
    r.skip(len);
  }
  return { codeAlign, dataAlign, returnRegister, addressSize, initial: r.b.subarray(r.at, end), pointerEncoding, augmented: augmentation.startsWith('z') };
}

function cloneRules(r: FrameRules): FrameRules {
  return { ...r, saved: new Map(r.saved), undefinedRegs: new Set(r.undefinedRegs) };
}

/**
 * Executes call frame instructions (§6.4.2) until the location passes `pc`. Returns
 * false when an instruction needs a DWARF expression (not implemented).
 */
function run(code: Uint8Array, cie: Cie, rules: FrameRules, start: bigint, pc: bigint | undefined, initial: FrameRules | undefined): boolean {
  const r = new DwarfReader(code, 0, code.length);
  let loc = start;
  const stack: FrameRules[] = [];
  const advance = (delta: number) => { loc += BigInt(delta * cie.codeAlign); return pc !== undefined && loc > pc; };
  const restore = (reg: number) => {
    const v = initial?.saved.get(reg);
    if (v === undefined) rules.saved.delete(reg); else rules.saved.set(reg, v);
    rules.undefinedRegs.delete(reg);
  };
  while (r.at < r.end) {
    const op = r.u8();
    const high = op >> 6, low = op & 0x3f;
    if (high === 1) { if (advance(low)) return true; continue; }
    if (high === 2) { rules.saved.set(low, r.uleb() * cie.dataAlign); continue; }
    if (high === 3) { restore(low); continue; }
    switch (op) {
      case 0x00: break; // nop
      case 0x01: loc = r.addr(cie.addressSize); if (pc !== undefined && loc > pc) return true; break;
      case 0x02: if (advance(r.u8())) return true; break;
      case 0x03: if (advance(r.u16())) return true; break;
      case 0x04: if (advance(r.u32())) return true; break;
      case 0x05: { const reg = r.uleb(); rules.saved.set(reg, r.uleb() * cie.dataAlign); break; }
      case 0x06: restore(r.uleb()); break;
      case 0x07: { const reg = r.uleb(); rules.saved.delete(reg); rules.undefinedRegs.add(reg); break; }
      case 0x08: { const reg = r.uleb(); rules.saved.delete(reg); break; }
      case 0x09: r.uleb(); r.uleb(); return false; // value in another register: not tracked
      case 0x0a: stack.push(cloneRules(rules)); break;
      case 0x0b: { const s = stack.pop(); if (s !== undefined) Object.assign(rules, s); break; }
      case 0x0c: rules.cfaRegister = r.uleb(); rules.cfaOffset = r.uleb(); break;
      case 0x0d: rules.cfaRegister = r.uleb(); break;
      case 0x0e: rules.cfaOffset = r.uleb(); break;
      case 0x11: { const reg = r.uleb(); rules.saved.set(reg, r.sleb() * cie.dataAlign); break; }
      case 0x12: rules.cfaRegister = r.uleb(); rules.cfaOffset = r.sleb() * cie.dataAlign; break;
      case 0x13: rules.cfaOffset = r.sleb() * cie.dataAlign; break;
      default: return false; // expressions (0x0f, 0x10, 0x16), val_offset (0x14, 0x15), vendor ops
    }
  }
  return true;
}
