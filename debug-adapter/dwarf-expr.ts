/**
 * DWARF location descriptions (DWARF 5 §2.5, §2.6): the stack machine that turns a
 * variable's DW_AT_location into where its value lives (memory, a register, an implicit
 * value, pieces of those), and the location lists (.debug_loclists, DWARF 4's .debug_loc)
 * that pick the expression for a pc. Arithmetic is in the target's address size, as the
 * generic type requires. Untrusted input: every operand read is bounded and the machine
 * runs at most MAX_STEPS operations.
 */
import { Die, DW_AT, Unit } from './dwarf-dies';
import { DwarfError, DwarfReader } from './dwarf-reader';

/** What the expression may ask of the stopped program. */
export interface ExprContext {
  /** DWARF register number (RISC-V: 0-31 x, 32-63 f) to its value in this frame; undefined if not known. */
  reg(n: number): bigint | undefined;
  /** `size` bytes at `address`; undefined when unreadable. */
  memory(address: bigint, size: number): Uint8Array | undefined;
  /** The frame's DW_AT_frame_base, evaluated; the canonical frame address from the CFI. */
  frameBase?(): bigint | undefined;
  cfa?(): bigint | undefined;
  /** The value register `reg` had when the function was entered (DW_OP_entry_value), from the caller's call site. */
  entryValue?(reg: number): bigint | undefined;
}

export type Location =
  | { kind: 'memory'; address: bigint }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: bigint }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: { size: number; location: Location }[] }
  | { kind: 'optimized-out' };

/** Why a location could not be found, in words a user reads beside the variable. */
export class LocationError extends Error {}

const MAX_STEPS = 10_000;
const MAX_STACK = 1_000;

/** Evaluates a location expression (DWARF 5 §2.5.1, §2.6.1). */
export function evaluateLocation(expr: Uint8Array, unit: Unit, ctx: ExprContext): Location {
  if (expr.length === 0) return { kind: 'optimized-out' };
  const size = unit.addressSize;
  const mask = size === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  const signed = (v: bigint) => BigInt.asIntN(size * 8, v);
  const wrap = (v: bigint) => v & mask;
  const stack: bigint[] = [];
  const push = (v: bigint) => { if (stack.length >= MAX_STACK) throw new LocationError('expression stack overflow'); stack.push(wrap(v)); };
  const pop = () => { const v = stack.pop(); if (v === undefined) throw new LocationError('expression stack underflow'); return v; };
  const regValue = (n: number) => { const v = ctx.reg(n); if (v === undefined) throw new LocationError(`register ${regName(n)} is not known in this frame`); return v; };
  const read = (address: bigint, n: number) => {
    const v = ctx.memory(address, n);
    if (v === undefined || v.length < n) throw new LocationError(`cannot read memory at 0x${address.toString(16)}`);
    return littleEndian(v.subarray(0, n));
  };
  const r = new DwarfReader(expr, 0, expr.length);
  const pieces: { size: number; location: Location }[] = [];
  /** The location the last operation described, when it is not a memory address on the stack. */
  let described: Location | undefined;
  const finish = (): Location => {
    if (described !== undefined) return described;
    if (stack.length === 0) return { kind: 'optimized-out' };
    return { kind: 'memory', address: stack[stack.length - 1] };
  };
  try {
    for (let steps = 0; r.at < r.end; steps++) {
      if (steps > MAX_STEPS) throw new LocationError('expression runs too long');
      const op = r.u8();
      if (op >= 0x30 && op <= 0x4f) { push(BigInt(op - 0x30)); continue; } // DW_OP_lit0..31
      if (op >= 0x50 && op <= 0x6f) { described = { kind: 'register', reg: op - 0x50 }; continue; } // DW_OP_reg0..31
      if (op >= 0x70 && op <= 0x8f) { push(regValue(op - 0x70) + BigInt(r.sleb())); continue; } // DW_OP_breg0..31
      switch (op) {
        case 0x03: push(r.addr(size)); break; // addr
        case 0x06: push(read(pop(), size)); break; // deref
        case 0x08: push(BigInt(r.u8())); break; // const1u
        case 0x09: push(BigInt((r.u8() << 24) >> 24)); break; // const1s
        case 0x0a: push(BigInt(r.u16())); break; // const2u
        case 0x0b: push(BigInt((r.u16() << 16) >> 16)); break; // const2s
        case 0x0c: push(BigInt(r.u32())); break; // const4u
        case 0x0d: push(BigInt(r.u32() | 0)); break; // const4s
        case 0x0e: push(r.u64()); break; // const8u
        case 0x0f: push(BigInt.asIntN(64, r.u64())); break; // const8s
        case 0x10: push(BigInt(r.uleb())); break; // constu
        case 0x11: push(BigInt(r.sleb())); break; // consts
        case 0x12: { const v = pop(); push(v); push(v); break; } // dup
        case 0x13: pop(); break; // drop
        case 0x14: { const a = pop(), b = pop(); push(b); push(a); push(b); break; } // over
        case 0x15: { const i = r.u8(); if (i >= stack.length) throw new LocationError('DW_OP_pick beyond the stack'); push(stack[stack.length - 1 - i]); break; }
        case 0x16: { const a = pop(), b = pop(); push(a); push(b); break; } // swap
        case 0x17: { const a = pop(), b = pop(), c = pop(); push(a); push(c); push(b); break; } // rot
        case 0x19: { const v = signed(pop()); push(v < 0n ? -v : v); break; } // abs
        case 0x1a: { const b = pop(); push(pop() & b); break; } // and
        case 0x1b: { const b = signed(pop()), a = signed(pop()); if (b === 0n) throw new LocationError('division by zero'); push(a / b); break; } // div
        case 0x1c: { const b = pop(); push(pop() - b); break; } // minus
        case 0x1d: { const b = pop(), a = pop(); if (b === 0n) throw new LocationError('division by zero'); push(a % b); break; } // mod
        case 0x1e: { const b = pop(); push(pop() * b); break; } // mul
        case 0x1f: push(-pop()); break; // neg
        case 0x20: push(~pop()); break; // not
        case 0x21: { const b = pop(); push(pop() | b); break; } // or
        case 0x22: { const b = pop(); push(pop() + b); break; } // plus
        case 0x23: push(pop() + BigInt(r.uleb())); break; // plus_uconst
        case 0x24: { const b = pop(); push(b >= BigInt(size * 8) ? 0n : pop() << b); break; } // shl
        case 0x25: { const b = pop(); push(b >= BigInt(size * 8) ? 0n : pop() >> b); break; } // shr
        case 0x26: { const b = pop(); push(signed(pop()) >> (b >= BigInt(size * 8) ? BigInt(size * 8 - 1) : b)); break; } // shra
        case 0x27: { const b = pop(); push(pop() ^ b); break; } // xor
        case 0x28: { const off = (r.u16() << 16) >> 16; if (pop() !== 0n) jump(r, off); break; } // bra
        case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: { // eq ge gt le lt ne, signed
          const b = signed(pop()), a = signed(pop());
          const t = [a === b, a >= b, a > b, a <= b, a < b, a !== b][op - 0x29];
          push(t ? 1n : 0n);
          break;
        }
        case 0x2f: jump(r, (r.u16() << 16) >> 16); break; // skip
        case 0x90: described = { kind: 'register', reg: r.uleb() }; break; // regx
        case 0x91: { // fbreg
          const base = ctx.frameBase?.();
          if (base === undefined) throw new LocationError('the frame base is not known');
          push(base + BigInt(r.sleb()));
          break;
        }
        case 0x92: { const n = r.uleb(); push(regValue(n) + BigInt(r.sleb())); break; } // bregx
        case 0x93: { // piece
          const n = r.uleb();
          pieces.push({ size: n, location: described ?? (stack.length > 0 ? { kind: 'memory', address: pop() } : { kind: 'optimized-out' }) });
          described = undefined;
          break;
        }
        case 0x94: { const n = r.u8(); if (n < 1 || n > 8) throw new LocationError(`DW_OP_deref_size ${n}`); push(read(pop(), n)); break; }
        case 0x96: break; // nop
        case 0x9c: { const c = ctx.cfa?.(); if (c === undefined) throw new LocationError('the call frame address is not known'); push(c); break; }
        case 0x9e: { const n = r.uleb(); const start = r.at; r.skip(n); described = { kind: 'bytes', bytes: expr.slice(start, start + n) }; break; } // implicit_value
        case 0x9f: described = { kind: 'value', value: pop() }; break; // stack_value
        case 0xa1: case 0xa2: { // addrx, constx
          const i = r.uleb();
          const a = unit.addressAtIndex(i);
          if (a === undefined) throw new LocationError(`address index ${i} is outside .debug_addr`);
          push(a);
          break;
        }
        case 0xa3: case 0xf3: { // entry_value: what a register held on entry, which the caller's call site may tell
          const n = r.uleb();
          const start = r.at;
          r.skip(n);
          const reg = singleRegister(expr.subarray(start, start + n));
          const v = reg === undefined ? undefined : ctx.entryValue?.(reg);
          if (v === undefined) throw new LocationError('<optimized out>');
          push(v);
          break;
        }
        case 0xa0: case 0xf2: throw new LocationError('<synthetic pointer>'); // implicit_pointer
        default: throw new LocationError(`DW_OP 0x${op.toString(16)} is not supported`);
      }
    }
  } catch (e) {
    if (e instanceof DwarfError) throw new LocationError(`broken location expression: ${e.message}`);
    throw e;
  }
  if (pieces.length > 0) return { kind: 'pieces', pieces };
  return finish();
}

/** The register of an expression that is exactly DW_OP_regN or DW_OP_regx N; undefined otherwise. */
export function singleRegister(expr: Uint8Array): number | undefined {
  if (expr.length === 1 && expr[0] >= 0x50 && expr[0] <= 0x6f) return expr[0] - 0x50;
  if (expr.length >= 2 && expr[0] === 0x90) {
    const r = new DwarfReader(expr, 1, expr.length);
    try { const n = r.uleb(); return r.at === expr.length ? n : undefined; } catch { return undefined; }
  }
  return undefined;
}

/** An unsigned little-endian integer. */
export function littleEndian(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function jump(r: DwarfReader, offset: number): void {
  const to = r.at + offset;
  if (to < 0 || to > r.end) throw new LocationError('a branch leaves the expression');
  r.at = to;
}

/** RISC-V DWARF register names (psABI "DWARF Register Numbers"). */
export function regName(n: number): string {
  if (n < 32) return `x${n}`;
  if (n < 64) return `f${n - 32}`;
  return `dwarf register ${n}`;
}

/**
 * The expression of `at` (DW_AT_location or DW_AT_frame_base) that applies at `pc`: the
 * attribute itself, or the matching entry of its location list. Undefined: no location
 * at this pc (gdb's `<optimized out>`).
 */
export function expressionAt(die: Die, at: number, pc: bigint): Uint8Array | undefined {
  const v = die.raw(at);
  if (v === undefined) return undefined;
  if (v.k === 'bytes') return v.v;
  const u = die.unit;
  try {
    if (u.version >= 5) {
      const offset = v.k === 'listx' ? u.listOffset('loclists', v.index) : v.k === 'sec' ? v.offset : undefined;
      return offset === undefined ? undefined : locationList5(u, offset, pc);
    }
    // DWARF 2-3 put a location list's offset in data4/data8; DWARF 4 in sec_offset.
    const offset = v.k === 'sec' ? v.offset : v.k === 'const' ? Number(v.v) : undefined;
    return offset === undefined ? undefined : locationList4(u, offset, pc);
  } catch (e) {
    if (e instanceof DwarfError) throw new LocationError(`broken location list: ${e.message}`);
    throw e;
  }
}

/** .debug_loclists (DWARF 5 §2.6.2, §7.7.3). */
function locationList5(u: Unit, at: number, pc: bigint): Uint8Array | undefined {
  const t = u.info.sections.loclists;
  if (t === undefined) return undefined;
  const r = new DwarfReader(t, at, t.length);
  let base = u.baseAddress();
  const ax = (i: number) => { const a = u.addressAtIndex(i); if (a === undefined) throw new DwarfError(`address index ${i}`); return a; };
  const expr = () => { const n = r.uleb(); const s = r.at; r.skip(n); return t.subarray(s, s + n); };
  let fallback: Uint8Array | undefined;
  for (let n = 0; n < 1_000_000; n++) {
    const kind = r.u8();
    let range: [bigint, bigint] | undefined;
    switch (kind) {
      case 0: return fallback; // end_of_list
      case 1: base = ax(r.uleb()); continue; // base_addressx
      case 2: { const s = ax(r.uleb()); range = [s, ax(r.uleb())]; break; } // startx_endx
      case 3: { const s = ax(r.uleb()); range = [s, s + BigInt(r.uleb())]; break; } // startx_length
      case 4: { const s = BigInt(r.uleb()); range = [base + s, base + BigInt(r.uleb())]; break; } // offset_pair
      case 5: fallback = expr(); continue; // default_location
      case 6: base = r.addr(u.addressSize); continue; // base_address
      case 7: { const s = r.addr(u.addressSize); range = [s, r.addr(u.addressSize)]; break; } // start_end
      case 8: { const s = r.addr(u.addressSize); range = [s, s + BigInt(r.uleb())]; break; } // start_length
      default: throw new DwarfError(`unknown location list entry ${kind}`);
    }
    const e = expr();
    if (pc >= range[0] && pc < range[1]) return e;
  }
  return fallback;
}

/** .debug_loc (DWARF 4 §2.6.2): address pairs relative to the base, a 2-byte length, the expression. */
function locationList4(u: Unit, at: number, pc: bigint): Uint8Array | undefined {
  const t = u.info.sections.loc;
  if (t === undefined) return undefined;
  const r = new DwarfReader(t, at, t.length);
  const ones = u.addressSize === 8 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  let base = u.baseAddress();
  for (let n = 0; n < 1_000_000; n++) {
    const s = r.addr(u.addressSize), e = r.addr(u.addressSize);
    if (s === 0n && e === 0n) return undefined;
    if (s === ones) { base = e; continue; }
    const len = r.u16();
    const start = r.at;
    r.skip(len);
    if (pc >= base + s && pc < base + e) return t.subarray(start, start + len);
  }
  return undefined;
}

/** The frame base of the function `f` at `pc` (DW_AT_frame_base; GCC's is DW_OP_call_frame_cfa). */
export function frameBase(f: Die, pc: bigint, ctx: ExprContext): bigint | undefined {
  const expr = expressionAt(f, DW_AT.frameBase, pc);
  if (expr === undefined) return undefined;
  const loc = evaluateLocation(expr, f.unit, ctx);
  if (loc.kind === 'memory') return loc.address;
  if (loc.kind === 'register') return ctx.reg(loc.reg);
  if (loc.kind === 'value') return loc.value;
  return undefined;
}
