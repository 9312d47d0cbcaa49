/**
 * fw_cfg where the fw-cfg guest (run beside QEMU by emulator/test/differential.test.ts)
 * cannot look: the hart count of a 4-hart machine, and DMA aimed outside guest DRAM,
 * which ends with the error bit instead of writing into a device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../machine/machine';
import { defaultDescription, VIRT } from '../machine/description';

const BASE = 0x10100000;
const be16 = (v: number) => ((v & 0xff) << 8) | (v >>> 8);
const be32 = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

function machine(harts = 1): Machine {
  return new Machine(defaultDescription({ harts }), { consoleOut: () => undefined });
}

test('key 0x0005 holds the hart count', () => {
  const m = machine(4);
  assert.ok(m.bus.write(BASE + 8, 2, be16(0x0005), 0));
  assert.deepEqual([m.bus.read(BASE, 1), m.bus.read(BASE, 1)], [4, 0]);
});

test('DMA into anything but DRAM sets the error bit and writes nothing there', () => {
  const m = machine();
  const desc = VIRT.dram.base + 0x1000;
  const write = (target: number) => {
    m.dram.dv.setUint32(0x1000, (0x0000 << 16) | 0x08 | 0x02, false); // select the signature, read
    m.dram.dv.setUint32(0x1004, 4, false);
    m.dram.dv.setUint32(0x1008, 0, false);
    m.dram.dv.setUint32(0x100c, target, false);
    assert.ok(m.bus.write(BASE + 0x10, 4, be32(0), 0));
    assert.ok(m.bus.write(BASE + 0x14, 4, be32(desc), 0));
    return m.dram.dv.getUint32(0x1000, false);
  };
  assert.equal(write(VIRT.dram.base + 0x2000), 0);
  assert.equal(new TextDecoder().decode(m.dram.u8.subarray(0x2000, 0x2004)), 'QEMU');
  const lsr = m.bus.read(VIRT.uart0.base + 5, 1);
  assert.equal(write(VIRT.uart0.base), 1, 'the UART is no DMA target');
  assert.equal(m.bus.read(VIRT.uart0.base + 5, 1), lsr);
});
