/**
 * Scopes and variables of a frame: the program's Locals, Arguments, Statics and Globals
 * from .debug_info (program-state.ts), the hart's registers (a caller's as unwound,
 * read-only), CSR groups and their named fields (registers.ts describes them), and Set
 * Value on them. Variable references live until the machine runs again.
 */
import { Handles, Scope, Variable } from '@vscode/debugadapter';
import { DebugProtocol } from '@vscode/debugprotocol';
import { CSR, PRIV_LETTER } from '../emulator';
import { ABI_NAMES, FP_ABI_NAMES } from './disasm';
import { floatBits, floatRows } from './float-registers';
import { CSR_GROUPS, csrByName, CsrView, fieldValue, hexValue, registerNumber, withField } from './registers';
import { CallStacks } from './call-stacks';
import { RequestError, SessionContext } from './session-context';
import { ObjectRef, ProgramState, ValueRow } from './program-state';

type VarRef =
  /** `depth` > 0: a caller's registers as unwound (read-only). */
  | { kind: 'registers'; hart: number; depth: number }
  | { kind: 'csrs'; hart: number; group: number }
  /** f0-f31 and fcsr (float-registers.ts); `hasD`: 64-bit registers. */
  | { kind: 'floats'; hart: number; hasD: boolean }
  | { kind: 'fields'; hart: number; csr: CsrView }
  | { kind: 'locals' | 'arguments' | 'statics'; hart: number; depth: number; inline: number }
  | { kind: 'globals'; hart: number }
  | { kind: 'object'; obj: ObjectRef };

/** The program's scopes, in the order VS Code shows them; Globals is expensive (every unit is read) and paged. */
const PROGRAM_SCOPES = [
  { kind: 'locals', name: 'Locals', hint: 'locals' },
  { kind: 'arguments', name: 'Arguments', hint: 'arguments' },
  { kind: 'statics', name: 'Statics' },
  { kind: 'globals', name: 'Globals' },
] as const;

export class Scopes {
  private readonly handles = new Handles<VarRef>();

  constructor(
    private readonly ctx: SessionContext,
    private readonly stacks: CallStacks,
    private readonly evaluate: (text: string, hart: number) => Promise<bigint>,
    readonly program: ProgramState,
  ) {}

  /** The machine ran: every reference handed out is gone. */
  reset(): void { this.handles.reset(); this.program.reset(); }

  async scopes(frameId: number): Promise<DebugProtocol.Scope[]> {
    const { hart, depth, inline, tail } = await this.stacks.place(frameId);
    // A frame rebuilt from a tail call has no registers of its own, so no values either.
    if (tail === true) return [];
    const program = !(await this.program.hasFrame(hart, depth, inline).catch(() => false)) ? [] : PROGRAM_SCOPES.map((p) => {
      const ref = this.handles.create(p.kind === 'globals' ? { kind: 'globals', hart } : { kind: p.kind, hart, depth, inline });
      const scope: DebugProtocol.Scope = { ...new Scope(p.name, ref, p.kind === 'globals'), ...('hint' in p ? { presentationHint: p.hint } : {}) };
      if (p.kind === 'globals') scope.indexedVariables = this.program.globalNames().length;
      return scope;
    });
    // The FP registers of the hart as it is (the top frame only): a hart without F has none.
    const regs = depth === 0 ? await this.ctx.machine().request({ type: 'readRegisters', hart }) : undefined;
    const floats = regs?.f === undefined ? [] : [{
      ...new Scope('Floating point', this.handles.create({ kind: 'floats', hart, hasD: await this.hasD(hart) }), false), presentationHint: 'registers',
    }];
    return [
      ...program,
      { ...new Scope(depth === 0 ? 'Registers' : 'Registers (as unwound)', this.handles.create({ kind: 'registers', hart, depth }), false), presentationHint: 'registers' },
      ...floats,
      ...CSR_GROUPS.map((g, group) => new Scope(g.name, this.handles.create({ kind: 'csrs', hart, group }), true)),
    ];
  }

  async variables(reference: number, start?: number, count?: number): Promise<DebugProtocol.Variable[]> {
    const ref = this.ref(reference);
    switch (ref.kind) {
      case 'locals': return this.rows(await this.program.locals(ref.hart, ref.depth, ref.inline));
      case 'arguments': return this.rows(await this.program.arguments(ref.hart, ref.depth, ref.inline));
      case 'statics': return this.rows(await this.program.statics(ref.hart, ref.depth, ref.inline));
      case 'globals': return this.rows(await this.program.globals(ref.hart, start ?? 0, count ?? this.program.globalNames().length));
      case 'object': return this.rows(await this.program.children(ref.obj, start ?? 0, count));
      default: return this.read(ref);
    }
  }

  /** DAP variables for program rows: a handle for each that expands, pages for arrays. */
  rows(rows: ValueRow[]): DebugProtocol.Variable[] {
    return rows.map((r) => this.variable(r));
  }

  variable(r: ValueRow): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = {
      name: r.name, value: r.value, type: r.type,
      variablesReference: r.children === undefined ? 0 : this.handles.create({ kind: 'object', obj: r.children }),
    };
    if (r.evaluateName !== undefined) v.evaluateName = r.evaluateName;
    if (r.memoryReference !== undefined) v.memoryReference = r.memoryReference;
    if (r.indexed !== undefined) v.indexedVariables = r.indexed;
    return v;
  }

  /** Sets a register, CSR or CSR field to an expression's value; its new text back. */
  async setVariable(reference: number, name: string, text: string): Promise<string> {
    const ref = this.ref(reference);
    if (ref.kind === 'registers' && ref.depth > 0) throw new RequestError('a caller\'s registers are what unwinding found; set them in the top frame');
    if (ref.kind !== 'registers' && ref.kind !== 'csrs' && ref.kind !== 'fields' && ref.kind !== 'floats') return this.setProgramVariable(ref, name, text);
    const m = this.ctx.machine();
    const xlen = this.ctx.xlen;
    if (ref.kind === 'floats') {
      const r = (FP_ABI_NAMES as readonly string[]).indexOf(name);
      if (r < 0) throw new RequestError(`${name} cannot be set`);
      await m.request({ type: 'writeRegister', hart: ref.hart, reg: `f${r}`, value: floatBits(text, ref.hasD) });
      this.program.reset();
      return (await this.read(ref)).find((v) => v.name === name)?.value ?? text;
    }
    const value = await this.evaluate(text, ref.hart);
    if (ref.kind === 'registers') {
      const reg = name === 'pc' ? 'pc' : registerNumber(name);
      if (reg === undefined) throw new RequestError(`${name} cannot be set`);
      await m.request({ type: 'writeRegister', hart: ref.hart, reg, value: BigInt.asUintN(xlen, value) });
    } else if (ref.kind === 'csrs') {
      const view = csrByName(name, xlen);
      if (view === undefined) throw new RequestError(`${name} is not a CSR`);
      await m.request({ type: 'writeCsr', hart: ref.hart, num: view.num, value: BigInt.asUintN(xlen, value) });
    } else {
      const f = ref.csr.fields(xlen).find((x) => x.name === name);
      if (f === undefined) throw new RequestError(`${ref.csr.name} has no field ${name}`);
      const [old] = await m.request({ type: 'readCsrs', hart: ref.hart, nums: [ref.csr.num] });
      await m.request({ type: 'writeCsr', hart: ref.hart, num: ref.csr.num, value: withField(old ?? 0n, f, value) });
    }
    // Registers and memory the program's values were read from have changed.
    this.program.reset();
    await this.stacks.refresh(ref.hart);
    const after = await this.read(ref);
    return after.find((v) => v.name === name)?.value ?? text;
  }

  /** Set Value on a C variable (a scope's row) or a member or element (an object's row); its new text back. */
  private async setProgramVariable(ref: Exclude<VarRef, { kind: 'registers' | 'csrs' | 'fields' | 'floats' }>, name: string, text: string): Promise<string> {
    const hart = ref.kind === 'object' ? ref.obj.hart : ref.hart;
    const depth = ref.kind === 'locals' || ref.kind === 'arguments' || ref.kind === 'statics' ? ref.depth : 0;
    const inline = ref.kind === 'locals' || ref.kind === 'arguments' || ref.kind === 'statics' ? ref.inline : 0;
    const rows = async () => ref.kind === 'object' ? this.program.children(ref.obj)
      : ref.kind === 'globals' ? [await this.program.evaluate(name, hart, 0, 0)]
        : this.program.rowsOf(ref.kind, hart, depth, inline);
    const row = (await rows()).find((r) => r.name === name);
    if (row === undefined) throw new RequestError(`${name} is not in this scope any more`);
    await this.program.setValue(row, hart, depth, text, (t) => this.evaluate(t, hart));
    // Read back by its C path: an object's rows are the snapshot taken when it was expanded.
    const after = await this.program.evaluate(row.evaluateName ?? name, hart, depth, inline).catch(() => undefined);
    return after?.value ?? text;
  }

  private ref(reference: number): VarRef {
    const ref = this.handles.get(reference);
    if (ref === undefined) throw new RequestError('these variables are gone (the machine ran since)');
    return ref;
  }

  /** Whether the hart's FP registers are 64 bits (misa.D). */
  private async hasD(hart: number): Promise<boolean> {
    const [misa] = await this.ctx.machine().request({ type: 'readCsrs', hart, nums: [CSR.misa] });
    return misa !== null && ((misa >> 3n) & 1n) === 1n;
  }

  private async read(ref: Extract<VarRef, { kind: 'registers' | 'csrs' | 'fields' | 'floats' }>): Promise<DebugProtocol.Variable[]> {
    const m = this.ctx.machine();
    const xlen = this.ctx.xlen;
    if (ref.kind === 'floats') {
      const r = await m.request({ type: 'readRegisters', hart: ref.hart });
      return r.f === undefined ? [] : floatRows(r.f, r.fcsr ?? 0, ref.hasD);
    }
    if (ref.kind === 'registers' && ref.depth > 0) return this.callerRegisters(ref.hart, ref.depth);
    if (ref.kind === 'registers') {
      const r = await m.request({ type: 'readRegisters', hart: ref.hart });
      return [
        { name: 'pc', value: hexValue(r.pc, xlen), evaluateName: '$pc', variablesReference: 0, memoryReference: `0x${r.pc.toString(16)}` },
        { name: 'priv', value: `${PRIV_LETTER[r.priv]}-mode`, evaluateName: '$priv', variablesReference: 0 },
        ...r.x.map((v, i) => ({
          name: ABI_NAMES[i], value: hexValue(v, xlen), evaluateName: `$${ABI_NAMES[i]}`,
          variablesReference: 0, memoryReference: `0x${v.toString(16)}`,
        })),
      ];
    }
    if (ref.kind === 'csrs') {
      const views = CSR_GROUPS[ref.group].csrs(xlen);
      const values = await m.request({ type: 'readCsrs', hart: ref.hart, nums: views.map((v) => v.num) });
      return views.flatMap((view, i) => {
        const v = values[i];
        if (v === null) return [];
        const fields = view.fields(xlen);
        const text = hexValue(v, xlen) + (view.describe !== undefined ? ` (${view.describe(v, xlen)})` : '');
        return [new Variable(view.name, text, fields.length > 0 ? this.handles.create({ kind: 'fields', hart: ref.hart, csr: view }) : 0)];
      }).map((v) => ({ ...v, evaluateName: `$${v.name}` }));
    }
    const [v] = await m.request({ type: 'readCsrs', hart: ref.hart, nums: [ref.csr.num] });
    if (v === null) return [];
    return ref.csr.fields(xlen).map((f) => {
      const x = fieldValue(v, f);
      const name = f.names?.[x];
      return { name: f.name, value: name !== undefined ? `${x} (${name})` : f.hi - f.lo > 3 ? `0x${x.toString(16)}` : String(x), variablesReference: 0 };
    });
  }

  /**
   * A caller's registers: what CFI restores (ra, sp, saved s-registers), the rest as the
   * callee left them, which is all a debugger can know. The frame of a trap's origin has
   * only its pc and mode.
   */
  private async callerRegisters(hart: number, depth: number): Promise<DebugProtocol.Variable[]> {
    const xlen = this.ctx.xlen;
    const u = await this.stacks.unwound(hart);
    if (depth >= u.pcs.length) {
      const t = u.trap;
      if (t === undefined) return [];
      return [
        { name: 'pc', value: hexValue(t.pc, xlen), variablesReference: 0, memoryReference: `0x${t.pc.toString(16)}` },
        { name: 'priv', value: `${PRIV_LETTER[t.from]}-mode`, variablesReference: 0 },
        { name: 'registers', value: `saved by the trap handler (${t.vector === 'm' ? 'mscratch/stack' : 'sscratch/stack'}), not known to the debugger`, variablesReference: 0 },
      ];
    }
    const r = u.regs[depth];
    return [
      { name: 'pc', value: hexValue(r[32], xlen), variablesReference: 0, memoryReference: `0x${r[32].toString(16)}` },
      ...r.slice(0, 32).map((v, i) => ({ name: ABI_NAMES[i], value: hexValue(v, xlen), variablesReference: 0, memoryReference: `0x${v.toString(16)}` })),
    ];
  }
}
