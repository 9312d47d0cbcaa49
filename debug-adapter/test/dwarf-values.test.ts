/**
 * Arguments and locals from DWARF against gdb-multiarch on QEMU (the oracle): state.c
 * stopped at the same breakpoints on our machine and on QEMU (a function's entry, a line
 * inside nested blocks, a function inlined into a loop), and at each stop the innermost
 * frame's name and every argument and local, name and value, as gdb's
 * `-stack-list-variables --all-values` prints them; then globals of every type through
 * `print`. rv64 and rv32, -O0, -Og and -O2 (where values live in registers, in location
 * lists, or are gone: `<optimized out>`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Machine, StopReason } from '../../emulator/machine/machine';
import { boot } from '../../emulator/machine/boot';
import { defaultDescription } from '../../emulator/machine/description';
import { readMemory, readRegisters } from '../../emulator/machine/debug-surface';
import { parseElf } from '../../emulator/loaders/elf';
import { CallFrameInfo, callerRegisters } from '../dwarf-frame';
import { DwarfInfo } from '../dwarf-dies';
import { CallerContext, framesAt, globals } from '../dwarf-scopes';
import { formatVariable, frameVariables, ValueContext } from '../dwarf-values';
import { SymbolTable } from '../symbols';
import { GdbSession, gdbOracleMissing, miList, miString, miTuple } from './gdb-session';
import { buildState, STATE_SOURCE } from './state-program';

const missing = gdbOracleMissing();
const source = fs.readFileSync(STATE_SOURCE, 'utf8').split('\n');
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;
/** Where both machines stop, in the order the program reaches them. */
const STOPS = ['schedule', `state.c:${lineOf('int product = v * by;')}`, `state.c:${lineOf('ran += (int)mark;')}`];
const GLOBALS = ['procs[1]', 'current', 'runqueue', 'matrix', 'banner', 'greeting', 'fixed', 'word', 'last_state', 'point', 'ready',
  'sc', 'uc', 'sh', 'ush', 'lg', 'ulg', 'll', 'ull', 'u16', 'u64', 'on_idle', 'mmio', 'opaque', 'procs', 'printer', 'row', 'both', 'pending', 'stray', 'none', 'bits'];

interface Ours { m: Machine; ctx: ValueContext; info: DwarfInfo; pc: () => bigint; caller: () => CallerContext | undefined }

function ourMachine(elfPath: string, xlen: 32 | 64): Ours {
  const bytes = new Uint8Array(fs.readFileSync(elfPath));
  const elf = parseElf(bytes);
  assert.ok(elf.ok);
  const warnings: string[] = [];
  const info = DwarfInfo.fromElf(elf.value, bytes, warnings)!;
  assert.deepEqual(warnings, []);
  const m = new Machine({ ...defaultDescription(), xlen }, { consoleOut: () => undefined });
  assert.ok(boot(m, { kernel: { name: elfPath, bytes }, bios: 'none' }).ok);
  const h = m.harts[0];
  const cfi = new CallFrameInfo(elf.value, bytes);
  const symbols = new SymbolTable([{ elf: elf.value, offset: 0n }], xlen);
  const regs = () => readRegisters(h);
  const ctx: ValueContext = {
    reg: (n) => (n < 32 ? regs().x[n] : undefined),
    memory: (address, size) => { const r = readMemory(m, h, address, size, false); return r.unreadable > 0 ? undefined : r.bytes; },
    cfa: () => {
      const rules = cfi.rulesAt(regs().pc);
      return rules === undefined || rules.cfaRegister >= 32 ? undefined : BigInt.asUintN(xlen, regs().x[rules.cfaRegister] + BigInt(rules.cfaOffset));
    },
    symbolize: (address) => {
      const s = symbols.at(address);
      return s === undefined ? undefined : s.address === address ? s.name : `${s.name}+${address - s.address}`;
    },
  };
  const caller = (): CallerContext | undefined => {
    const rules = cfi.rulesAt(regs().pc);
    const word = (a: bigint) => { const b = ctx.memory(a, xlen / 8); return b === undefined ? undefined : b.reduceRight((v, x) => (v << 8n) | BigInt(x), 0n); };
    const up = rules === undefined ? undefined : callerRegisters(rules, regs().x, xlen, word);
    return up === undefined ? undefined : { ctx: { ...ctx, reg: (n) => (n < 32 ? up.x[n] : undefined) }, returnPc: up.returnPc };
  };
  return { m, ctx, info, pc: () => regs().pc, caller };
}

function runToStop(m: Machine): StopReason {
  let r: StopReason = { kind: 'budget' };
  for (let i = 0; i < 200 && r.kind === 'budget'; i++) r = m.step(1_000_000);
  return r;
}

/** -fdebug-types-section: structs, unions and enums in type units, named by signature (DW_FORM_ref_sig8). */
const TYPE_UNITS = ['-fdebug-types-section'];

for (const [xlen, opt, dwarf, flags] of [[64, '-O0', 5, []], [64, '-O2', 5, []], [32, '-Og', 5, []], [32, '-O2', 5, []], [64, '-O2', 4, []], [32, '-O0', 4, []],
  [64, '-O0', 5, TYPE_UNITS], [32, '-O2', 5, TYPE_UNITS]] as const) {
  test(`arguments, locals and globals as gdb on QEMU shows them (rv${xlen} ${opt} DWARF ${dwarf}${flags.length > 0 ? ', type units' : ''})`, { skip: missing }, async () => {
    const build = buildState(xlen, opt, dwarf, undefined, flags);
    const gdb = await GdbSession.start(build.elf, xlen);
    try {
      const ours = ourMachine(build.elf, xlen);
      const addresses: bigint[] = [];
      for (const at of STOPS) addresses.push(await gdb.breakAt(at));
      for (const a of addresses) ours.m.breakpoints.add(Number(a & 0xffffffffn) | 0, Number(a >> 32n) | 0);
      ours.m.breakpointsChanged();
      let compared = 0;
      for (let i = 0; i < STOPS.length; i++) {
        const stop = await gdb.resume('-exec-continue');
        assert.equal(stop.reason, 'breakpoint-hit');
        const gdbFrame = miTuple(stop.results.frame, 'frame');
        const pc = BigInt(miString(gdbFrame.addr, 'addr'));
        assert.equal(runToStop(ours.m).kind, 'breakpoint');
        assert.equal(ours.pc(), pc, `stop ${i + 1}: both machines at the same pc`);

        const frames = framesAt(ours.info, pc);
        assert.ok(frames.length > 0, `no frame at 0x${pc.toString(16)}`);
        assert.equal(frames[0].name, miString(gdbFrame.func, 'func'), `innermost frame at 0x${pc.toString(16)}`);
        const mine = frameVariables(ours.info, frames[0], pc, ours.ctx, ours.caller()).map((v) => `${v.name} = ${v.value}`);
        const listed = miList((await gdb.command('-stack-list-variables --all-values')).results.variables, 'variables');
        const theirs = listed.map((v) => { const t = miTuple(v, 'variable'); return `${miString(t.name, 'name')} = ${typeof t.value === 'string' ? t.value : '<no value>'}`; });
        assert.deepEqual(mine, theirs, `variables at ${STOPS[i]} (0x${pc.toString(16)})`);
        compared += mine.length;
      }
      assert.ok(compared >= 6, `${compared} variables compared`);

      // Globals: gdb's `print` of each against ours, at the last stop.
      const byName = new Map([...globals(ours.info)].map((g) => [g.name!, g]));
      for (const expr of GLOBALS) {
        const name = expr.replace(/\[.*$/, '');
        const g = byName.get(name);
        assert.ok(g !== undefined, `global ${name}`);
        if (expr !== name) continue; // elements are the expression evaluator's business
        const theirs = (await gdb.evaluate(expr)).replace(/^\([^)]*\) /, ''); // `print` prefixes pointers with their type
        assert.equal(formatVariable(g, undefined, ours.pc(), ours.ctx), theirs, `print ${expr}`);
      }
    } finally {
      await gdb.close();
      build.remove();
    }
  });
}
