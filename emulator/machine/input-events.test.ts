/**
 * The input queue. Console input is bounded: the queue asks the host to stop reading when
 * its backlog is full, bytes enter the machine only as its buffer has room, and a run fed a
 * flood in pieces repeats exactly from its record. A Remote-Port peer's packets: those
 * that entered at a boundary are replayed at their stamps, those handled inside a
 * device's wait are claimed by that wait.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONSOLE_BACKLOG, formatInput, InputQueue, parseInputLog, StampedInput } from './input-events';
import { Machine } from './machine';
import { boot } from './boot';
import { defaultDescription } from './description';

const UART_RX = path.resolve(__dirname, '../../../emulator/test/guests/build/rv64/uart-rx.elf');

test('post says stop at the backlog limit; onConsoleRoom says go on once half has entered', () => {
  const q = new InputQueue();
  let room = 0;
  q.onConsoleRoom = () => { room++; };
  const chunk = new Array<number>(CONSOLE_BACKLOG / 4).fill(0x41);
  assert.equal(q.post({ kind: 'console', bytes: chunk }), true);
  assert.equal(q.post({ kind: 'console', bytes: chunk }), true);
  assert.equal(q.post({ kind: 'console', bytes: chunk }), true);
  assert.equal(q.post({ kind: 'console', bytes: chunk }), false, 'full');
  assert.equal(q.consoleFull, true);
  assert.equal(q.post({ kind: 'plug', device: 'p', plugged: true }), false, 'still full; other events are kept');
  // Nothing enters without room, yet the plug event passes the waiting bytes.
  assert.equal(q.nextAt(7, 0), 7, 'the plug event can enter');
  assert.deepEqual(q.takeDue(7, 0), [{ kind: 'plug', device: 'p', plugged: true }]);
  assert.equal(q.nextAt(8, 0), undefined, 'console bytes without room do not make the machine busy');
  assert.equal(q.nextAt(8, 1), 8);
  // Bytes enter up to the room, as one event: the first chunk and a piece of the second.
  const due = q.takeDue(8, CONSOLE_BACKLOG / 4 + 10);
  assert.deepEqual(due.map((e) => (e.kind === 'console' ? e.bytes.length : -1)), [CONSOLE_BACKLOG / 4 + 10]);
  assert.equal(room, 0, 'three quarters still wait');
  q.takeDue(9, CONSOLE_BACKLOG / 4 - 10);
  assert.equal(room, 1, 'half has entered');
  assert.equal(q.consoleFull, false);
});

test('a replayed log enters as recorded, whatever the room', () => {
  const q = new InputQueue();
  q.replay([{ at: 5, event: { kind: 'console', bytes: [1, 2, 3] } }]);
  assert.equal(q.post({ kind: 'console', bytes: [9] }), true, 'live input is ignored while replaying');
  assert.equal(q.nextAt(0, 0), 5);
  assert.deepEqual(q.takeDue(5, 0), [{ kind: 'console', bytes: [1, 2, 3] }]);
});

/** uart-rx reads a line and echoes it; `feed` posts input between slices. */
function runUartRx(feed: (m: Machine, slice: number) => void, replay?: StampedInput[]): { out: string; instret: number; log: StampedInput[] } {
  let out = '';
  const m = new Machine(defaultDescription(), { consoleOut: (b) => { out += String.fromCharCode(b); } });
  assert.ok(boot(m, { kernel: { name: UART_RX, bytes: new Uint8Array(fs.readFileSync(UART_RX)) }, bios: 'none' }).ok);
  const log: StampedInput[] = [];
  m.inputs.onApplied = (e) => log.push(e);
  if (replay !== undefined) m.inputs.replay(replay);
  for (let slice = 0; slice < 10_000; slice++) {
    feed(m, slice);
    const r = m.step(20_000);
    if (r.kind === 'power') break;
  }
  return { out, instret: m.harts[0].instret, log };
}

test('a flood enters in pieces as the guest reads, and the recorded run replays exactly', () => {
  // 80 KB on one line: the guest reads every byte; the host posts while it may.
  const line = Array.from({ length: 80_000 }, (_, i) => 0x61 + (i % 26));
  let sent = 0, paused = false, refusals = 0;
  const live = runUartRx((m, slice) => {
    if (slice === 0) m.inputs.onConsoleRoom = () => { paused = false; };
    while (!paused && sent < line.length) {
      const piece = line.slice(sent, sent + 65536);
      sent += piece.length;
      if (!m.pushInput(piece)) { paused = true; refusals++; }
    }
    if (sent === line.length && slice % 50 === 49) { m.pushInput([0x0a]); sent++; }
  });
  assert.ok(refusals > 0, 'the host was told to stop reading');
  assert.ok(live.log.length > 2, 'the flood entered in pieces');
  // uart-rx keeps 79 bytes and sums them all (sum * 31 + c): every byte arrived, in order.
  const sum = line.reduce((s, c) => (Math.imul(s, 31) + c) >>> 0, 0);
  assert.match(live.out, new RegExp(`got 79 bytes: abcdefghijklmnopqrstuvwxyz[\\s\\S]*checksum ${sum.toString(16).padStart(8, '0')}`));
  const again = runUartRx(() => undefined, live.log);
  assert.equal(again.out, live.out);
  assert.equal(again.instret, live.instret);
});

test('peer packets: recorded with their stamp (and wait), parsed back, replayed at the boundary or claimed by their wait', () => {
  const recorded: StampedInput[] = [];
  const live = new InputQueue();
  live.onApplied = (e) => recorded.push(e);
  live.post({ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] });
  assert.deepEqual(live.takeDue(2000), [{ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] }]);
  live.entered({ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 4], wait: 3 }, 3000);
  const text = recorded.map(formatInput).join('\n');
  assert.equal(text, '{"at":2000,"kind":"peer","device":"rp0","packet":[0,0,0,5]}\n{"at":3000,"kind":"peer","device":"rp0","packet":[0,0,0,4],"wait":3}');

  const log = parseInputLog(text);
  assert.ok(log.ok);
  const q = new InputQueue();
  q.replay(log.value);
  q.entered({ kind: 'peer', device: 'rp0', packet: [9], wait: 1 }, 0);
  assert.equal(q.nextAt(0), 2000, 'the in-wait packet is not a boundary event');
  assert.deepEqual(q.takeDue(1000), []);
  assert.deepEqual(q.claim('rp0', 2), []);
  assert.deepEqual(q.claim('rp0', 3), [[0, 0, 0, 4]]);
  assert.deepEqual(q.claim('rp0', 3), [], 'claimed once');
  assert.deepEqual(q.takeDue(3000), [{ kind: 'peer', device: 'rp0', packet: [0, 0, 0, 5] }]);
  assert.deepEqual(parseInputLog('{"at":1,"kind":"peer","device":"rp0","packet":[300]}'), { ok: false, error: 'line 1: not a console, net, plug, peer, input or display event' });
});

test('input events for the virtio keyboard and tablet, and display sizes: recorded and parsed back; malformed ones refused', () => {
  const events: StampedInput[] = [
    { at: 5, event: { kind: 'input', device: 'keyboard', events: [1, 30, 1, 0, 0, 0] } },
    { at: 9, event: { kind: 'input', device: 'tablet', events: [2, 8, -1, 0, 0, 0] } },
    { at: 12, event: { kind: 'display', width: 1024, height: 768 } },
  ];
  const log = parseInputLog(events.map(formatInput).join('\n'));
  assert.deepEqual(log, { ok: true, value: events });
  for (const bad of ['{"at":1,"kind":"input","device":"mouse","events":[]}', '{"at":1,"kind":"input","device":"keyboard","events":[1,2]}',
    '{"at":1,"kind":"input","device":"keyboard","events":[70000,0,0]}', '{"at":1,"kind":"input","device":"keyboard","events":[1,2,1.5]}',
    '{"at":1,"kind":"display","width":15,"height":600}', '{"at":1,"kind":"display","width":800,"height":8193}', '{"at":1,"kind":"display","width":"800","height":600}']) {
    assert.deepEqual(parseInputLog(bad), { ok: false, error: 'line 1: not a console, net, plug, peer, input or display event' }, bad);
  }
});
