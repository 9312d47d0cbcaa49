/**
 * f0-f31 as gdb shows them: numbers formatted as gdb-multiarch prints them (checked
 * against its `print` of the same bits), and on the fp guest, stopped at the same
 * instruction on our debugger and on QEMU under gdb, every register's float/double
 * reading equal to gdb's `$ft0`…; Set Value writes the register.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { fcsrText, floatBits, gdbFloat } from '../float-registers';
import { FP_ABI_NAMES } from '../disasm';
import { GDB, GdbSession, gdbOracleMissing } from './gdb-session';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const GUESTS = path.join(ROOT, 'emulator/test/guests/build');
const skip = gdbOracleMissing();

const SINGLES = [0x3dcccccdn, 0x3fc00000n, 0x00000001n, 0x80000000n, 0x7f800000n, 0xff800000n, 0x7fc00000n, 0xffc00001n, 0x7149f2can, 0x4b189680n, 0x38d1b717n];
const DOUBLES = [0x3fb999999999999an, 0x3ff8000000000000n, 0x0000000000000001n, 0x8000000000000000n, 0x7ff0000000000000n, 0x7ff8000000000000n,
  0xfff0000000000001n, 0x419d6f3454000000n, 0x3f1a36e2eb1c432dn, 0x4341c37937e08000n, 0x3fd5555555555555n, 0x7fefffffffffffffn];

test('floats and doubles read as gdb prints them', { skip }, () => {
  // print/f of an integer reads its bits as the float type of its size.
  const exprs = [...SINGLES.map((b) => `p/f (unsigned int)0x${b.toString(16)}`), ...DOUBLES.map((b) => `p/f (unsigned long long)0x${b.toString(16)}`)];
  const out = execFileSync(GDB, ['-nx', '-batch', ...exprs.flatMap((e) => ['-ex', e])], { encoding: 'utf8' });
  const theirs = [...out.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]);
  const ours = [...SINGLES.map((b) => gdbFloat(b, 32)), ...DOUBLES.map((b) => gdbFloat(b, 64))];
  assert.deepEqual(ours, theirs);
});

test('fcsr in words; Set Value text as register bits', () => {
  assert.equal(fcsrText(0x21), '0x00000021 (rm rtz; flags NX)');
  assert.equal(fcsrText(0x1f), '0x0000001f (rm rne; flags NV DZ OF UF NX)');
  assert.equal(floatBits('1.5', true), 0x3ff8000000000000n);
  assert.equal(floatBits('1.5', false), 0x3fc00000n);
  assert.equal(floatBits('0xffffffff3fc00000', true), 0xffffffff3fc00000n);
  assert.equal(floatBits('-inf', true), 0xfff0000000000000n);
  assert.throws(() => floatBits('one', true), /'one' is not a number/);
  assert.throws(() => floatBits('0x1ffffffff', false), /more than 32 bits/);
});

for (const xlen of [64, 32] as const) {
  test(`rv${xlen} fp guest: f0-f31 equal gdb's at the same stop; Set Value writes one`, { skip }, async () => {
    const elf = path.join(GUESTS, `rv${xlen}/fp.elf`);
    const gdb = await GdbSession.start(elf, xlen);
    const dc = new DebugClient('node', ADAPTER, 'osdev');
    dc.defaultTimeout = 60_000;
    try {
      await dc.start();
      const entry = dc.waitForEvent('stopped');
      await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'fp', program: elf, stopOnEntry: true })]);
      await entry;
      // The 40th call of mix: the registers hold what forty operations left there.
      await gdb.command('-break-insert -i 39 mix');
      await gdb.resume('-exec-continue');
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'mix', hitCondition: '40' }] });
      const hit = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: 1 });
      await hit;
      const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
      const scope = (await dc.scopesRequest({ frameId: frame.id })).body.scopes.find((s) => s.name === 'Floating point');
      assert.ok(scope !== undefined, 'a Floating point scope');
      const rows = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
      assert.deepEqual(rows.map((r) => r.name), [...FP_ABI_NAMES, 'fcsr']);
      let nonZero = 0;
      for (const name of FP_ABI_NAMES) {
        const ours = rows.find((r) => r.name === name)!.value;
        assert.equal(ours.replace(/ \(raw 0x[0-9a-f]+\)$/, ''), await gdb.evaluate(`$${name}`), name);
        if (!/^\{float = 0, double = 0\}/.test(ours)) nonZero++;
      }
      assert.ok(nonZero >= 4, `${nonZero} registers hold something`);
      const set = await dc.setVariableRequest({ variablesReference: scope.variablesReference, name: 'fa0', value: '2.5' });
      assert.equal(set.body.value, '{float = 0, double = 2.5} (raw 0x4004000000000000)');
      const again = (await dc.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
      assert.equal(again.find((r) => r.name === 'fa0')?.value, set.body.value);
    } finally {
      await gdb.close();
      await dc.stop();
    }
  });
}
