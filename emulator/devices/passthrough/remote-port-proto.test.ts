/**
 * Remote-Port packets against bytes worked out by hand from the protocol document
 * (section numbers in remote-port-proto.ts), not only round trips through our encoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BusPacket, busStatus, BusStatus, decodePacket, encodePacket, Framer, MAX_PAYLOAD, Packet, Result,
} from './remote-port-proto';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter((x) => x !== '').map((x) => parseInt(x, 16)));

/** SYNC request (§8), id 7, device 2, timestamp 0x1_0000_0002. */
const SYNC_BYTES = hex(`
  00 00 00 06   00 00 00 08   00 00 00 07   00 00 00 00   00 00 00 02
  00 00 00 01 00 00 00 02
`); // cmd 6 SYNC | length 8 | id 7 | flags 0 | dev 2 || timestamp

/** INTERRUPT request (§7), id 9, device 0, line 0 raised. */
const IRQ_BYTES = hex(`
  00 00 00 05   00 00 00 15   00 00 00 09   00 00 00 00   00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 00
  00 00 00 00
  01
`); // cmd 5 | length 21 | id 9 | flags 0 | dev 0 || timestamp 0 | vector 0 | line 0 | value 1

/** READ request (§5), id 1, device 3, 4 bytes at 0x10, at time 1000 ns. */
const READ_REQ_BYTES = hex(`
  00 00 00 03   00 00 00 26   00 00 00 01   00 00 00 00   00 00 00 03
  00 00 00 00 00 00 03 e8
  00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 10
  00 00 00 04
  00 00 00 00
  00 00 00 04
  00 00
`); // cmd 3 | length 38 | id 1 | flags 0 | dev 3 || timestamp 1000 | attributes 0 | address 0x10 | length 4 | width 0 | streaming width 4 | master id 0
// Width 0 with the size in length and streaming width, as Xilinx QEMU's memory master sends (its TLM peer asserts width == 0).

/** READ response (§5.1, §5.3) to that request: decode error, 4 data bytes. */
const READ_RESP_BYTES = hex(`
  00 00 00 03   00 00 00 2a   00 00 00 01   00 00 00 02   00 00 00 03
  00 00 00 00 00 00 07 d0
  00 00 00 00 00 00 02 00
  00 00 00 00 00 00 00 10
  00 00 00 04
  00 00 00 00
  00 00 00 04
  00 00
  de ad be ef
`); // length 42 = 38 + 4 | flags 2 RESPONSE || timestamp 2000 | attributes: RS (bits 11:8) = 2 | address, length, width 0, streaming width as asked | data

/** WRITE request (§6), id 2, device 3, bytes 34 12 at 0x4, master id 0x0102. */
const WRITE_REQ_BYTES = hex(`
  00 00 00 04   00 00 00 28   00 00 00 02   00 00 00 00   00 00 00 03
  00 00 00 00 00 00 00 05
  00 00 00 00 00 00 00 00
  00 00 00 00 00 00 00 04
  00 00 00 02
  00 00 00 00
  00 00 00 02
  01 02
  34 12
`); // cmd 4 | length 40 = 38 + 2 | id 2 | flags 0 | dev 3 || timestamp 5 | attributes 0 | address 4 | length 2 | width 0 | streaming width 2 | master id 0x102 | data

/** HELLO (§4): version 4.3, one capability (extended bus access, 0x1). */
const HELLO_BYTES = hex(`
  00 00 00 01   00 00 00 10   00 00 00 00   00 00 00 00   00 00 00 00
  00 04 00 03
  00 00 00 20
  00 01 00 00
  00 00 00 01
`); // cmd 1 | length 16 | id 0 | flags 0 | dev 0 || major 4, minor 3 | caps offset 32 (from packet start) | caps length 1, reserved0 | capability 1

const ok = <T>(r: Result<T> | null): T => {
  assert.ok(r !== null, 'expected a packet, got null');
  assert.ok(r.ok, `expected a packet, got error: ${r.ok ? '' : r.error}`);
  return r.value;
};

const SYNC: Packet = { cmd: 'sync', id: 7, flags: 0, dev: 2, timestamp: 0x1_0000_0002n };
const IRQ: Packet = { cmd: 'interrupt', id: 9, flags: 0, dev: 0, timestamp: 0n, vector: 0n, line: 0, val: 1 };
const READ_REQ: BusPacket = {
  cmd: 'read', id: 1, flags: 0, dev: 3, timestamp: 1000n, attributes: 0, addr: 0x10n, len: 4, width: 0, streamWidth: 4,
  masterId: 0, data: new Uint8Array(0),
};
const WRITE_REQ: BusPacket = {
  cmd: 'write', id: 2, flags: 0, dev: 3, timestamp: 5n, attributes: 0, addr: 4n, len: 2, width: 0, streamWidth: 2,
  masterId: 0x102, data: Uint8Array.from([0x34, 0x12]),
};
const HELLO: Packet = { cmd: 'hello', id: 0, flags: 0, dev: 0, major: 4, minor: 3, caps: [1] };

test('each packet kind decodes from hand-worked bytes and encodes back to them', () => {
  const cases: [Uint8Array, Packet][] = [
    [SYNC_BYTES, SYNC], [IRQ_BYTES, IRQ], [READ_REQ_BYTES, READ_REQ], [WRITE_REQ_BYTES, WRITE_REQ], [HELLO_BYTES, HELLO],
  ];
  for (const [bytes, packet] of cases) {
    assert.deepEqual(ok(decodePacket(bytes)), packet);
    assert.deepEqual(encodePacket(packet), bytes);
  }
});

test('a READ response carries its data and the decode-error status', () => {
  const p = ok(decodePacket(READ_RESP_BYTES));
  assert.equal(p.cmd, 'read');
  if (p.cmd !== 'read') return;
  assert.equal(p.flags, 2);
  assert.equal(busStatus(p.attributes), BusStatus.DECODE_ERROR);
  assert.deepEqual(p.data, hex('de ad be ef'));
  assert.deepEqual(encodePacket(p), READ_RESP_BYTES);
});

test('the framer yields the same packets whatever the chunking', () => {
  const stream = new Uint8Array([...SYNC_BYTES, ...IRQ_BYTES, ...READ_RESP_BYTES, ...HELLO_BYTES]);
  for (const chunk of [1, 3, 7, 20, 41, stream.length]) {
    const f = new Framer();
    const got: Packet[] = [];
    for (let i = 0; i < stream.length; i += chunk) {
      f.push(stream.subarray(i, i + chunk));
      for (let r = f.next(); r !== null; r = f.next()) got.push(ok(r));
    }
    assert.deepEqual(got.map((p) => p.cmd), ['sync', 'interrupt', 'read', 'hello'], `chunk ${chunk}`);
    assert.equal(f.pending, 0);
  }
});

test('a header alone, or a packet cut short, waits for more bytes', () => {
  const f = new Framer();
  f.push(READ_REQ_BYTES.subarray(0, 19));
  assert.equal(f.next(), null);
  f.push(READ_REQ_BYTES.subarray(19, 57));
  assert.equal(f.next(), null);
  f.push(READ_REQ_BYTES.subarray(57));
  assert.deepEqual(ok(f.next()), READ_REQ);
});

test('a length field beyond the bound is refused before its payload arrives, and stays refused', () => {
  const f = new Framer();
  // cmd 3 READ | length 0x0010_0000 (1 MiB) | id 1 | flags 0 | dev 0
  f.push(hex('00 00 00 03  00 10 00 00  00 00 00 01  00 00 00 00  00 00 00 00'));
  const r = f.next();
  assert.ok(r !== null && !r.ok);
  assert.match(r.error, new RegExp(`oversized packet: length field 1048576 \\(command 3\\) exceeds ${MAX_PAYLOAD}`));
  f.push(SYNC_BYTES);
  const again = f.next();
  assert.ok(again !== null && !again.ok && /oversized/.test(again.error));
});

test('malformed packets decode to errors that name the problem', () => {
  const err = (bytes: Uint8Array): string => {
    const f = new Framer();
    f.push(bytes);
    const r = f.next();
    assert.ok(r !== null && !r.ok, 'expected an error');
    return r.error;
  };
  // cmd 0x63 | length 0 | id 0 | flags 0 | dev 0
  assert.match(err(hex('00 00 00 63  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00')), /unknown command 99/);
  // cmd 6 SYNC | length 4 (a timestamp needs 8) | ... || 4 bytes
  assert.match(err(hex('00 00 00 06  00 00 00 04  00 00 00 01  00 00 00 00  00 00 00 00  00 00 00 00')),
    /short SYNC packet: 4 payload bytes, need 8/);
  // cmd 7 ATS REQUEST | length 0
  assert.match(err(hex('00 00 00 07  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00')), /ATS REQUEST packet, but ATS was not negotiated/);
  // A READ response whose length field (38) leaves no room for the 4 data bytes it announces.
  const cut = READ_RESP_BYTES.slice(0, READ_RESP_BYTES.length - 4);
  cut[7] = 0x26;
  assert.match(err(cut), /READ packet: 4 data bytes at offset 58 overrun the 58-byte packet/);
  // HELLO whose capability offset points past the end: caps offset 0x40, 1 capability, packet of 32 bytes.
  assert.match(err(hex('00 00 00 01  00 00 00 0c  00 00 00 00  00 00 00 00  00 00 00 00  00 04 00 03  00 00 00 40  00 01 00 00')),
    /HELLO capabilities at 64 \(1 of them\) lie outside the 32-byte packet/);
  assert.match((decodePacket(hex('00 00 00 06')) as { error: string }).error, /short packet: 4 bytes/);
});

test('an extended-format WRITE (§6.3) is read from its data offset', () => {
  // cmd 4 | length 62 = 60 + 2 | id 5 | flags 0 | dev 1
  const bytes = hex(`
    00 00 00 04  00 00 00 3e  00 00 00 05  00 00 00 00  00 00 00 01
    00 00 00 00 00 00 00 00
    00 00 00 00 00 00 00 04
    00 00 00 00 00 00 00 08
    00 00 00 02  00 00 00 02  00 00 00 02
    00 07  00 01
    00 00 00 00
    00 00 00 50  00 00 00 00  00 00 00 52  00 00 00 00
    aa bb
  `); // ts 0 | attributes EXT_BASE | addr 8 | len, width, stream width 2 | master id 7, bits 31:16 = 1 | bits 63:32 | data_offset 80 | next 0 | byte enables at 82, none | data
  const p = ok(decodePacket(bytes));
  assert.ok(p.cmd === 'write');
  assert.equal(p.masterId, 0x10007);
  assert.deepEqual(p.data, hex('aa bb'));
});
