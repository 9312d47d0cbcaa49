/**
 * The breakpoint registry over DAP: every kind (function, instruction, source, data)
 * takes ids from one counter and takes conditions, hit counts and logpoints alike, and a
 * set request starts its kind's hit counts afresh. Driven on the demo kernel, whose
 * timer handler on_timer runs three times and increments `ticks` each time.
 */
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { DebugProtocol } from '@vscode/debugprotocol';
import { parseElf, elfAddressToNumber } from '../../emulator/loaders/elf';

const ROOT = path.resolve(__dirname, '../../..');
const ADAPTER = path.join(ROOT, 'out/debug-adapter/main.js');
const DEMO = path.join(ROOT, 'demo/hello.elf');
const SOURCE = path.join(ROOT, 'demo/hello.c');

let dc: DebugClient;

beforeEach(async () => {
  dc = new DebugClient('node', ADAPTER, 'osdev');
  dc.defaultTimeout = 60_000; // a safety net for a hung adapter, not a timing assertion
  await dc.start();
  dc.on('error', () => undefined);
});

afterEach(async () => { await dc.stop(); });

function mainAddress(): string {
  const elf = parseElf(new Uint8Array(fs.readFileSync(DEMO)));
  assert.ok(elf.ok);
  const main = elf.value.findSymbol('main');
  assert.ok(main !== undefined);
  return `0x${(elfAddressToNumber(main.value, elf.value.xlen) as number).toString(16)}`;
}

test('one id space and the same options for every kind; a set request starts its hit counts afresh', async () => {
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([dc.configurationSequence(), dc.launch({ type: 'osdev', request: 'launch', name: 'test', program: DEMO, stopOnEntry: true })]);
  await stopped;
  let output = '';
  dc.on('output', (e: DebugProtocol.OutputEvent) => { output += e.body.output; });

  const fn = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_timer', hitCondition: '>= 2' }] });
  const insn = await dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: mainAddress(), condition: '0' }] });
  const line = fs.readFileSync(SOURCE, 'utf8').split('\n').findIndex((l) => l.trim() === 'ticks++;') + 1;
  const src = await dc.setBreakpointsRequest({ source: { path: SOURCE }, breakpoints: [{ line, condition: 'ticks == 100' }] });
  const info = await dc.customRequest('dataBreakpointInfo', { name: 'ticks' });
  assert.ok(info.body.dataId !== null, info.body.description);
  const data = await dc.customRequest('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write', logMessage: 'ticks now {ticks}' }] });
  const all = [fn.body.breakpoints[0], insn.body.breakpoints[0], src.body.breakpoints[0], data.body.breakpoints[0]] as DebugProtocol.Breakpoint[];
  assert.ok(all.every((b) => b.verified), JSON.stringify(all));
  const ids = all.map((b) => b.id);
  assert.equal(new Set(ids).size, 4, `ids ${ids.join(', ')}`);

  // main (condition 0), ticks++ (never 100) and each write to ticks (a logpoint) run on; on_timer shows from its 2nd hit.
  const first = (await (async () => { const s = dc.waitForEvent('stopped'); await dc.continueRequest({ threadId: 1 }); return s; })()) as DebugProtocol.StoppedEvent;
  assert.equal(first.body.reason, 'function breakpoint');
  assert.deepEqual(first.body.hitBreakpointIds, [ids[0]]);
  assert.equal((await dc.evaluateRequest({ expression: 'ticks' })).body.result, '1');
  assert.match(output, /ticks now 0x1\n/);
  assert.doesNotMatch(output, /ticks now 0x2/);

  // The same breakpoint set again is a new one: its hits count from zero, so the 3rd call is its 1st hit.
  const again = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'on_timer', hitCondition: '>= 2' }] });
  assert.ok(again.body.breakpoints[0].id !== undefined && !ids.includes(again.body.breakpoints[0].id));
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await exited).body.exitCode, 0, 'no further stop');
  assert.match(output, /ticks now 0x2\n[^]*ticks now 0x3\n/);
});
