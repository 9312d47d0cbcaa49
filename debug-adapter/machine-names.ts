/**
 * The machine-level names an expression may use — registers (`$a0`, `a0`, `$pc`), the
 * privilege level (`$priv`), CSRs (`$mstatus`) and device registers (`uart0.LSR`,
 * `plic.claim[1]`, peeked without side effects) — fetched from the machine before a C
 * expression is evaluated (the evaluator is synchronous), in as few requests as they need.
 */
import { MachineValue } from './c-eval';
import { csrByName, registerNumber } from './registers';
import { SessionContext } from './session-context';

/** Each name's value, or why it has none (a write-only device register). */
export type MachineNames = ReadonlyMap<string, MachineValue | string>;

export async function fetchMachineNames(ctx: SessionContext, hart: number, names: readonly string[], devicePaths: readonly string[]): Promise<MachineNames> {
  const out = new Map<string, MachineValue | string>();
  const m = ctx.machine();
  const bare = (n: string) => (n.startsWith('$') ? n.slice(1) : n);
  const registers = names.filter((n) => ['pc', 'priv'].includes(bare(n)) || registerNumber(bare(n)) !== undefined);
  if (registers.length > 0) {
    const regs = await m.request({ type: 'readRegisters', hart });
    for (const n of registers) {
      const b = bare(n);
      out.set(n, b === 'priv' ? { value: BigInt(regs.priv), type: 'int' } : { value: b === 'pc' ? regs.pc : regs.x[registerNumber(b)!], type: 'long' });
    }
  }
  const csrs = names.filter((n) => !out.has(n)).map((n) => ({ n, view: csrByName(bare(n), ctx.xlen) })).filter((c) => c.view !== undefined);
  if (csrs.length > 0) {
    const values = await m.request({ type: 'readCsrs', hart, nums: csrs.map((c) => c.view!.num) });
    csrs.forEach((c, i) => { if (values[i] !== undefined && values[i] !== null) out.set(c.n, { value: values[i]!, type: 'unsigned long' }); });
  }
  const byDevice = new Map<string, string[]>();
  for (const p of devicePaths) {
    const device = p.slice(0, p.indexOf('.'));
    byDevice.set(device, [...(byDevice.get(device) ?? []), p]);
  }
  for (const [device, paths] of byDevice) {
    const found = await m.request({ type: 'devices', device }).catch(() => []);
    for (const p of paths) {
      const reg = found[0]?.registers.find((x) => x.name === p.slice(device.length + 1));
      if (reg === undefined) continue;
      // Device registers are up to 64 bits wide on either XLEN (mtime).
      out.set(p, reg.value === null ? `${p} is write-only (it has no value to read)` : { value: BigInt(reg.value), type: 'unsigned long long' });
    }
  }
  return out;
}
