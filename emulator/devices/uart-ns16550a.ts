/**
 * NS16550A UART (TI PC16550D datasheet; QEMU virt UART0). Transmit is instant;
 * receive has a 16-byte FIFO filled by the machine only while there is room, so no
 * input byte is ever dropped (backpressure, like QEMU's can_receive).
 */
import { MmioDevice } from '../bus/bus';
import { DeviceModel, offsets, resetValue } from './regmap';
import { DeviceType, IrqWindow, unitName } from './device-type';
import { u32 } from '../dts/query';
import { restoreFields, Saved, saveFields } from '../snapshot/saved';

const REGS = [
  { name: 'RBR', offset: 0, width: 1, access: 'RO', reset: 0, when: 'LCR.DLAB=0, read', doc: 'Receiver buffer: next received byte' },
  { name: 'THR', offset: 0, width: 1, access: 'WO', reset: 0, when: 'LCR.DLAB=0, write', doc: 'Transmitter holding register: byte to send' },
  { name: 'DLL', offset: 0, width: 1, access: 'RW', reset: 0x0c, when: 'LCR.DLAB=1', doc: 'Divisor latch, low byte' },
  {
    name: 'IER', offset: 1, width: 1, access: 'RW', reset: 0, when: 'LCR.DLAB=0', doc: 'Interrupt enable',
    fields: [
      { name: 'ERBFI', bits: [0, 0], doc: 'received data available' },
      { name: 'ETBEI', bits: [1, 1], doc: 'transmitter holding register empty' },
      { name: 'ELSI', bits: [2, 2], doc: 'receiver line status' },
      { name: 'EDSSI', bits: [3, 3], doc: 'modem status' },
    ],
  },
  { name: 'DLM', offset: 1, width: 1, access: 'RW', reset: 0, when: 'LCR.DLAB=1', doc: 'Divisor latch, high byte' },
  {
    name: 'IIR', offset: 2, width: 1, access: 'RO', reset: 0x01, when: 'read', doc: 'Interrupt identification',
    fields: [
      { name: 'NOINT', bits: [0, 0], doc: '1 = no interrupt pending' },
      { name: 'IID', bits: [3, 1], enum: { 0: 'modem status', 1: 'THR empty', 2: 'received data', 3: 'line status', 6: 'character timeout' } },
      { name: 'FIFOS', bits: [7, 6], enum: { 0: 'disabled', 3: 'enabled' } },
    ],
  },
  {
    name: 'FCR', offset: 2, width: 1, access: 'WO', reset: 0, when: 'write', doc: 'FIFO control',
    fields: [
      { name: 'FIFOE', bits: [0, 0], doc: 'enable FIFOs' },
      { name: 'RFIFOR', bits: [1, 1], doc: 'clear receive FIFO' },
      { name: 'XFIFOR', bits: [2, 2], doc: 'clear transmit FIFO' },
      { name: 'RTL', bits: [7, 6], doc: 'receive trigger level', enum: { 0: '1 byte', 1: '4 bytes', 2: '8 bytes', 3: '14 bytes' } },
    ],
  },
  {
    name: 'LCR', offset: 3, width: 1, access: 'RW', reset: 0, doc: 'Line control',
    fields: [
      { name: 'WLS', bits: [1, 0], enum: { 0: '5 bits', 1: '6 bits', 2: '7 bits', 3: '8 bits' } },
      { name: 'STB', bits: [2, 2] }, { name: 'PEN', bits: [3, 3] }, { name: 'EPS', bits: [4, 4] },
      { name: 'SP', bits: [5, 5] }, { name: 'BC', bits: [6, 6] },
      { name: 'DLAB', bits: [7, 7], doc: 'divisor latch access' },
    ],
  },
  {
    name: 'MCR', offset: 4, width: 1, access: 'RW', reset: 0x08, doc: 'Modem control',
    fields: [
      { name: 'DTR', bits: [0, 0] }, { name: 'RTS', bits: [1, 1] }, { name: 'OUT1', bits: [2, 2] },
      { name: 'OUT2', bits: [3, 3] }, { name: 'LOOP', bits: [4, 4], doc: 'loopback: transmitted bytes are received' },
    ],
  },
  {
    name: 'LSR', offset: 5, width: 1, access: 'RO', reset: 0x60, doc: 'Line status',
    fields: [
      { name: 'DR', bits: [0, 0], doc: 'data ready' }, { name: 'OE', bits: [1, 1], doc: 'overrun error' },
      { name: 'PE', bits: [2, 2] }, { name: 'FE', bits: [3, 3] }, { name: 'BI', bits: [4, 4] },
      { name: 'THRE', bits: [5, 5], doc: 'transmitter holding register empty' },
      { name: 'TEMT', bits: [6, 6], doc: 'transmitter empty' }, { name: 'RXFE', bits: [7, 7], doc: 'error in receive FIFO' },
    ],
  },
  {
    name: 'MSR', offset: 6, width: 1, access: 'RO', reset: 0xb0, doc: 'Modem status',
    fields: [
      { name: 'DCTS', bits: [0, 0] }, { name: 'DDSR', bits: [1, 1] }, { name: 'TERI', bits: [2, 2] }, { name: 'DDCD', bits: [3, 3] },
      { name: 'CTS', bits: [4, 4] }, { name: 'DSR', bits: [5, 5] }, { name: 'RI', bits: [6, 6] }, { name: 'DCD', bits: [7, 7] },
    ],
  },
  { name: 'SCR', offset: 7, width: 1, access: 'RW', reset: 0, doc: 'Scratch register' },
] as const;

export const UART_MODEL: DeviceModel = {
  model: 'ns16550a',
  // ns16550 too: the same registers without the FIFOs' quirks a driver for it never touches.
  compatible: ['ns16550a', 'ns16550'],
  doc: 'NS16550A-compatible UART with 16-byte FIFOs; UART0 of the virt board.',
  size: 0x100,
  registers: REGS,
};

const R = offsets(REGS);
/** Reset values that differ from zero, from the declarations (QEMU: OUT2 set, divisor 12 = 9600 baud). */
const RESET = { MCR: resetValue(REGS, 'MCR'), DLL: resetValue(REGS, 'DLL') } as const;
const IER = { ERBFI: 1, ETBEI: 2, ELSI: 4 } as const;
const LSR = { DR: 1, OE: 2, THRE: 0x20, TEMT: 0x40 } as const;
const IID = { NONE: 0x01, THRE: 0x02, RDA: 0x04, RLS: 0x06, TIMEOUT: 0x0c } as const;
const LCR_DLAB = 0x80, MCR_LOOP = 0x10, FCR_ENABLE = 1;
const FIFO_SIZE = 16;
const TRIGGER = [1, 4, 8, 14] as const;

/** What of the UART is machine state (snapshot/saved.ts); its line level lives in the PLIC. */
const UART_STATE = ['rx', 'rxHead', 'rxCount', 'ier', 'lcr', 'mcr', 'lsrErr', 'fcr', 'scr', 'dll', 'dlm', 'thrIpending'] as const;

export class Uart16550 implements MmioDevice {
  readonly model = UART_MODEL;
  readonly maxAccess = 4 as const;
  private readonly rx = new Uint8Array(FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  private ier = 0;
  private lcr = 0;
  private mcr: number = RESET.MCR;
  private lsrErr = 0;
  private fcr = 0;
  private scr = 0;
  private dll: number = RESET.DLL;
  private dlm = 0;
  private thrIpending = false;

  constructor(readonly name: string, private readonly output: (byte: number) => void,
    private readonly irq: (level: boolean) => void) {}

  saveState(): Saved { return saveFields(this, UART_STATE); }
  restoreState(s: Saved): void { restoreFields(this, UART_STATE, s); }

  reset(): void {
    this.rxHead = this.rxCount = 0;
    this.ier = this.lcr = this.lsrErr = this.fcr = this.scr = this.dlm = 0;
    this.mcr = RESET.MCR;
    this.dll = RESET.DLL;
    this.thrIpending = false;
    this.update();
  }

  private get fifoOn(): boolean { return (this.fcr & FCR_ENABLE) !== 0; }

  /** Room for input: the machine feeds host bytes only while this is positive. */
  canReceive(): number {
    if ((this.mcr & MCR_LOOP) !== 0) return 0;
    return (this.fifoOn ? FIFO_SIZE : 1) - this.rxCount;
  }

  receive(byte: number): void {
    if (this.rxCount >= (this.fifoOn ? FIFO_SIZE : 1)) { this.lsrErr |= LSR.OE; this.update(); return; }
    this.rx[(this.rxHead + this.rxCount) % FIFO_SIZE] = byte;
    this.rxCount++;
    this.update();
  }

  private iid(): number {
    if ((this.ier & IER.ELSI) !== 0 && (this.lsrErr & LSR.OE) !== 0) return IID.RLS;
    if ((this.ier & IER.ERBFI) !== 0 && this.rxCount > 0) {
      return !this.fifoOn || this.rxCount >= TRIGGER[this.fcr >>> 6] ? IID.RDA : IID.TIMEOUT;
    }
    if ((this.ier & IER.ETBEI) !== 0 && this.thrIpending) return IID.THRE;
    return IID.NONE;
  }

  private update(): void {
    // OUT2 gates the interrupt on a PC, but QEMU's virt wires it straight to the PLIC.
    this.irq(this.iid() !== IID.NONE);
  }

  private lsr(): number {
    return (this.rxCount > 0 ? LSR.DR : 0) | this.lsrErr | LSR.THRE | LSR.TEMT;
  }

  /** Register value without side effects (debugger peek). */
  peek(offset: number): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case R.RBR: return dlab ? this.dll : this.rxCount > 0 ? this.rx[this.rxHead] : 0;
      case R.IER: return dlab ? this.dlm : this.ier;
      case R.IIR: return this.iid() | (this.fifoOn ? 0xc0 : 0);
      case R.LCR: return this.lcr;
      case R.MCR: return this.mcr;
      case R.LSR: return this.lsr();
      case R.MSR: return (this.mcr & MCR_LOOP) !== 0 ? ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x01) << 5) | ((this.mcr & 0x02) << 3) : 0xb0;
      case R.SCR: return this.scr;
      default: return 0;
    }
  }

  /** Aliased registers by name, whatever LCR.DLAB says now. */
  peekNamed(name: string): number | undefined {
    switch (name) {
      case 'RBR': return this.rxCount > 0 ? this.rx[this.rxHead] : 0;
      case 'DLL': return this.dll;
      case 'DLM': return this.dlm;
      case 'IER': return this.ier;
      case 'FCR': return this.fcr;
      default: return undefined;
    }
  }

  read(offset: number): number {
    const v = this.peek(offset);
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    if (offset === R.RBR && !dlab && this.rxCount > 0) {
      this.rxHead = (this.rxHead + 1) % FIFO_SIZE;
      this.rxCount--;
      this.update();
    } else if (offset === R.IIR && (v & 0x0f) === IID.THRE) {
      this.thrIpending = false; // reading IIR clears a THRE interrupt (datasheet table 4)
      this.update();
    } else if (offset === R.LSR && this.lsrErr !== 0) {
      this.lsrErr = 0;
      this.update();
    }
    return v;
  }

  write(offset: number, _size: number, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case R.THR:
        if (dlab) { this.dll = v; break; }
        if ((this.mcr & MCR_LOOP) !== 0) this.receive(v); else this.output(v);
        this.thrIpending = true; // sent at once, so the holding register is empty again
        break;
      case R.IER:
        if (dlab) { this.dlm = v; break; }
        // Enabling ETBEI while THR is empty raises the THRE interrupt (QEMU does the same).
        if ((v & IER.ETBEI) !== 0 && (this.ier & IER.ETBEI) === 0) this.thrIpending = true;
        this.ier = v & 0x0f;
        break;
      case R.FCR:
        if ((v & 2) !== 0) { this.rxHead = this.rxCount = 0; }
        if ((v & FCR_ENABLE) !== (this.fcr & FCR_ENABLE)) { this.rxHead = this.rxCount = 0; }
        this.fcr = v & 0xc1;
        break;
      case R.LCR: this.lcr = v; break;
      case R.MCR: this.mcr = v & 0x1f; break;
      case R.SCR: this.scr = v; break;
      default: break; // LSR and MSR are read-only
    }
    this.update();
  }
}

/** A UART's place: its window, line and input clock (the DTS `clock-frequency`). */
export type UartPlace = IrqWindow & { clockHz: number };
/** QEMU virt's UART clock (hw/riscv/virt.c), also the default for a DTS node without clock-frequency. */
export const UART_CLOCK_HZ = 3686400;

/** UARTs: the first is the console (input goes to it); all write to the console. */
export const UART: DeviceType<UartPlace, 'uarts', true> = {
  key: 'uarts', many: true, model: UART_MODEL, decodeSize: 8, always: true,
  name: (i) => `uart${i}`,
  build(place, i, ctx) {
    const uart = new Uart16550(`uart${i}`, (b) => ctx.consoleOut(b), ctx.line(place?.irq));
    ctx.roles.consoleInput ??= uart;
    return { dev: uart, group: 'emulated', reset: () => uart.reset() };
  },
  fdt: {
    soc(places, { fdt, irq }) {
      for (const u of places) {
        fdt.beginNode(unitName('serial', u.base));
        irq(u.irq);
        fdt.propU32('clock-frequency', u.clockHz).propU64Cells('reg', [u.base, u.size]).propString('compatible', 'ns16550a').endNode();
      }
    },
  },
  dts: {
    place(n, ctx) {
      const shift = u32(n, 'reg-shift') ?? 0, width = u32(n, 'reg-io-width') ?? 1;
      if (shift !== 0 || width !== 1) return { ok: false, error: `${n.path}: reg-shift ${shift} / reg-io-width ${width}: our ns16550a has byte registers one byte apart (reg-shift 0, reg-io-width 1)` };
      const w = ctx.placed(n, 'ns16550a UART', UART.decodeSize);
      return w.ok ? { ok: true, value: { ...w.value, clockHz: u32(n, 'clock-frequency') ?? UART_CLOCK_HZ } } : w;
    },
  },
};
