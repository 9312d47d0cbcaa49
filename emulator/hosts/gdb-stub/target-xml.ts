/**
 * The target description gdb reads with qXfer:features:read (GDB manual, "Target
 * Descriptions" and "RISC-V Features"): the features QEMU 7.2's riscv target offers —
 * org.gnu.gdb.riscv.cpu, .fpu (with F), .virtual (`priv`) and .csr — in one document,
 * every register with its number from registers.ts so gdb's numbers are QEMU's.
 */
import { RegisterLayout } from './registers';

const X_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const F_NAMES = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7',
  'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11'];

function reg(name: string, bits: number, num: number, type?: string): string {
  return `<reg name="${name}" bitsize="${bits}" regnum="${num}"${type !== undefined ? ` type="${type}"` : ''}/>`;
}

export function targetXml(l: RegisterLayout): string {
  const x = l.xlen;
  const parts = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', '<target>', `<architecture>riscv:rv${x}</architecture>`];
  parts.push('<feature name="org.gnu.gdb.riscv.cpu">');
  X_NAMES.forEach((n, i) => {
    const type = n === 'ra' ? 'code_ptr' : n === 'sp' || n === 'gp' || n === 'tp' || n === 'fp' ? 'data_ptr' : 'int';
    parts.push(reg(n, x, i, type));
  });
  parts.push(reg('pc', x, 32, 'code_ptr'), '</feature>');
  if (l.fBits !== 0) {
    parts.push('<feature name="org.gnu.gdb.riscv.fpu">');
    if (l.fBits === 64) parts.push('<union id="riscv_double"><field name="float" type="ieee_single"/><field name="double" type="ieee_double"/></union>');
    F_NAMES.forEach((n, i) => parts.push(reg(n, l.fBits, 33 + i, l.fBits === 64 ? 'riscv_double' : 'ieee_single')));
    parts.push('</feature>');
  }
  parts.push('<feature name="org.gnu.gdb.riscv.virtual">', reg('priv', x, l.priv), '</feature>');
  parts.push('<feature name="org.gnu.gdb.riscv.csr">');
  // Every CSR XLEN wide with no type or group, as QEMU's: gdb's riscv code groups the names it knows.
  for (const c of l.csrs) parts.push(reg(c.name, x, l.csrBase + c.num));
  parts.push('</feature>', '</target>');
  return parts.join('');
}
