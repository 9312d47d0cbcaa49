/**
 * SiFive test finisher (QEMU hw/misc/sifive_test.c): one register that powers the
 * machine off with a pass or fail code, or resets it. The virt FDT's syscon-poweroff
 * and syscon-reboot nodes point here.
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel } from './regmap';
import { DeviceType, DeviceWindow, PowerEvent, unitName } from './device-type';

export const FINISHER = { FAIL: 0x3333, PASS: 0x5555, RESET: 0x7777 } as const;

export const SIFIVE_TEST_MODEL: DeviceModel = {
  model: 'sifive-test',
  compatible: ['sifive,test1', 'sifive,test0'],
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

/**
 * The test device doubles as a syscon: the FDT's poweroff and reboot nodes write a
 * magic value to it (machine-from-dts.ts checks a DTS's own).
 */
export const SIFIVE_TEST: DeviceType<DeviceWindow, 'test', false> = {
  key: 'test', many: false, model: SIFIVE_TEST_MODEL, decodeSize: 0x1000, phandle: 2,
  name: () => 'test',
  build(_place, _i, ctx) { return { dev: new SifiveTest((e) => ctx.power(e)), group: 'emulated' }; },
  fdt: {
    root(places, { fdt, phandle }) {
      if (places.length === 0) return;
      for (const [node, value] of [['poweroff', FINISHER.PASS], ['reboot', FINISHER.RESET]] as const) {
        fdt.beginNode(node).propU32('value', value).propU32('offset', 0).propU32('regmap', phandle(SIFIVE_TEST))
          .propString('compatible', `syscon-${node}`).endNode();
      }
    },
    soc(places, { fdt, phandle }) {
      for (const p of places) {
        fdt.beginNode(unitName('test', p.base)).propU32('phandle', phandle(SIFIVE_TEST)).propU64Cells('reg', [p.base, p.size])
          .propStringList('compatible', ['sifive,test1', 'sifive,test0', 'syscon']).endNode();
      }
    },
  },
  dts: { place: (n, ctx) => ctx.window(n, 'sifive test device', 4) },
};
