/**
 * SiFive test finisher (QEMU hw/misc/sifive_test.c): one register that powers the
 * machine off with a pass or fail code, or resets it. The virt FDT's syscon-poweroff
 * and syscon-reboot nodes point here.
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel } from './regmap';

export const FINISHER = { FAIL: 0x3333, PASS: 0x5555, RESET: 0x7777 } as const;

export const SIFIVE_TEST_MODEL: DeviceModel = {
  model: 'sifive-test',
  compatible: ['sifive,test1', 'sifive,test0', 'syscon'],
  doc: 'Test finisher: write 0x5555 to pass, (code << 16) | 0x3333 to fail with code, 0x7777 to reset.',
  size: 0x1000,
  registers: [{
    name: 'FINISHER', offset: 0, width: 4, access: 'WO', reset: 0, doc: 'Power off or reset the machine',
    fields: [
      { name: 'STATUS', bits: [15, 0], enum: { 0x3333: 'FAIL', 0x5555: 'PASS', 0x7777: 'RESET' } },
      { name: 'CODE', bits: [31, 16], doc: 'exit code with FAIL' },
    ],
  }],
};

export type PowerEvent = { kind: 'pass' } | { kind: 'fail'; code: number } | { kind: 'reset' };

export class SifiveTest implements MmioDevice {
  readonly name = 'test';
  readonly model = SIFIVE_TEST_MODEL;
  constructor(private readonly power: (e: PowerEvent) => void) {}

  read(): number { return 0; }

  write(offset: number, _size: number, value: number): void {
    if (offset !== 0) return;
    switch (value & 0xffff) {
      case FINISHER.PASS: this.power({ kind: 'pass' }); break;
      case FINISHER.FAIL: this.power({ kind: 'fail', code: value >>> 16 }); break;
      case FINISHER.RESET: this.power({ kind: 'reset' }); break;
      default: break; // QEMU ignores other values too
    }
  }
}
