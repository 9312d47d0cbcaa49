/**
 * The GDB remote stub (`osdev-emu run --gdb`), with Debian's gdb-multiarch as the client
 * on our guest programs (rv64 and rv32), beside QEMU 7.2's gdbstub on the same commands;
 * and a raw socket for what gdb never sends (bad checksums, huge packets, garbage).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { GUESTS_BUILD_DIR, OUR_CLI, Xlen } from './qemu';
import { installHint } from './host-tools';
import { between, GDB, gdbBatch, qemuTarget, startStub } from './gdb-session-cli';
import { frame, MAX_PACKET, PacketReader } from '../hosts/gdb-stub/packets';

const guest = (xlen: Xlen, name: string) => path.join(GUESTS_BUILD_DIR, `rv${xlen}`, `${name}.elf`);

function needTools(...tools: string[]): void {
  for (const t of tools) {
    const r = spawnSync(t, ['--version'], { stdio: 'ignore' });
    if (r.error !== undefined || r.status !== 0) assert.fail(`cannot run ${t} (${installHint(t)})`);
  }
}

for (const xlen of [64, 32] as const) {
  test(`rv${xlen}: break, continue, stepi, registers with CSRs and x as on QEMU's gdbstub, then kill`, async (t) => {
    needTools(GDB, `qemu-system-riscv${xlen}`);
    const elf = guest(xlen, 'csr');
    // fflags/frm/fcsr: QEMU 7.2 names them only when mstatus.FS was on as gdb connected; we always do (they are not asked here).
    const commands = ['break main', 'continue', 'echo ==BEGIN==\\n',
      'info registers pc sp ra a0 mstatus misa mhartid mtvec mie medeleg satp priv', 'stepi', 'p $pc', 'x/4wx $pc', 'x/2gx $sp',
      'p/x $mstatus', 'p $misa == $misa', 'p $ft0', 'info line *$pc', 'echo ==END==\\n', 'kill'];
    const stub = await startStub(elf);
    t.after(() => { stub.child.kill('SIGKILL'); });
    const ours = await gdbBatch(elf, `target remote 127.0.0.1:${stub.port}`, commands);
    const emu = await stub.done;
    const qemu = await gdbBatch(elf, qemuTarget(elf, xlen), commands);
    assert.match(ours, /Breakpoint 1, main \(\) at csr\.c/);
    assert.equal(between(ours), between(qemu), `ours:\n${ours}\nQEMU:\n${qemu}`);
    assert.match(between(ours), /^mstatus\s+0x/m);
    assert.equal(emu.code, 0, emu.stderr);
    assert.match(emu.stderr, /gdb killed the machine/);
  });

  test(`rv${xlen}: harts as threads, a watchpoint that triggers, monitor, detach (amo-smp on 2 harts)`, async (t) => {
    needTools(GDB);
    const elf = guest(xlen, 'amo-smp');
    const stub = await startStub(elf, ['--harts', '2']);
    t.after(() => { stub.child.kill('SIGKILL'); });
    const out = await gdbBatch(elf, `target remote 127.0.0.1:${stub.port}`, [
      'break work', 'continue', 'info threads', 'thread apply all bt', 'watch amo_counter', 'continue', 'continue', 'p amo_counter',
      'delete', 'monitor harts', 'monitor help', 'monitor devices', 'monitor walk 0x80000000', 'monitor tlb', 'monitor nonsense', 'detach']);
    const emu = await stub.done;
    // Which hart reaches work() first is the guest's business (rv64 and rv32 differ); each does, once.
    assert.match(out, /Thread 1 hit Breakpoint 1, work \(\) at amo-smp\.c/);
    assert.match(out, /Thread 2 hit Breakpoint 1, work \(\) at amo-smp\.c/);
    assert.match(out, /^[* ] 1 {4}Thread 1 \(hart 0, M-mode\) /m);
    assert.match(out, /^[* ] 2 {4}Thread 2 \(hart 1, M-mode\) /m);
    assert.match(out, /^\* [12] {4}Thread [12] \(hart [01], M-mode\) work \(\) at amo-smp\.c/m);
    assert.match(out, /Thread [12] \(Thread [12] \(hart [01], M-mode\)\):\n#0 {2}work \(\) at amo-smp\.c:\d+\n#1 {2}0x[0-9a-f]+ in (main|secondary_main) \(/);
    assert.match(out, /Thread 2 \(Thread 2 \(hart 1, M-mode\)\):\n#0 /);
    assert.match(out, /Hardware watchpoint 2: amo_counter\n\nOld value = 0\nNew value = 1\n/);
    assert.match(out, /\$1 = 1\n/);
    assert.match(out, /^hart 0: M-mode, pc 0x8[0-9a-f]+\nhart 1: M-mode, pc 0x8[0-9a-f]+$/m);
    assert.match(out, /^walk ADDR {8}page-table walk/m);
    assert.match(out, /^uart0 +0x10000000 \+0x100 +irq 10 +ns16550a$/m);
    assert.match(out, /0x80000000 on hart 0: Bare \(no translation\)\n {2}-> physical 0x80000000/);
    assert.match(out, /hart 0: (the TLBs are empty|\d+ entries)/);
    assert.match(out, /unknown command 'nonsense'; try 'monitor help'/);
    assert.match(out, /\[Inferior 1 \(Remote target\) detached\]/);
    // Detached: the guest runs to its end as without gdb.
    assert.equal(emu.code, 0, emu.stderr);
    assert.match(emu.stdout, /PASS/);
  });
}

test('a read watchpoint on a device register (uart0.LSR by address) stops the polling guest', async (t) => {
  needTools(GDB);
  const elf = guest(64, 'uart-rx');
  const stub = await startStub(elf);
  t.after(() => { stub.child.kill('SIGKILL'); });
  const out = await gdbBatch(elf, `target remote 127.0.0.1:${stub.port}`, [
    'rwatch *(volatile unsigned char *)0x10000005', 'continue', 'p/x $pc', 'info watchpoints', 'kill']);
  const emu = await stub.done;
  assert.match(out, /Hardware read watchpoint 1: \*\(volatile unsigned char \*\)0x10000005/);
  // The stub never reads a device register for gdb (a read has side effects): the value stays unread.
  assert.match(out, /Hardware read watchpoint 1: \*\(volatile unsigned char \*\)0x10000005\n\nValue = <unreadable>\n0x[0-9a-f]+ in \w+ /);
  assert.match(out, /breakpoint already hit 1 time/);
  assert.equal(emu.code, 0, emu.stderr);
});

/** A raw client: sends bytes, collects what comes back as packets and bare acks. */
class RawClient {
  private readonly reader = new PacketReader();
  private readonly got: string[] = [];
  private waiter: (() => void) | null = null;
  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      for (const e of this.reader.push(new Uint8Array(d))) {
        this.got.push(e.kind === 'packet' ? Buffer.from(e.data).toString('latin1') : e.kind === 'ack' ? '+' : e.kind === 'nack' ? '-' : `?${e.kind}`);
      }
      this.waiter?.();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.on('error', reject);
    });
  }

  write(bytes: string | Uint8Array): void { this.sock.write(bytes); }
  pause(): void { this.sock.pause(); }
  resume(): void { this.sock.resume(); }
  send(payload: string): void { this.sock.write(frame(payload)); }

  /** The next reply that is not a bare `+` (a packet, or a `-`). */
  async next(): Promise<string> {
    for (;;) {
      const i = this.got.findIndex((x) => x !== '+');
      if (i >= 0) return this.got.splice(0, i + 1)[i];
      await new Promise<void>((resolve) => { this.waiter = resolve; });
    }
  }

  async ask(payload: string): Promise<string> { this.send(payload); return this.next(); }
  end(): void { this.sock.end(); }
}

test('protocol: malformed, huge and bad-checksum packets get error replies and the stub answers on; Ctrl-C; a second client is turned away', async (t) => {
  const stub = await startStub(guest(64, 'uart-rx'));
  t.after(() => { stub.child.kill('SIGKILL'); });
  const c = await RawClient.connect(stub.port);
  assert.match(await c.ask('qSupported:multiprocess+;swbreak+'), /^PacketSize=4000;qXfer:features:read\+;vContSupported\+;QStartNoAckMode\+$/);
  // A bad checksum in ack mode: a retransmit request.
  c.write('$g#00');
  assert.equal(await c.next(), '-');
  // Longer than any packet may be: dropped, with an error reply.
  c.write(`$${'m'.repeat(MAX_PACKET + 100)}#00`);
  assert.equal(await c.next(), 'E01');
  for (const [bad, reply] of [['m80000000', 'E01'], ['mzz,4', 'E01'], ['m80000000,ffffffffffffffffff', 'E01'], ['m0,4', 'E14'],
    ['pzz', 'E01'], ['p99999', 'E14'], ['P20', 'E01'], ['Pzz=00', 'E01'], ['G00', 'E01'], ['Z9,80000000,4', 'E01'], ['Z0,80000000', 'E01'],
    ['Z2,80000000,0', 'E01'], ['Hgzz', 'E01'], ['Hg99', 'E01'], ['T99', 'E01'], ['vCont;q', 'E01'], ['vCont;', 'E01'], ['M80000000,4:zz', 'E01'],
    ['X80000000,4:ab', 'E01'], ['qXfer:features:read:other.xml:0,100', 'E00'], ['qXfer:features:read:target.xml:zz', 'E01'],
    ['qRcmd,zz', 'E01'], ['qThreadExtraInfo,99', 'E01'], ['xyzzy', ''], ['', '']] as const) {
    assert.equal(await c.ask(bad), reply, bad);
  }
  // A read longer than PacketSize allows comes back short (gdb asks again for the rest).
  assert.equal((await c.ask('m80000000,8000')).length, 0x4000);
  assert.match(await c.ask('?'), /^T05thread:1;$/);
  // A client that asks without reading: the stub stops reading it past 1 MiB of unread
  // replies, and every reply still comes, in order, once it reads.
  c.pause();
  for (let i = 0; i < 200; i++) c.send('m80000000,2000');
  c.send('?');
  c.resume();
  for (let i = 0; i < 200; i++) assert.equal((await c.next()).length, 0x4000);
  assert.match(await c.next(), /^T05thread:1;$/);
  assert.match(await c.ask('qXfer:features:read:target.xml:0,80'), /^m<\?xml version="1\.0"\?>/);
  // A second gdb while this one is connected.
  const other = await RawClient.connect(stub.port);
  other.send('qSupported');
  assert.equal(await other.next(), 'E01');
  // No-ack mode: bad checksums get an error reply, nothing waits.
  assert.equal(await c.ask('QStartNoAckMode'), 'OK');
  c.write('$g#00');
  assert.equal(await c.next(), 'E01');
  assert.equal(await c.ask('m80000000,4').then((r) => r.length), 8);
  // Continue, then Ctrl-C: the guest polls the UART forever, so only the interrupt stops it.
  c.send('vCont;c');
  c.write(Uint8Array.of(3));
  assert.match(await c.next(), /^T02thread:1;$/);
  c.send('k');
  c.end();
  const emu = await stub.done;
  assert.equal(emu.code, 0, emu.stderr);
  assert.match(emu.stderr, /turned away: one is connected already/);
});

test('--gdb takes a loopback tcp address only, and --gdb-wait needs --gdb', () => {
  const elf = guest(64, 'csr');
  for (const [args, message] of [
    [['--gdb', 'tcp:10.0.0.1:1234'], /--gdb must be a loopback address \(the stub reads and writes the whole machine\), got '10\.0\.0\.1'/],
    [['--gdb', 'tcp:0.0.0.0:1234'], /must be a loopback address/],
    [['--gdb', 'unix:/tmp/x'], /--gdb takes tcp:127\.0\.0\.1:PORT, got 'unix:\/tmp\/x'/],
    [['--gdb', 'tcp:127.0.0.1:99999'], /--gdb must be HOST:PORT/],
    [['--gdb-wait'], /--gdb-wait needs --gdb/],
  ] as const) {
    const r = spawnSync(process.execPath, [OUR_CLI, 'run', elf, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test('without --gdb-wait the guest runs; gdb attaching stops it, detaching lets it run on to its end', async (t) => {
  needTools(GDB);
  const elf = guest(64, 'uart-rx');
  // gdb attaches once the guest waits for its line (polling the UART), not before it ran at all.
  const stub = await startStub(elf, [], false, 'type a line');
  t.after(() => { stub.child.kill('SIGKILL'); });
  const out = await gdbBatch(elf, `target remote 127.0.0.1:${stub.port}`, ['echo ==BEGIN==\\n', 'p/x $pc', 'info threads', 'echo ==END==\\n', 'detach']);
  // Attached mid-run: the guest was polling the UART for its line, in main() or a function it calls.
  assert.match(between(out), /^\$1 = 0x800[0-9a-f]+\n/);
  assert.match(between(out), /\* 1 {4}Thread 1 \(hart 0, M-mode\) /);
  stub.child.stdin?.end('olleh\n');
  const emu = await stub.done;
  assert.equal(emu.code, 0, emu.stderr);
  assert.match(emu.stdout, /got 5 bytes: olleh\nreversed: hello/);
});

test('the guest powering off ends gdb\'s inferior with its exit status, and the run with it', async (t) => {
  needTools(GDB);
  const elf = guest(64, 'exit3');
  const stub = await startStub(elf);
  t.after(() => { stub.child.kill('SIGKILL'); });
  const out = await gdbBatch(elf, `target remote 127.0.0.1:${stub.port}`, ['continue']);
  const emu = await stub.done;
  assert.match(out, /\[Inferior 1 \(Remote target\) exited with code 03\]/);
  assert.equal(emu.code, 3, emu.stderr);
});

test('--timeout still ends a run that waits for gdb (--gdb-wait and nobody connects)', () => {
  const r = spawnSync(process.execPath, [OUR_CLI, 'run', guest(64, 'csr'), '--gdb', 'tcp:127.0.0.1:0', '--gdb-wait', '--timeout', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 124, r.stderr);
  assert.match(r.stderr, /--timeout 1 s reached while gdb held the machine/);
});
