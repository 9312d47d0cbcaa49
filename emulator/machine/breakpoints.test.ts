/**
 * Instruction breakpoints and single steps through the machine's debug surface:
 * a breakpoint stops before its instruction, resuming runs it, and a run with
 * breakpoints retires exactly what a run without them does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Machine, StopReason } from './machine';
import { boot } from './boot';
import { defaultDescription } from './description';
import { elfAddressToNumber } from '../loaders/elf';

const DEMO = path.resolve(__dirname, '../../../demo/hello.elf');

function machine(translate: boolean): { m: Machine; sym: (n: string) => number } {
  const m = new Machine(defaultDescription(), { consoleOut: () => undefined });
  m.setTranslation(translate, 2); // translate nearly everything, so blocks meet every case
  const r = boot(m, { kernel: { name: DEMO, bytes: new Uint8Array(fs.readFileSync(DEMO)) }, bios: 'none' });
  assert.ok(r.ok);
  const elf = r.value.kernelElf;
  assert.ok(elf !== undefined);
  const sym = (n: string) => {
    const s = elf.findSymbol(n);
    assert.ok(s !== undefined, `symbol ${n}`);
    return elfAddressToNumber(s.value, 64) as number;
  };
  return { m, sym };
}

function runToStop(m: Machine): StopReason {
  let r: StopReason = { kind: 'budget' };
  for (let i = 0; i < 100 && r.kind === 'budget'; i++) r = m.step(1_000_000);
  return r;
}

for (const translate of [false, true]) {
  test(`breakpoint at main stops before it, resumes through it (translation ${translate ? 'on' : 'off'})`, () => {
    const { m, sym } = machine(translate);
    const main = sym('main');
    m.breakpoints.add(main, 0);
    m.breakpointsChanged();
    assert.deepEqual(runToStop(m), { kind: 'breakpoint', hart: 0 });
    assert.equal(m.harts[0].pcLo >>> 0, main);
    const before = m.harts[0].instret;
    // Resuming executes main's first instruction; with the breakpoint still set, main is not re-entered.
    const end = runToStop(m);
    assert.deepEqual(end, { kind: 'power', event: { kind: 'pass' } });
    assert.ok(m.harts[0].instret > before);

    const plain = machine(translate).m;
    runToStop(plain);
    assert.equal(m.harts[0].instret, plain.harts[0].instret, 'breakpoints do not change the run');
  });
}

test('stepInstruction executes exactly one instruction', () => {
  const { m, sym } = machine(true);
  const main = sym('main');
  m.breakpoints.add(main, 0);
  m.breakpointsChanged();
  runToStop(m);
  const h = m.harts[0];
  const n = h.instret;
  m.stepInstruction(0, false);
  assert.equal(h.instret, n + 1);
  assert.notEqual(h.pcLo >>> 0, main);
});
